"""`empathy models` prints the one tier table: documented model ids and prices, and the docs' date."""

from __future__ import annotations

import json

from empathy_os.cli import main


def test_models_lists_the_documented_prices_and_the_docs_date(tmp_path, capsys, monkeypatch):
    for name in ("EMPATHY_MODEL_CHEAP", "EMPATHY_PRICE_CHEAP", "EMPATHY_MODEL_CAPABLE", "EMPATHY_PRICE_CAPABLE",
                 "EMPATHY_MODEL_PREMIUM", "EMPATHY_PRICE_PREMIUM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["models", "--project-root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "read 2026-12-07" in out and "override" not in out
    assert "claude-sonnet-5-5       2.00   10.00       2.500      0.200" in out
    assert "> 100,000 input         0.50    2.50       0.625      0.050" in out
    monkeypatch.setenv("EMPATHY_PRICE_PREMIUM", "5,25")
    assert main(["models", "--project-root", str(tmp_path), "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    premium = table["tiers"][2]
    assert (premium["model"], premium["input_price"], premium["documented"]) == ("claude-opus-5-5", 5.0, False)
    assert table["docs_date"] == "2026-12-07" and table["docs"]


def test_models_reports_a_bad_tier_table_in_one_line(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.empathy.tiers.CHEAP]\ninput_price = -1\n')
    assert main(["models", "--project-root", str(tmp_path)]) == 2
    assert "input_price" in capsys.readouterr().err
