"""Command ids, defined once on the Python side.

Server command ids (`empathy.server.*`) must differ from the extension's palette ids: vscode-languageclient
registers every server command itself and a clash fails activation. The TypeScript twin is
`vscode-extension/src/protocol.ts`; `tests/unit/test_command_ids.py` checks both against package.json.
"""

# workspace/executeCommand ids served by the daemon
RELEASE_PREP = "empathy.server.releasePrep"
TEST_COVERAGE_BOOST = "empathy.server.testCoverageBoost"
COMPOSE_TEAM = "empathy.server.composeTeam"
LIST_TEMPLATES = "empathy.server.listTemplates"
STORE_BEST = "empathy.server.storeBest"
GENERATE_TESTS_FOR = "empathy.server.generateTestsFor"  # the "Generate tests for `name`" code action
EXPLAIN_FINDING = "empathy.server.explainFinding"  # the "Explain…" code action on a bandit finding
FIX = "empathy.server.fix"  # verified changes for findings (the "Fix `RULE` (verified)" code actions)
VERIFY = "empathy.server.verify"  # verify a patch in a private copy
COVERAGE = "empathy.server.coverage"  # per-file coverage of the last (live) measurement
RELEASE_FIX = "empathy.server.releaseFix"  # the release-fix plan's change set as one WorkspaceEdit

SERVER_COMMANDS = (
    RELEASE_PREP,
    TEST_COVERAGE_BOOST,
    COMPOSE_TEAM,
    LIST_TEMPLATES,
    STORE_BEST,
    GENERATE_TESTS_FOR,
    EXPLAIN_FINDING,
    FIX,
    VERIFY,
    COVERAGE,
    RELEASE_FIX,
)

# custom notification carrying the release-prep summary (for the extension's status item)
REPORT_NOTIFICATION = "empathy/report"
# custom notification after each coverage measurement (release prep, or affected tests re-run on save)
COVERAGE_NOTIFICATION = "empathy/coverage"

# palette commands contributed by the extension (package.json "contributes.commands")
PALETTE_COMMANDS = (
    "empathy.prepareRelease",
    "empathy.boostCoverage",
    "empathy.composeTeam",
    "empathy.showLearned",
    "empathy.setApiKey",
    "empathy.restartServer",
    "empathy.showReport",
    "empathy.showLogs",
    "empathy.fixFindings",
    "empathy.makeReleaseReady",
)
