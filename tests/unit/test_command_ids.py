"""The command ids agree across the three places that name them: the Python side
(`empathy_os.lsp.command_ids`), the extension's TS module (`vscode-extension/src/protocol.ts`) and the
extension manifest (`vscode-extension/package.json`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from empathy_os.lsp import command_ids

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_TS = ROOT / "vscode-extension" / "src" / "protocol.ts"
MANIFEST = ROOT / "vscode-extension" / "package.json"


def _ts_object(name: str) -> dict[str, str]:
    """The `key: "value"` pairs of `export const NAME = { ... } as const;` in protocol.ts."""
    text = PROTOCOL_TS.read_text(encoding="utf-8")
    match = re.search(rf"export const {name} = \{{(?P<body>.*?)\}} as const;", text, re.DOTALL)
    assert match, f"{name} not found in {PROTOCOL_TS}"
    pairs = dict(re.findall(r'^\s*(\w+):\s*"([^"]+)",?\s*$', match["body"], re.MULTILINE))
    # Every non-blank line of the object must be a pair, so nothing is silently skipped by the regex.
    lines = [ln for ln in match["body"].splitlines() if ln.strip() and not ln.strip().startswith("//")]
    assert len(pairs) == len(lines), f"unparsed lines in {name}: {lines}"
    return pairs


def _ts_constant(name: str) -> str:
    match = re.search(rf'export const {name} = "([^"]+)";', PROTOCOL_TS.read_text(encoding="utf-8"))
    assert match, f"{name} not found in {PROTOCOL_TS}"
    return match[1]


def _manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_server_ids_match_python() -> None:
    ts = _ts_object("SERVER_COMMANDS")
    assert sorted(ts.values()) == sorted(command_ids.SERVER_COMMANDS)
    assert len(set(ts.values())) == len(ts)


def test_palette_ids_match_python() -> None:
    ts = _ts_object("PALETTE_COMMANDS")
    assert sorted(ts.values()) == sorted(command_ids.PALETTE_COMMANDS)
    assert len(set(ts.values())) == len(ts)


def test_report_notification_matches() -> None:
    assert _ts_constant("REPORT_NOTIFICATION") == command_ids.REPORT_NOTIFICATION
    assert _ts_constant("COVERAGE_NOTIFICATION") == command_ids.COVERAGE_NOTIFICATION


def test_palette_commands_are_contributed_with_titles() -> None:
    contributed = {c["command"]: c for c in _manifest()["contributes"]["commands"]}
    assert set(contributed) == set(command_ids.PALETTE_COMMANDS)
    for command in contributed.values():
        assert command["title"].strip() and command.get("category") == "Empathy"


def test_server_commands_are_not_contributed_and_never_clash() -> None:
    # vscode-languageclient registers each server command itself; a contributed or equal id would clash.
    manifest = _manifest()
    contributed = {c["command"] for c in manifest["contributes"]["commands"]}
    assert not contributed & set(command_ids.SERVER_COMMANDS)
    assert not set(command_ids.PALETTE_COMMANDS) & set(command_ids.SERVER_COMMANDS)
    assert all(c.startswith("empathy.server.") for c in command_ids.SERVER_COMMANDS)
    assert not any(c.startswith("empathy.server.") for c in command_ids.PALETTE_COMMANDS)
    menus = json.dumps(manifest["contributes"].get("menus", {}))
    assert not any(c in menus for c in command_ids.SERVER_COMMANDS)


def test_activation_covers_python_projects() -> None:
    events = _manifest()["activationEvents"]
    assert "onLanguage:python" in events
    assert "workspaceContains:**/*.py" in events
