"""The validation verdicts the end-to-end tests never reached: a hang, and a test that never imports its target."""

from __future__ import annotations

import sys

from empathy_os.testgen.candidates import Candidate, Reason
from empathy_os.testgen.gaps import Gap
from empathy_os.testgen.validate import validate

TAX = Gap(path="inventory/pricing.py", module="inventory.pricing", symbol="tax_amount", line=27, end_line=30,
          missing={28, 29, 30})


async def verdict_of(root, source, timeout=120):
    return await validate(root, sys.executable, Candidate(TAX, "test", source), "tests/test_pricing_generated.py",
                          set(), set(), timeout=timeout)


async def test_a_hanging_candidate_times_out(sample_project):
    verdict = await verdict_of(sample_project, "import time\n\n\ndef test_hang():\n    time.sleep(60)\n", timeout=4)
    assert verdict.reason is Reason.TIMEOUT and not verdict.kept


async def test_a_passing_test_that_never_imports_the_target_is_no_gain(sample_project):
    verdict = await verdict_of(sample_project, "def test_nothing():\n    assert 1 + 1 == 2\n")
    assert verdict.reason is Reason.NO_GAIN and not verdict.kept
    # The lines still missing are named: the next model round is fed this detail.
    assert verdict.detail == "ran no line of inventory/pricing.py in its tests; still missing lines: [28, 29, 30]"


async def test_a_candidate_that_kills_the_test_runner_failed(sample_project):
    verdict = await verdict_of(sample_project, "import os\n\n\ndef test_exit():\n    os._exit(3)\n")
    assert verdict.reason is Reason.FAILED and not verdict.kept
    assert verdict.detail.startswith("the test runner did not finish")
