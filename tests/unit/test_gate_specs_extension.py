"""Gates are declared once (empathy_os.gate_specs); the extension's settings must agree with that table,
as command ids must agree with command_ids.py (test_command_ids.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from empathy_os.gate_specs import GATE_SPECS
from empathy_os.gates import DEFAULT_GATES, evaluate
from pydantic.alias_generators import to_camel

EXT = Path(__file__).resolve().parents[2] / "vscode-extension"


def _contributed() -> dict[str, dict]:
    props = json.loads((EXT / "package.json").read_text())["contributes"]["configuration"]["properties"]
    return {k.removeprefix("empathy.gates."): v for k, v in props.items() if k.startswith("empathy.gates.")}


def _ts(number: float) -> str:
    return f"{int(number):_}" if number == int(number) else f"{number:g}"


def _gate(spec) -> str:
    return f'gate: {{ metric: "{spec.metric}", label: "{spec.label}", unit: "{spec.unit}" }}'


def _setting_line(spec) -> str:
    return (f'{{ key: "gates.{to_camel(spec.name)}", fallback: {_ts(spec.default)}, min: {_ts(spec.low)}, '
            f'max: {_ts(min(spec.high, 1_000_000))}' + (", integer: true, " if spec.whole else ", ") + _gate(spec) + " },")


def _property(spec) -> str:
    return (f'"empathy.gates.{to_camel(spec.name)}": {{"type": "{"integer" if spec.whole else "number"}", '
            f'"default": {spec.default:g}, "minimum": {spec.low:g}, "maximum": ..., '
            f'"markdownDescription": "Release gate: {spec.label} ..."}}')


def test_package_json_contributes_exactly_the_gates_of_the_table():
    contributed = _contributed()
    missing = [_property(g) for g in GATE_SPECS if to_camel(g.name) not in contributed]
    assert not missing, "add to vscode-extension/package.json contributes.configuration.properties:\n" + "\n".join(
        missing)
    extra = set(contributed) - {to_camel(g.name) for g in GATE_SPECS}
    assert not extra, f"empathy.gates.* settings with no row in empathy_os/gate_specs.py: {sorted(extra)}"
    for spec in GATE_SPECS:
        setting = contributed[to_camel(spec.name)]
        assert setting["default"] == spec.default and setting["minimum"] == spec.low, spec.name
        assert setting["maximum"] <= spec.high and setting["type"] == ("integer" if spec.whole else "number")
        assert setting["markdownDescription"].startswith("Release gate: ")


def test_settings_ts_reads_every_gate_with_the_tables_default():
    source = (EXT / "src" / "settings.ts").read_text()
    read = {k: float(v.replace("_", "")) for k, v in re.findall(r'key: "gates\.(\w+)", fallback: ([\d_.]+)', source)}
    missing = [_setting_line(g) for g in GATE_SPECS if read.get(to_camel(g.name)) != g.default]
    assert not missing, "add (or correct) in NUMBER_SETTINGS of vscode-extension/src/settings.ts:\n" + "\n".join(
        missing)
    assert set(read) == {to_camel(g.name) for g in GATE_SPECS}


def test_settings_ts_names_each_gates_metric_label_and_unit_for_the_report():
    # report.ts lists the Metrics from these lines: what each shows is the table's metric, label and unit.
    source = (EXT / "src" / "settings.ts").read_text()
    shown = dict(re.findall(r'key: "gates\.(\w+)",[^\n]*?(gate: \{[^}]*\})', source))
    wrong = [_setting_line(g) for g in GATE_SPECS if shown.get(to_camel(g.name)) != _gate(g)]
    assert not wrong, "correct in NUMBER_SETTINGS of vscode-extension/src/settings.ts:\n" + "\n".join(wrong)


def test_one_evaluator_gives_one_row_per_gate_in_table_order():
    metrics = {"coverage_percent": 81.0, "quality_score": 6.9, "critical_issues": 1, "doc_coverage_percent": 100.0}
    rows = evaluate(DEFAULT_GATES, metrics, {})
    assert [r.name for r in rows] == [g.name for g in GATE_SPECS]
    assert [r.passed for r in rows[:4]] == [True, False, False, True]  # the first four rows of the table
    assert [r.critical for r in rows] == [g.critical for g in GATE_SPECS]
    assert rows[2].message == "Security: 1 critical issue(s) (allowed: 0)"
    assert rows[1].message == "Code quality: 6.9/10 (< target 7/10)"
