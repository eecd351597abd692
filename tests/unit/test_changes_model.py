"""Model proposers against the local fake Messages API (real anthropic SDK over HTTP): tool-use replies,
prompt caching priced in, escalation only after a measured rejection, and only verified changes offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from empathy_os.changes.workflow import run_fix
from empathy_os.llm import DEFAULT_TIERS, ModelClient, Tier
from empathy_os.llm.tool_use import price

from tests.fakes import anthropic_rules as rules
from tests.unit.changes_helpers import copy_fixproj, edit


@pytest.fixture
def fixproj(tmp_path: Path) -> Path:
    return copy_fixproj(tmp_path)


def proposal(diff: str, n: int, cache_write: int = 0, cache_read: int = 0) -> dict:
    return {"tool_use": {"name": "propose_change", "input": {"explanation": f"attempt {n}", "diff": diff}},
            "input_tokens": 300 + n, "output_tokens": 80 + n,
            "cache_creation_input_tokens": cache_write, "cache_read_input_tokens": cache_read}


async def test_only_the_verified_fix_is_offered_and_each_rejection_feeds_the_next_prompt(fixproj, fake_anthropic):
    p = "calc/parse.py"
    replies = [
        edit(fixproj, p, "    except:\n        return None", "    except ValueError:\n        return 0"),  # breaks a test
        edit(fixproj, p, "        return None\n", "        return None  # not a number\n"),  # finding stays
        edit(fixproj, p, "    except:\n", "    except ValueError as exc:\n"),  # adds F841
        edit(fixproj, "calc/other.py", "2 * x", "x + x"),  # edits an unrelated file
        "--- a/calc/parse.py\n+++ b/calc/parse.py\n-    except:\n+    except ValueError:\n",  # malformed
        edit(fixproj, p, "    except:\n", "    except ValueError:\n"),  # correct
    ]
    fake_anthropic.script(*[proposal(d, i, cache_write=900 if i == 0 else 0, cache_read=0 if i == 0 else 900)
                            for i, d in enumerate(replies)])
    before = {f: f.read_bytes() for f in fixproj.rglob("*") if f.is_file()}
    report = await run_fix(fixproj, agents=["code_reviewer"], rules=["E722"], client=ModelClient(),
                           attempts_per_tier=2)

    assert [r.verdict.verified for r in report.results] == [True]
    offered = report.results[0]
    assert offered.change.diff == replies[-1] and offered.change.tier == "PREMIUM"
    reasons = [a.verdict.reasons for a in offered.attempts]
    assert len(reasons) == 5
    assert reasons[0][0].startswith("tests: ") and "test_to_int_rejects_words" in reasons[0][0]
    assert reasons[1][0].startswith("finding-gone: 0 of 1 claimed finding(s) gone; still reported: E722")
    assert reasons[2][0].startswith("no-new-findings: new: ruff F841")
    assert reasons[3][0].startswith("scope: edits calc/other.py, which it does not claim")
    assert reasons[4][0].startswith("the diff does not apply")
    requests = fake_anthropic.requests
    assert [r["model"] for r in requests] == [DEFAULT_TIERS[t].model for t in Tier for _ in range(2)]
    for i, req in enumerate(requests):
        prompt = req["messages"][0]["content"]
        assert "def to_int(text):" in prompt and ">>   11      except:" in prompt  # the model gets the code
        assert req["tool_choice"] == {"type": "auto"} and req["tools"][0]["strict"] is True
        assert req["tools"][0]["input_schema"]["required"] == ["explanation", "diff"]
        prefix = rules.count_request({"system": req["system"], "tools": req["tools"],
                                      "messages": [{"role": "user", "content": "."}]})
        assert req["system"][1].get("cache_control") == ({"type": "ephemeral"} if prefix >= 512 else None)
        assert req["system"][1]["text"] == requests[0]["system"][1]["text"]  # one cached context
        if i:
            assert reasons[i - 1][0][:60] in prompt  # the previous rejection's measured reason
            assert prompt.count("was rejected") == 1
    expected = sum(price(DEFAULT_TIERS[t], 300 + i, 80 + i, 900 if i == 0 else 0, 0 if i == 0 else 900)
                   for i, t in enumerate(t for t in Tier for _ in range(2)))
    assert report.cost_usd == pytest.approx(expected, abs=1e-12)
    assert report.to_json()["changes"][0]["cost_usd"] == pytest.approx(expected, abs=1e-6)
    assert {f: f.read_bytes() for f in fixproj.rglob("*") if f.is_file()} == before  # nothing written
    assert report.unresolved == []


async def test_security_false_positive_becomes_a_verified_nosec_with_the_reason(fixproj, fake_anthropic):
    fake_anthropic.script({"tool_use": {"name": "triage_finding", "input": {
        "verdict": "false_positive", "reason": "tool names come from our own constant list, never from users"}},
        "input_tokens": 500, "output_tokens": 40})
    report = await run_fix(fixproj, agents=["security_auditor"], rules=["B603"], client=ModelClient())
    [result] = report.results
    assert result.verdict.verified, result.verdict.reasons
    assert result.change.kind == "nosec"
    assert "+    return subprocess.check_output([tool, \"--version\"], text=True).strip()  # nosec B603 " \
           "# false positive: tool names come from our own constant list, never from users" in result.change.diff
    assert result.verdict.measurements()["ast-unchanged"]["passed"]
    prompt = fake_anthropic.requests[0]["messages"][0]["content"]
    assert "def version(tool):" in prompt
    assert fake_anthropic.requests[0]["tools"][0]["name"] == "triage_finding"
    assert fake_anthropic.requests[0]["tool_choice"] == {"type": "auto"} and fake_anthropic.rejected == []


async def test_docstring_in_the_project_style_is_verified(fixproj, fake_anthropic):
    fake_anthropic.script({"tool_use": {"name": "write_docstring", "input": {
        "docstring": "Return the first line ``tool --version`` prints."}}, "input_tokens": 200, "output_tokens": 20})
    report = await run_fix(fixproj, agents=["documentation_writer"], client=ModelClient())
    [result] = report.results
    assert result.verdict.verified, result.verdict.reasons
    assert '+    """Return the first line ``tool --version`` prints."""' in result.change.diff
    context = fake_anthropic.requests[0]["system"][1]["text"]
    assert "Parse ``text`` as an int; None if it is not one." in context  # the project's own docstrings


async def test_offline_model_only_findings_say_a_key_is_needed(fixproj, offline):
    report = await run_fix(fixproj, agents=["security_auditor", "code_reviewer"])
    assert report.results == []
    why = {f.rule: reason for f, reason in report.skipped}
    assert why["E722"] == "code_reviewer needs a model for this finding (set ANTHROPIC_API_KEY)"
    assert why["B603"].startswith("security_auditor needs a model")


async def test_max_cost_stops_before_a_call_that_could_exceed_it(fixproj, fake_anthropic):
    report = await run_fix(fixproj, agents=["code_reviewer"], rules=["E722"], client=ModelClient(),
                           max_cost=0.0001)
    assert fake_anthropic.requests == []
    assert report.cost_usd == 0
    assert any(n.startswith("max cost $0.0001 reached: CHEAP call for E722") for n in report.notes)
