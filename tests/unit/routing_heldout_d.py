"""Held-out set D for the planner (issue 28, part 3): other people's words, never used to tune the planner.

Collected 2026-12-07 (UTC) by engineer h28collect, who has not read or run the planner's code, its word lists or
bench/routing_score.py, and has not run `empathy compose`. Only the docstring and labels of
tests/unit/routing_heldout.py (sets A, B, C) and the seed meta-orchestration tutorial were read.

Sources
-------
- Commit subjects of eight public Python projects not used in A/B/C, read from the tool library's snapshots
  (`fetch github:owner/name`, then `git log --no-merges --format=%s`): pallets/jinja, encode/starlette,
  tox-dev/tox, Textualize/rich, encode/uvicorn, pallets/markupsafe, pallets/itsdangerous, PyCQA/bandit.
  The source field is "owner/name@<full commit sha>".
- Issue and pull-request titles of public Python repositories, found with the search tool's `issues` corpus
  (topic queries such as "increase test coverage", "fix SQL injection", "reduce cyclomatic complexity");
  the source field is the issue/PR URL.
Every line is verbatim; only issue/PR references such as "(#1234)", "(fixes #3607)" or "(ref #490)" were cut.
Merge commits, bot commits (except two dependabot bumps kept on purpose as packaging chores), reverts,
emoji-prefixed commits, one-word subjects ("typing", "simplify"), lines mixing two intents ("fix X, add test")
and lines whose right plan the labeller could not state were skipped.

Method
------
Candidate lines were pulled per topic (grep on the subjects for security, speed/memory, coverage/tests,
docs/docstrings/typos, refactor/unused/cleanup/complexity, typing/mypy/lint, "Fix ...", and version/CI/
packaging/release/translation words) and then picked by hand so that each topic has several lines, including
lines whose words point to the wrong domain (a test file that gets type hints, a documentation change about
security, a CI change about the test suite, a feature about "memory"). The labelling guide below was written
before any line was labelled, and each label was written from the meaning of the line alone.

Labelling guide (follows how A/B/C labelled similar lines)
-----------------------------------------------------------
Read the line as a task a user typed into `empathy compose`; decide what the user wants done.
1. "refused": work Empathy's agents do not do: new features, options or behaviour changes; adding or
   dropping support for Python/platform versions; CI and workflow configuration; packaging, build and
   metadata (setup.py, pyproject, wheels); releases and version bumps; dependency bumps; translations and
   localisation.
2. "boost": the aim is to raise test coverage: the line names coverage as the goal ("increase coverage",
   "add coverage for X", "100% test coverage", "coverage to 90%", "branch coverage in X").
3. "testing": add tests or test cases without a coverage goal, or improve the test suite itself
   (isolation, ports, fixtures), not phrased as fixing a defect.
4. "fix:<agent>": the line's imperative or claim is to fix one specific, existing defect ("Fix ...",
   "Fixed ...", "fix: ...", "prevent <bug>", "clean up <named code>"). The agent follows the kind of defect:
   - fix:security_auditor - a vulnerability (XSS, injection, path traversal, insecure temp files);
   - fix:documentation_writer - wrong or misspelled documentation, docstrings or doc examples, and
     "clean up <named docs>";
   - fix:test_generator - a broken, failing or wrong test;
   - fix:refactoring_specialist - "clean up <named piece of code>" (as B's "Clean up code for schema hooks")
     and "fix complexity issues";
   - fix:code_reviewer - every other defect: bugs, crashes, race conditions, deadlocks, wrong type
     annotations, mypy/pyright/flake8/pylint findings, warnings (as A/B/C did for typing, warnings, leaks).
5. Otherwise the main domain of an analysis plan:
   - "security": hardening, safer constructs and defaults ("use yaml.safe_load", "remove shell=True",
     sandboxing, stricter header checks) and reports that something is insecure;
   - "performance": speed, memory, import/startup time;
   - "documentation": document X, add or improve docs, docstrings and examples, even when the subject is
     security, testing or architecture;
   - "refactoring": refactor, simplify, rework, remove unused/dead/duplicated code, minor cleanups,
     reduce complexity (not phrased as a fix);
   - "quality": type hints and annotations, typing improvements, stricter lint/type-check configuration.
6. A conventional-commit or tag prefix does not decide the label; the content does ("feat: speedup import
   time" is performance, "docs: fix configuration option ..." is fix:documentation_writer).
"""

