"""Files over `[tool.empathy] max_file_bytes` are skipped by per-file analysis, left out of the coverage
figure, and the report says so (issue 10, item 9). A 5 MB generated file took release prep 14 min and
3.5 GB on a loaded 2-CPU machine before; with the limit 31 s and 89 MB (see the final report)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.unit.analyzer_helpers import write_project

EMPATHY = [sys.executable, "-m", "empathy_os"]
GENERATED = "import os\n" + "".join(f"def g{i}(x):\n    return eval(x) + {i}\n" for i in range(200))


def test_oversized_sources_are_skipped_and_reported(tmp_path):
    root = write_project(tmp_path / "p", {
        "pyproject.toml": "[tool.empathy]\nmax_file_bytes = 4000\n",
        "pkg/__init__.py": '"""Pkg."""\n\n\ndef f():\n    """F."""\n    return 1\n',
        "pkg/generated.py": GENERATED,  # ~7 KB: unused import, 200 eval calls, no docstrings
        "tests/test_pkg.py": "from pkg import f\n\n\ndef test_f():\n    assert f() == 1\n",
    })
    assert (root / "pkg" / "generated.py").stat().st_size > 4000
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    proc = subprocess.run([*EMPATHY, "orchestrate", "release-prep", "--project-root", str(root), "--json"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    report = json.loads(proc.stdout)
    assert not [f for f in report["findings"] if f["path"] == "pkg/generated.py"]
    assert report["metrics"]["coverage_percent"] == 100.0  # pkg/__init__.py only
    assert report["metrics"]["doc_coverage_percent"] == 100.0
    note = next(n for n in report["notes"] if "max_file_bytes" in n)
    assert "pkg/generated.py" in note and "4,000 bytes" in note
