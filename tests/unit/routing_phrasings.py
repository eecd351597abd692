"""Everyday phrasings of tasks and the specialist domain each should reach (written for this test set, kept
out of the planner's lexicon: the lexicon lists vocabulary per domain, not these sentences)."""

PHRASINGS: list[tuple[str, str]] = [
    # security, often without the word "security"
    ("Can someone break into our login page?", "security"),
    ("Check whether user input can end up in a SQL query", "security"),
    ("Are we leaking API tokens anywhere in the code?", "security"),
    ("Make sure passwords are hashed properly", "security"),
    ("Look for injection risks in the shell helpers", "security"),
    ("Is it safe to unpickle data we get from clients?", "security"),
    ("Audit the authentication flow", "security"),
    ("Find hardcoded secrets", "security"),
    # performance: memory, CPU, latency
    ("Why does this script eat so much memory?", "performance"),
    ("The import job pegs the CPU at 100%", "performance"),
    ("Find the hot spots in the report generator", "performance"),
    ("Requests take five seconds, make them faster", "performance"),
    ("Profile the nightly batch", "performance"),
    ("We have a memory leak in the worker", "performance"),
    ("Reduce the latency of the search endpoint", "performance"),
    # testing
    ("Which functions have no tests at all?", "testing"),
    ("Boost test coverage to 90%", "testing"),
    ("Write unit tests for the pricing module", "testing"),
    ("Our test suite misses the error paths", "testing"),
    ("How much of the code is covered?", "testing"),
    ("Some tests are flaky, find out which", "testing"),
    # documentation beyond docstrings
    ("Write a README for the inventory package", "documentation"),
    ("Explain the public API in the docs", "documentation"),
    ("Add usage examples to the user guide", "documentation"),
    ("Which public functions lack docstrings?", "documentation"),
    ("Update the changelog and the tutorial", "documentation"),
    ("Comment the tricky parts of the parser", "documentation"),
    # architecture: imports, services, layering
    ("Are there circular imports between our modules?", "architecture"),
    ("Map the dependencies between the services", "architecture"),
    ("Does the storage layer depend on the web layer?", "architecture"),
    ("How tightly coupled are the packages?", "architecture"),
    ("Sketch the overall design of the system", "architecture"),
    ("Should we split the monolith into services?", "architecture"),
    # refactoring
    ("Clean up the messy order handling code", "refactoring"),
    ("Remove the duplicated validation logic", "refactoring"),
    ("This function is 300 lines long, break it up", "refactoring"),
    ("Pay down technical debt in the billing module", "refactoring"),
    ("Find code smells in the importer", "refactoring"),
    ("Simplify the configuration loader", "refactoring"),
    # review / quality
    ("Review my pull request", "quality"),
    ("Is this code readable and idiomatic?", "quality"),
    ("Give feedback on the style of the new module", "quality"),
    ("Lint the project and tell me what matters", "quality"),
    ("How maintainable is this codebase?", "quality"),
    # release: shipping, deploying
    ("Are we ready to ship version 2.0?", "release"),
    ("Get this ready to deploy on Friday", "release"),
    ("Can we go live tomorrow?", "release"),
    ("Prepare for production release", "release"),
    ("Publish the package to PyPI", "release"),
    ("Cut a new release", "release"),
]
