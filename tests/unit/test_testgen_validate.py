"""Stage 3 on its own: each verdict comes from real isolated pytest runs on a copy of the sample."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest
from empathy_os.testgen.candidates import Candidate, Reason, Verdict
from empathy_os.testgen.gaps import Gap, rank, side_effects
from empathy_os.testgen.model_gen import extract_code
from empathy_os.testgen.output import GeneratedTestFile, merge, write_files
from empathy_os.testgen.validate import test_path_for, validate

TAX = Gap(path="inventory/pricing.py", module="inventory.pricing", symbol="tax_amount", line=27, end_line=30,
          missing={28, 29, 30})
GOOD = """from inventory.pricing import tax_amount


def test_tax():
    assert tax_amount(10.0) == 2.0
"""


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


async def check(root: Path, source: str, already: set[int] | None = None) -> Verdict:
    return await validate(root, __import__("sys").executable, Candidate(TAX, "test", source),
                          "tests/test_pricing_generated.py", already or set(), set())


async def test_good_candidate_is_kept_with_its_new_lines(sample_project):
    before = digest(sample_project)
    verdict = await check(sample_project, GOOD)
    assert verdict.reason is Reason.KEPT, verdict.detail
    assert verdict.new_lines == {28, 30}  # line 29 (the raise) is not reached
    assert digest(sample_project) == before  # validation ran in a copy


async def test_already_covered_lines_are_no_gain(sample_project):
    verdict = await check(sample_project, GOOD, already={28, 30})
    assert verdict.reason is Reason.NO_GAIN and "still missing lines: [29]" in verdict.detail


async def test_failing_candidate_is_rejected_with_its_output(sample_project):
    verdict = await check(sample_project, GOOD.replace("== 2.0", "== 3.0"))
    assert verdict.reason is Reason.FAILED and "assert 2.0 == 3.0" in verdict.detail


async def test_flaky_candidate_is_rejected(sample_project):
    flaky = GOOD + "\n\nRUNS = []\n\n\ndef test_second_run_fails():\n    RUNS.append(1)\n    assert len(RUNS) != 2\n"
    verdict = await check(sample_project, flaky)
    assert verdict.reason is Reason.FLAKY and "test_second_run_fails" in verdict.detail


@pytest.mark.parametrize("write", [
    "Path('written.txt').write_text('x')",  # the working folder is the project copy
    "(Path(__file__).parent / 'junk.py').write_text('x')",
    "(Path.home() / '.config-junk').write_text('x')",
])
async def test_writes_outside_tmp_are_rejected(sample_project, write):
    source = "from pathlib import Path\n" + GOOD + f"\n\ndef test_writes():\n    {write}\n"
    verdict = await check(sample_project, source)
    assert verdict.reason is Reason.WRITES, verdict.detail


async def test_writes_under_tmp_path_are_fine(sample_project):
    source = GOOD + "\n\ndef test_tmp(tmp_path):\n    (tmp_path / 'x.txt').write_text('ok')\n"
    assert (await check(sample_project, source)).reason is Reason.KEPT


async def test_api_key_never_reaches_project_code(sample_project, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-secret-do-not-leak")
    source = GOOD + "\n\ndef test_env():\n    import os\n    assert not os.environ.get('ANTHROPIC_API_KEY')\n"
    assert (await check(sample_project, source)).reason is Reason.KEPT


@pytest.mark.parametrize("source, reason", [
    ("def test_x(:\n", Reason.SYNTAX),
    ("X = 1\n", Reason.NO_TESTS),
    ("import inventory.nope\n\n\ndef test_x():\n    pass\n", Reason.FAILED),
])
async def test_broken_candidates(sample_project, source, reason):
    assert (await check(sample_project, source)).reason is reason


def test_numbered_sibling_never_reuses_a_name(tmp_path):
    (tmp_path / "tests").mkdir()
    assert test_path_for(tmp_path, "tests", "inventory.pricing", set()) == "tests/test_pricing_generated.py"
    (tmp_path / "tests" / "test_pricing_generated.py").write_text("")
    assert test_path_for(tmp_path, "tests", "inventory.pricing", set()) == "tests/test_pricing_generated_2.py"
    taken = {"tests/test_pricing_generated_2.py"}
    assert test_path_for(tmp_path, "tests", "a.pricing", taken) == "tests/test_pricing_generated_3.py"


def test_write_files_never_overwrites(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("mine")
    with pytest.raises(FileExistsError):
        write_files(tmp_path, [GeneratedTestFile("tests/test_a.py", "theirs")])
    assert (tmp_path / "tests" / "test_a.py").read_text() == "mine"
    with pytest.raises(ValueError, match="outside"):
        write_files(tmp_path, [GeneratedTestFile("../escape.py", "x")])


def test_merge_dedupes_imports_and_renames_clashes():
    one = Verdict(Candidate(TAX, "ghostwriter", "import pytest\nimport a\n\n\ndef test_x():\n    pass\n"),
                  Reason.KEPT, new_lines={28})
    two = Verdict(Candidate(TAX, "model", "from __future__ import annotations\nimport pytest\n\n\n"
                            "def test_x():\n    assert True\n", tier="CHEAP", model="m"), Reason.KEPT,
                  new_lines={29})
    text = merge([one, two])
    tree = ast.parse(text)
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert names == ["test_x", "test_x_2"]
    assert text.count("import pytest") == 1
    first_code = next(n for n in tree.body)
    assert isinstance(first_code, ast.ImportFrom) and first_code.module == "__future__"
    assert "model m (CHEAP)" in text and f"test_x: fuzz; newly covers {TAX.path} lines 28" in text


def test_extract_code():
    assert extract_code("text\n```python\nimport x\n```\nmore") == "import x\n"
    assert extract_code("def test_a():\n    pass") == "def test_a():\n    pass\n"
    assert extract_code("I cannot help with that.") is None


@pytest.mark.parametrize("body, effect", [
    ("subprocess.call('ls', shell=True)", "subprocess"),
    ("os.remove(p)", "os.remove"),
    ("Path(p).write_text('x')", "write_text"),
    ("open(p, 'w')", "open"),
    ("os.path.join(p, 'x')", None),
    ("items.remove(p)", None),
    ("text.replace('a', 'b')", None),
])
def test_side_effect_detection(body, effect):
    fn = ast.parse(f"def f(p, items, text):\n    return {body}\n").body[0]
    found = side_effects(fn)
    assert (found is None) if effect is None else (effect in found)


def test_rank_public_first_then_complexity_then_missed_lines():
    def g(symbol, cc, missing):
        return Gap("m.py", "m", symbol, 1, 2, set(range(missing)), complexity=cc)

    ranked = rank([g("_private", 9, 9), g("simple", 1, 5), g("branchy", 4, 1), g("simple_more", 1, 8)])
    assert [x.symbol for x in ranked] == ["branchy", "simple_more", "simple", "_private"]
