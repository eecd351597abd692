"""The editor's per-file bandit run (in process) reports exactly what the bandit command reports."""

from __future__ import annotations

from empathy_os.analyzers import load_project
from empathy_os.analyzers.bandit import analyze


async def test_in_process_scan_equals_the_bandit_command(sample_project):
    broken = sample_project / "inventory" / "broken.py"
    broken.write_text("import pickle\ndef f(:\n")
    ctx = load_project(sample_project)
    ctx.use_cache = False
    whole = await analyze(ctx)  # the `bandit` process over every source file
    for name in ("storage.py", "broken.py", "pricing.py"):
        path = sample_project / "inventory" / name
        ctx.only_files = [path]
        one = await analyze(ctx)  # in process
        expected = [f for f in whole.findings if f.path == f"inventory/{name}"]
        assert [f.model_dump() for f in one.findings] == [f.model_dump() for f in expected]
    ctx.only_files = [broken]
    assert "broken.py" in (await analyze(ctx)).error
    ctx.only_files = [sample_project / "inventory" / "storage.py"]
    assert {f.rule for f in (await analyze(ctx)).findings} == {"B324", "B301", "B602", "B403", "B404"}


async def test_a_per_file_run_keeps_the_project_bandit_config(tmp_path):
    # In process, bandit would not read the project's config: a project with one runs the bandit command.
    root = tmp_path / "p"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.bandit]\nskips = ["B404"]\n')
    (root / "pkg" / "__init__.py").write_text("import subprocess\nimport pickle\n")
    ctx = load_project(root)
    ctx.use_cache = False
    ctx.only_files = [root / "pkg" / "__init__.py"]
    result = await analyze(ctx)
    assert result.ran and {f.rule for f in result.findings} == {"B403"}
