"""Held-out phrasings: other people's words, never used to tune the planner's word lists.

Each entry is a changelog line written by a project's maintainers (taken verbatim from the sdist named,
downloaded with `pip download --no-binary :all: --no-deps`; only issue/PR references were cut), read as if a
user had typed it as a task. The expected plan was written next to each line when the set was frozen,
before the classifier was changed and before it was ever run on these lines:

- "refused": outside what Empathy's agents do (features, CI, packaging);
- "boost": the test-coverage boost workflow;
- "fix:<agent>": the verified-fix workflow led by that agent;
- a domain name: an analysis plan whose main domain it is.

Lines were picked by topic from the changelogs' entries (security, speed, tests, docs, refactors, typing,
bug fixes, feature work), skipping lines whose right plan the labeller could not state.
"""

HELDOUT: list[tuple[str, str, str]] = [
    # security
    ("Fix slow multipart parsing for large parts potentially enabling DoS attacks.", "fix:security_auditor",
     "werkzeug 3.1.9 CHANGES.rst"),
    ("Fix self-XSS in debugger console", "fix:security_auditor", "werkzeug 3.1.9 CHANGES.rst"),
    ("Fix a security issue that allows XSS on the Werkzeug debugger.", "fix:security_auditor",
     "werkzeug 3.1.9 CHANGES.rst"),
    ("Improved default SSL/TLS settings to avoid vulnerabilities.", "security", "urllib3 2.8.0 CHANGES.rst"),
    ("Increase default work factor for PBKDF2 to 600,000 iterations.", "security", "werkzeug 3.1.9 CHANGES.rst"),
    ("Use a randomized and secure default build directory when possible.", "security", "pip 26.3 NEWS.rst"),
    ("Fix decoding the URL path twice while determining a link filename (CVE-2026-13346).",
     "fix:security_auditor", "pip 26.3 NEWS.rst"),
    # performance
    ("Speed up class creation by 30%-50% by compiling methods only once and using a variety of other "
     "techniques.", "performance", "attrs 26.1.0 CHANGELOG.md"),
    ("Reduce memory usage when resolving large dependency trees.", "performance", "pip 26.3 NEWS.rst"),
    ("Speed up dependency resolution when there are complex conflicts.", "performance", "pip 26.3 NEWS.rst"),
    ("Improve performance of parse_cookie.", "performance", "werkzeug 3.1.9 CHANGES.rst"),
    ("Improve CPU usage during Watchdog reloader.", "performance", "werkzeug 3.1.9 CHANGES.rst"),
    ("Reduced memory consumption when streaming zlib-compressed responses", "performance",
     "urllib3 2.8.0 CHANGES.rst"),
    ("Improve use of datastructures to make candidate selection 1.6x faster.", "performance",
     "pip 26.3 NEWS.rst"),
    ("Speed up object creation when attribute validators are used.", "performance", "attrs 26.1.0 CHANGELOG.md"),
    ("Improve the performance when parsing a table with nested dotted keys.", "performance",
     "tomlkit 0.15.3 CHANGELOG.md"),
    ("Speed up Black significantly when the cache is full", "performance", "black 26.10.1 CHANGES.md"),
    # testing and coverage
    ("Add test case checking for custom param type.", "testing", "click 8.5.1 CHANGES.md"),
    ("Add test coverage to assertion rewrite path.", "boost", "pytest 9.2.0 CHANGELOG.rst"),
    ("Added test coverage for compiled regex patterns in pytest.raises match parameter.", "boost",
     "pytest 9.2.0 CHANGELOG.rst"),
    ("99% -> 100% unit test coverage.", "boost", "urllib3 2.8.0 CHANGES.rst"),
    ("Make test suite easier to run successfully.", "testing", "pip 26.3 NEWS.rst"),
    ("Add tests for the sphinx.ext.inheritance_diagram extension.", "testing", "sphinx 9.0.4 doc/changes/1.7.rst"),
    ("Fix ResourceWarning that occurs during some tests.", "fix:code_reviewer", "click 8.5.1 CHANGES.md"),
    # documentation
    ("Document the default cache directories for each operating system.", "documentation", "pip 26.3 NEWS.rst"),
    ("Document how auto_envvar_prefix works with command groups.", "documentation", "click 8.5.1 CHANGES.md"),
    ("Document that options can be required=True.", "documentation", "click 8.5.1 CHANGES.md"),
    ("Fix typo in documentation", "fix:documentation_writer", "pytest 9.2.0 doc/en/changelog.rst"),
    ("Fix a python example when calling a fixture in doc/en/usage.rst", "fix:documentation_writer",
     "pytest 9.2.0 CHANGELOG.rst"),
    ("Fix example in monkeypatch documentation", "fix:documentation_writer", "pytest 9.2.0 CHANGELOG.rst"),
    ("Document public API for _Result objects passed to wrappers", "documentation", "pluggy 1.7.0 CHANGELOG.rst"),
    ("Fixed two property docstrings being assigned to fdel instead of setter", "fix:documentation_writer",
     "werkzeug 3.1.9 CHANGES.rst"),
    ("Document stability policy, that will apply for non-beta releases", "documentation",
     "black 26.10.1 CHANGES.md"),
    # refactoring
    ("Refactor the test client cookie implementation.", "refactoring", "werkzeug 3.1.9 CHANGES.rst"),
    ("Simplify implementation of the power operator hugging logic", "refactoring", "black 26.10.1 CHANGES.md"),
    ("Refactored helpers into a urllib3.util submodule.", "refactoring", "urllib3 2.8.0 CHANGES.rst"),
    ("Refactored code to be even more decoupled, reusable, and extendable.", "refactoring",
     "urllib3 2.8.0 CHANGES.rst"),
    ("Refactor parse_cookie and dump_cookie.", "refactoring", "werkzeug 3.1.9 CHANGES.rst"),
    ("Remove unused gallery script", "refactoring", "black 26.10.1 CHANGES.md"),
    ("Refactor: removed the vestigial and long untested support for Jython and IronPython.", "refactoring",
     "coverage 7.18.0 CHANGES.rst"),
    ("Refactor how an app's root and instance paths are determined.", "refactoring", "flask 3.1.3 CHANGES.rst"),
    # code quality: typing, warnings, lint
    ("Improve typing for stream_with_context.", "quality", "flask 3.1.3 CHANGES.rst"),
    ("Fix typing for echo and secho file argument.", "fix:code_reviewer", "click 8.5.1 CHANGES.md"),
    ("Fix invalid escape sequences.", "fix:code_reviewer", "click 8.5.1 CHANGES.md"),
    ("Fixed deprecation warnings emitted in Python 3.10.", "fix:code_reviewer", "urllib3 2.8.0 CHANGES.rst"),
    ("Improve type annotation for SharedDataMiddleware.", "quality", "werkzeug 3.1.9 CHANGES.rst"),
    ("Clean up some cases where warnings were being issued.", "fix:code_reviewer", "httpx 0.29.0 CHANGELOG.md"),
    ("Fix long lines with power operators getting split before the line length", "fix:code_reviewer",
     "black 26.10.1 CHANGES.md"),
    # bug fixes
    ("Fix crash when writing to unicode files with click.echo.", "fix:code_reviewer", "click 8.5.1 CHANGES.md"),
    ("Fix bytes support in multipart uploads.", "fix:code_reviewer", "httpx 0.29.0 CHANGELOG.md"),
    ("Fix cache versioning logic when BLACK_CACHE_DIR is set", "fix:code_reviewer", "black 26.10.1 CHANGES.md"),
    ("Fix bug in calculating the HTTP/2 maximum frame size.", "fix:code_reviewer", "httpx 0.29.0 CHANGELOG.md"),
    ("Fix a bug in MultiPartParser when no stream_factory was provided", "fix:code_reviewer",
     "werkzeug 3.1.9 CHANGES.rst"),
    ("Fix encoding error with print statements in doctests", "fix:code_reviewer", "pytest 9.2.0 CHANGELOG.rst"),
    ("Fix win32 path issue when putting custom config file with absolute path", "fix:code_reviewer",
     "pytest 9.2.0 CHANGELOG.rst"),
    ("Fix restoring Python state after in-process pytest runs", "fix:code_reviewer",
     "pytest 9.2.0 CHANGELOG.rst"),
    # feature work, CI and packaging: not what Empathy's agents do
    ("Add support for Google's Brotli package.", "refused", "urllib3 2.8.0 CHANGES.rst"),
    ("Drop support for Python 3.6.", "refused", "httpx 0.29.0 CHANGELOG.md"),
    ("Allow lists of values to be passed to params.", "refused", "httpx 0.29.0 CHANGELOG.md"),
    ("Add support for NO_PROXY environment variable.", "refused", "httpx 0.29.0 CHANGELOG.md"),
    ("Allow CliRunner to separate stdout and stderr.", "refused", "click 8.5.1 CHANGES.md"),
    ("Add support for client certificate passwords", "refused", "httpx 0.29.0 CHANGELOG.md"),
    ("Test against Python 3.7 on AppVeyor.", "refused", "urllib3 2.8.0 CHANGES.rst"),
    ("Add support for numpy arrays (and dicts) to approx.", "refused", "pytest 9.2.0 CHANGELOG.rst"),
    ("Use modern packaging metadata with pyproject.toml instead of setup.cfg.", "refused",
     "click 8.5.1 CHANGES.md"),
]