HELDOUT_D: list[tuple[str, str, str]] = [
    ('sandbox indirect calls to str.format', 'security', 'pallets/jinja@91a972f5808973cd441f4dc06873b2f8378f30c7'),
    ('SECURITY: support sandboxing in format expressions', 'security', 'pallets/jinja@9b53045c34e61013dc8f09b7e52a555fa16bed16'),
    ("don't bypass autoescape", 'security', 'pallets/jinja@93565e6cd8f254e69ba21876fa1e72e2483eed31'),
    ('More robust path-traversal check in StaticFiles app', 'security', 'encode/starlette@e611476cb7993024ef879ba3af697fa5e387ea9e'),
    ('Add security flags to session cookie', 'security', 'encode/starlette@eb316509b5b11fa28079ccf2367bab5c185782e6'),
    ('Disallow invalid header characters', 'security', 'encode/uvicorn@789e2f135f361d26adda67918fe3f7c4b6ec01b8'),
    ('Switch to yaml.safe_load()', 'security', 'https://github.com/Numergy/yoda/issues/21'),
    ('Remove shell=True', 'security', 'https://github.com/sonic-net/sonic-platform-common/pull/313'),
    ('Docker run subprocess shell=True command is insecure', 'security', 'https://github.com/rundeck-plugins/docker/issues/9'),
    ('Look into defenses against XSS', 'security', 'https://github.com/rtcharity/eahub.org/issues/663'),
    ('Fixed a security issue with temporary files on the filesystem cache on UNIX.', 'fix:security_auditor', 'pallets/jinja@acb672b6a179567632e032f547582f30fa2f4aa7'),
    ('Fix XSS vulnerability', 'fix:security_auditor', 'https://github.com/rapidpro/casepro/pull/322'),
    ('Fix cross-site scripting vulnerability', 'fix:security_auditor', 'https://github.com/treyhunner/django-relatives/pull/3'),
    ('Fix Path Traversal Vulnerability', 'fix:security_auditor', 'https://github.com/SummaLabs/DLS/pull/5'),
    ('Fix SQL injection', 'fix:security_auditor', 'https://github.com/barronwaffles/dwc_network_server_emulator/pull/538'),
    ('Fix Subprocess CMDi', 'fix:security_auditor', 'https://github.com/trustedsec/ridenum/pull/11'),
    ('speed up urlize matching', 'performance', 'pallets/jinja@ef658dc3b6389b091d608e710a810ce8b87995b3'),
    ('Small optimizations for escape branches', 'performance', 'pallets/jinja@bb0dc86a9e4a7356c0f52566070023468740cae3'),
    ('perf: avoid regex re-compile', 'performance', 'encode/starlette@9d4d5a5f3b76b53acaf340f8beabbb1ae567a634'),
    ('perf: stop use `re` on `get_route_path`', 'performance', 'encode/starlette@d289ac7e8de469d0f26c0a210d82e1b315ad8304'),
    ('perf(console): avoid call to inspect.stack', 'performance', 'Textualize/rich@efa324a5942c003cb1e3cb273cfc8f363e8647c5'),
    ('[syntax] improve performance for `stylize_ranges()`', 'performance', 'Textualize/rich@75315fabc5fedbbd441078f9e8c93d75c96f4ccc'),
    ('feat: speedup import time using sys.platform', 'performance', 'Textualize/rich@f8b9ba143a8a9381cd18faa5cb8bddb1a9c22456'),
    ('Switch off GFM markdown, manually enable tables (faster parsing)', 'performance', 'Textualize/rich@219bf222e73110a9a7d82b5d0a17aa2027d2a220'),
    ('Speed-up startup', 'performance', 'https://github.com/Kinto/kinto/pull/491'),
    ('Long import time', 'performance', 'https://github.com/adtzlr/felupe/issues/720'),
    ('ENH: delay expensive imports', 'performance', 'https://github.com/1313e/CMasher/pull/90'),
    ('Additional test coverage for async rendering of native type templates', 'boost', 'pallets/jinja@f8323cf4042ab058ac5b11743614c63308798541'),
    ('tests: branch coverage in `_utils.py`, `middleware/gzip.py`, `routing.py` and `requests.py`', 'boost', 'encode/starlette@d6ace924c4b8732a54c97c198ee48a2b582f84f5'),
    ('100% test coverage!', 'boost', 'encode/starlette@9c617335948705deed9c94a2a063b5a4394c4e11'),
    ('Increase code coverage', 'boost', 'tox-dev/tox@72cac3102efaaf88d785822c809839ebe8fcb52b'),
    ('Add test coverage for runner and show config', 'boost', 'tox-dev/tox@840aa2995a9319d3cc32073afe0f2b23f71dd0b9'),
    ('Add coverage for the delayed signal handler', 'boost', 'tox-dev/tox@aca8b8f8e05d1a434999b1a9eb17b6766924d0fa'),
    ('Bump coverage to 96.96%', 'boost', 'encode/uvicorn@78f5cf1bac2f1207b8cea5a1d42032956dc6428b'),
    ('Small coverage increase in protocols/utils', 'boost', 'encode/uvicorn@e01c927d76bece04a9fdbdf530ca8abeb7f2b557'),
    ('tests: add ssl coverage', 'boost', 'encode/uvicorn@896788852ec104f51d014002549f4c2dca0e0705'),
    ('Increase test coverage to 90%', 'boost', 'https://github.com/myokit/myokit/issues/147'),
    ('Get test coverage to >= 90%', 'boost', 'https://github.com/mintel/pytest-localstack/issues/5'),
    ('Add tests to increase coverage to at least 90%', 'boost', 'https://github.com/COVESA/s2dm/issues/32'),
    ('increase coverage report by adding more tests.', 'boost', 'https://github.com/buildtesters/buildtest/pull/364'),
    ('add more tests for import context behavior', 'testing', 'pallets/jinja@cd88dec8ea7c5aa13fdf120481cc989be2c7916f'),
    ('Add tests for Undefined classes', 'testing', 'pallets/jinja@69d8d9886044c509afed3fed5994a987f99fad42'),
    ('Adds tests for the memcached bytecode cache module', 'testing', 'pallets/jinja@6e74191f82531400354ef33cd6d7d0ce842ce4eb'),
    ('isolate bytecode cache tests', 'testing', 'pallets/jinja@d312609ccd561498d2963d47f0330715e8f24982'),
    ('add tests for chunked requests', 'testing', 'encode/starlette@80369c1b859ed327d0cee54c0ab2c54b4a585676'),
    ('Add tests for CliEnv', 'testing', 'tox-dev/tox@b3eb86a6450de6d2f2dc41d3bbcb0421b2d2e752'),
    ('tests(highlighter): Add more tests for `repr.url`', 'testing', 'Textualize/rich@2dd2daa4f63c5721b060af2e70d722259b819547'),
    ('Use unused TCP ports on the test suite', 'testing', 'encode/uvicorn@d613cbea388bafafb6f642077c035ed137deea61'),
    ('Add tests for secret_keys', 'testing', 'pallets/itsdangerous@a0872fc4928b250d8b05d8c1b53a2e21957aacd9'),
    ('tests for subclassing Markup, overriding escape', 'testing', 'pallets/markupsafe@931232563fc4dc5d9795f4c478517a4e9d2fe4cf'),
    ('fix assertions in test_graph to actually test results', 'fix:test_generator', 'tox-dev/tox@079f839d819f03413939409c58930d14017fd84f'),
    ('Fix test not passing in 32-bit architectures', 'fix:test_generator', 'encode/starlette@5771a78c14d577bd1743ed2e948c91589dd30e20'),
    ('Fix MultiDict tests', 'fix:test_generator', 'encode/starlette@f1ad207255e811955f9f5ef0b8ed8e7c16b57861'),
    ('document SandboxedNativeEnvironment pattern', 'documentation', 'pallets/jinja@ae68c961dc52d48580dc9005c9ebe9117590f690'),
    ('rewrite sandbox docs, add more security discussion', 'documentation', 'pallets/jinja@165e972eba7bceda8f927953b2c6f000ad116f8e'),
    ('Improve documentation for initializing the i18n extension', 'documentation', 'pallets/jinja@a9a0197e3c63cc8abc965369d252cca9e866be6d'),
    ('more detailed docs about globals', 'documentation', 'pallets/jinja@38e45fead3a93e144d974a648d56b2a468a15812'),
    ('docs: add section about `TestClient(client=...)`', 'documentation', 'encode/starlette@43ca933fcdc5599f4d09024b608cb54dace8e7e1'),
    ('Add example on how to use `SessionMiddleware`', 'documentation', 'encode/starlette@1b766f4449a529c59a2164b933830b26a2a7d91f'),
    ('add 3rd party middleware link for secure-cookie', 'documentation', 'encode/starlette@24c1fac62a80bb153c6548145334fc643991e35a'),
    ('document {env:TOX_PACKAGE} for referencing built packages in commands', 'documentation', 'tox-dev/tox@c797c65a76309623439c78460225625854aa234a'),
    ('Add architecture documentation', 'documentation', 'tox-dev/tox@42470c021fbd82c84db3e6e5e782859a8e1635da'),
    ('docs: add note about server behavior on exceptions', 'documentation', 'encode/uvicorn@a3cc36016e34ed29345d3afda441adab58cbf2d5'),
    ('DOCS: Add example to Align docstring', 'documentation', 'Textualize/rich@931d170944b318ed2f47d64f30d22d25dc8cc1a1'),
    ('Update docstring to reflect that box is not optional', 'documentation', 'Textualize/rich@d8f08fd607f3982366e3faaa9ebe1fdd1b5fe849'),
    ("document that random.choices() isn't secure either", 'documentation', 'PyCQA/bandit@d4faa78c39886bd93ee5e277e774a19b7de931e4'),
    ('Add docstrings to public functions', 'documentation', 'https://github.com/codeflash-ai/codeflash/issues/524'),
    ('Add docstring for missing public functions', 'documentation', 'https://github.com/ag2ai/faststream/pull/339'),
    ('Fix nl2br example in documentation', 'fix:documentation_writer', 'pallets/jinja@d680a959324400487b4f0e8b8119bed7376b7973'),
    ('Fix incorrect docs - line statements have no default', 'fix:documentation_writer', 'pallets/jinja@671cbd73fe6bd03b10f8177a1c6f51b8da7c8eff'),
    ('Fix little typo in docstring', 'fix:documentation_writer', 'pallets/jinja@e04df6ed8cd6fe25c81066159d482008c93faab6'),
    ('clean up sort filter docs', 'fix:documentation_writer', 'pallets/jinja@8a4a13d4562e13ac31087a57c05d555d73c230d3'),
    ('Fix typo in `SessionMiddleware` docs', 'fix:documentation_writer', 'encode/starlette@9bd1b817d49c02f10561e1f6028e83f2c8190850'),
    ('Fix `docs/staticfiles.md` wrong signature', 'fix:documentation_writer', 'encode/starlette@bc90057c121da88e6d30cd06969ae4097dc6fbc2'),
    ('docs: fix configuration option for trusting forwarded IPs', 'fix:documentation_writer', 'encode/uvicorn@108b1c9d1a54fe6a356f1c0b90077ed433932d40'),
    ('simplify CodeType rewriting', 'refactoring', 'pallets/jinja@99435a4e69d0ab5c6dc3ba7b03fe9c7c375eff1d'),
    ('refactor urlize function', 'refactoring', 'pallets/jinja@1aa979c545fabe1fdd16d6d1f54f4d79c2f36afa'),
    ('Kill some dead code', 'refactoring', 'pallets/jinja@22bb00b2751be1f100716e36a798c3f5726b6622'),
    ('Remove unused/duplicate imports', 'refactoring', 'pallets/jinja@04b30cdd5c97c35825e8a5b1727382d8569d8347'),
    ('refactor: check endpoint handler is async only once', 'refactoring', 'encode/starlette@96c90f26622c8f243ad965371eae2c2028a518de'),
    ('Minor cleanups', 'refactoring', 'encode/starlette@2f51a38266473a555b1a25633896c150090a1c4f'),
    ('Rework and simplify local subprocess executor handlers', 'refactoring', 'tox-dev/tox@d2c2322eeec0889a5e0c25301b9c9ab5be00b7b4'),
    ('Remove unused `handle_no_connect` on `wsproto`', 'refactoring', 'encode/uvicorn@53d7d1ed78c89f3a41937b3992c4a51ce9042021'),
    ('Refactor on extra header retrieval', 'refactoring', 'encode/uvicorn@83042484aca7be445f37f142b5c900bb9bb375d4'),
    ('Slight refactor of Markdown parse code structure to make flow clearer', 'refactoring', 'Textualize/rich@0ef4cc2fd42f92521fea429450507ea2c174eb03'),
    ('Remove unused height parameter from Layout class', 'refactoring', 'Textualize/rich@28a05fa17721a20df55dae160bede89ff5873d7e'),
    ('Remove duplicated statements', 'refactoring', 'Textualize/rich@08bd9f1286aed515ab92514ea04f2d67249fdbc8'),
    ('refactoring test_box_substitute: smaller and focused tests are better than large ones', 'refactoring', 'Textualize/rich@23a3f9e6206de831c4caa51841d0af9b1427a106'),
    ('Reduce Cyclomatic Complexity in do_action function', 'refactoring', 'https://github.com/CentOS-PaaS-SIG/linchpin/issues/1543'),
    ('Reduce cyclomatic complexity of the remaining hotspots (tracking)', 'refactoring', 'https://github.com/trungdong/prov/issues/275'),
    ('Cleanup the blacklist plugin', 'fix:refactoring_specialist', 'PyCQA/bandit@9d02da04e225682116964bda2724a04014ba81f1'),
    ('Cleanup local subprocess file handlers', 'fix:refactoring_specialist', 'tox-dev/tox@e94c28ebdc3ea21dcee4a4d97f91d95955bdc4e3'),
    ('Clean up messaging interface', 'fix:refactoring_specialist', 'encode/uvicorn@3ecc6e958094783fc28e81720c92812dab84b1e3'),
    ('Fix cyclomatic complexity issues', 'fix:refactoring_specialist', 'https://github.com/johnthagen/stardust-rpg/issues/13'),
    ('improve annotations for methods returning copies', 'quality', 'pallets/jinja@ded9915fc5db23d1a45ad3b210def7b4a96dc287'),
    ('chore: improve type hints', 'quality', 'encode/starlette@2ff76532710cdc49d6f9b3e5067533aa481cecd0'),
    ('Add type hints to `test_responses.py`', 'quality', 'encode/starlette@ac7e6439846dd890d240def55ff17417037ded30'),
    ('Enforce `__future__.annotations`', 'quality', 'encode/starlette@bd77d7d9f07103ec57f21f991739c784b8a2cd22'),
    ('Remove `ignore_missing_imports` from mypy', 'quality', 'encode/starlette@0dcbe6a87afc1099ec3f944d5f0ffb96decf124a'),
    ('Properly annotate `uvicorn.run()`', 'quality', 'encode/uvicorn@09e1948e57db03501292b3b699db8c848bd8005e'),
    ('Add `PathLike[str]` type hint for `ssl_keyfile`', 'quality', 'encode/uvicorn@27d976a8f292dff057cb6221d93634a61b862a18'),
    ('Add more flake8 checks', 'quality', 'tox-dev/tox@726271deba8242e76ee4dcacc6cc12190696bf25'),
    ('fix mypy findings', 'fix:code_reviewer', 'pallets/jinja@6fcf46301132c7e8dcd50e4f1138af6c445c5b21'),
    ('fix flake8 bugbear error', 'fix:code_reviewer', 'pallets/jinja@090a5a9e22a7888da93ead324b33b255d106a0c2'),
    ("Fix use of 'is' operator for comparison", 'fix:code_reviewer', 'pallets/jinja@888dc8d81a03db1fcd76adc4b2e23f9beec39b5d'),
    ('Fix race conditions in FileSystemBytecodeCache', 'fix:code_reviewer', 'pallets/jinja@746bb95780c17687b27b6d1bf4df1216f0da972c'),
    ('Fix bug where set would sometimes fail within if', 'fix:code_reviewer', 'pallets/jinja@66587ce989e5a478e0bb165371fa2b9d42b7040f'),
    ('Prevent deadlock in LRUCache.setdefault', 'fix:code_reviewer', 'pallets/jinja@065b58fc745e303b104995b101151e56b673f984'),
    ('fix IndexError in TemplateResponse', 'fix:code_reviewer', 'encode/starlette@bcdf0ad017168408060b6faab156636ced4c94f7'),
    ('Fix url parsing of ipv6 urls on `URL.replace`', 'fix:code_reviewer', 'encode/starlette@94a22b865e7b9828fcc06771e25c9be33364b24b'),
    ('Fix Mypy errors in routing and testclient', 'fix:code_reviewer', 'encode/starlette@05d531483a37f1d4e023eece13dd801daba5e818'),
    ("Fix unclosed 'MemoryObjectReceiveStream' upon exception in 'BaseHTTPMiddleware' children", 'fix:code_reviewer', 'encode/starlette@5a10fba2990a10def60a4dbcdcf6f19b439b264a'),
    ('Fix md5_hexdigest wrapper on FIPS enabled systems', 'fix:code_reviewer', 'encode/starlette@7d79ad96d5aaee71f16ac9f4e41072e81d18ab86'),
    ('Fix incorrect type annotations in PythonPathPackageWithDeps', 'fix:code_reviewer', 'tox-dev/tox@660adb5ce9cbac73082231baa2b3a12494121b48'),
    ('Fix complex negative factor filters not working', 'fix:code_reviewer', 'tox-dev/tox@294159e7db8e17955009ccf4567f03a9796b46bc'),
    ('Fix watchgod deprecation warning', 'fix:code_reviewer', 'encode/uvicorn@016dee62e700be1ca05b2044e3d228a4c9d91bfc'),
    ('fix for infinite loop in split_graphemes', 'fix:code_reviewer', 'Textualize/rich@60b064a70a9db813e96955b7b344f61f62817f4c'),
    ('Fix deprecation warnings due to invalid escape sequences.', 'fix:code_reviewer', 'Textualize/rich@58b7224e93f1b63e21be9ee18eb0f399aba4ec4a'),
    ('Fix typing for FloatPrompt', 'fix:code_reviewer', 'Textualize/rich@50d2a457c8ea273c14a0053b00493473b86dbe21'),
    ('fix pyright findings', 'fix:code_reviewer', 'pallets/itsdangerous@c294b2fb47447d83be02470525c9c6292ce5fd74'),
    ('Fix mypy and pylint warnings', 'fix:code_reviewer', 'https://github.com/metagenopolis/meteor/pull/41'),
    ('drop end of life python versions', 'refused', 'pallets/jinja@0cc6ff9051d6fe527e0d386c775f032ed51032c0'),
    ('release version 3.1.6', 'refused', 'pallets/jinja@15206881c006c79667fe5154fe80c01c65410679'),
    ('set up pre-commit lite workflow', 'refused', 'pallets/jinja@eb0df049deac83610f2ff09026fd39554bd4072b'),
    ('Added official Python 3.12 support', 'refused', 'encode/starlette@844220819f1cfcf2726d1628dd4ea597182d6f3e'),
    ('Delete setup.py', 'refused', 'encode/starlette@fabceb844fc9a49fba52540a506976a86a4763ea'),
    ('Allow returning memoryview in StreamingResponse', 'refused', 'encode/starlette@9fd3eccef16a364f137de52d84cf48f4af573714'),
    ('Make UUID path parameter conversion more flexible', 'refused', 'encode/starlette@cba90a77fe1b5929ae99616af597665120704b7e'),
    ('create a cachedir.tag file in the tox work directory', 'refused', 'tox-dev/tox@26f93e52d1f096b64bd017acc5f4e433b46e6640'),
    ('Replace `setup.cfg` by `pyproject.toml`', 'refused', 'encode/uvicorn@877a4ca8c441598db795420636e651dc279e3688'),
    ('ci: timeout for test suite runs to 30 minutes', 'refused', 'encode/uvicorn@eba64efbc8748edf3c43f6ac76659170180c72f8'),
    ('Support disabling default Server and Date headers', 'refused', 'encode/uvicorn@df232496b24fe6f43d2e41efa0488e4ffd9a45ec'),
    ('Bump actions/checkout from 4 to 5', 'refused', 'encode/uvicorn@e6c7ce791fc634b6eedee40e0d0207faa8a9aefd'),
    ('Build Python 3.13 wheels (non free-threaded)', 'refused', 'pallets/markupsafe@43f7d1173ffd45caded5e618b529755482ea17fd'),
    ('build, provenance, publish workflow', 'refused', 'pallets/itsdangerous@a08f12ff18b0c4aea9490348b45ee3ca96d621e9'),
    ('set workflow permissions', 'refused', 'pallets/itsdangerous@49ca689daa3b80abd7ac84690baff724a6cbb56a'),
    ('Bump sigstore/cosign-installer from 4.1.0 to 4.1.1', 'refused', 'PyCQA/bandit@92080542688902ad1eb6af74cf16939fad767d29'),
    ('Add German translations', 'refused', 'https://github.com/anze3db/fedidevs/pull/109'),
    ('improve german localisation', 'refused', 'https://github.com/TheEnbyperor/zuegli/pull/68'),
]
