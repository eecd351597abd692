"""Bad input to the daemon (issue 23 §6), written as raw bytes over stdio (tests/support/raw_lsp.py): a
broken frame costs one log line and never the requests after it; a document over `max_file_bytes` is not
kept or analysed, its edits stay cheap, and the server still exits when stdin closes. The timing of the
50 MB case is bench/big_document_bench.py's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.raw_lsp import RawServer, frame

SERVER = str(Path(__file__).resolve().parents[2] / "server")
HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
LIST_TEMPLATES = {"command": "empathy.server.listTemplates", "arguments": [{}]}
SHUTDOWN_LIKE = json.dumps({"jsonrpc": "2.0", "id": 99, "method": "workspace/executeCommand",
                            "params": LIST_TEMPLATES}).encode()

BAD_FRAMES = {
    "no Content-Length": (b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + SHUTDOWN_LIKE, "no Content-Length"),
    "bad Content-Length": (frame(body=SHUTDOWN_LIKE, header=b"Content-Length: abc\r\n\r\n"), "bad Content-Length"),
    "not a header": (frame(body=SHUTDOWN_LIKE, header=b"hello there\r\n\r\n"), "malformed header line"),
    "malformed JSON": (frame(body=b'{"jsonrpc": "2.0", "id": 5, "method": '), "JSONDecodeError"),
    "params of the wrong type": (frame({"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover",
                                        "params": {"textDocument": 3}}), "ClassValidationError"),
}


@pytest.mark.parametrize("case", BAD_FRAMES)
def test_a_bad_frame_is_one_log_line_and_the_next_request_is_answered(tmp_path, case):
    data, logged = BAD_FRAMES[case]
    server = RawServer(SERVER, tmp_path)
    server.initialize(tmp_path)
    server.write(data)
    server.send({"jsonrpc": "2.0", "id": "after", "method": "workspace/executeCommand", "params": LIST_TEMPLATES})
    answer = server.answer("after", 30)
    assert answer is not None and isinstance(answer.get("result"), list), f"no answer after {case}"
    if case == "params of the wrong type":  # a request: its sender gets the error, not silence
        [error] = [m for m in server.received if m.get("id") == 6]
        assert error["error"]["code"] == -32602
    assert 99 not in [m.get("id") for m in server.received]  # what was in the broken frame is not run
    assert server.close_stdin() is not None
    stderr = server.proc.stderr.read().decode()
    assert "Traceback" not in stderr
    [line] = [ln for ln in stderr.splitlines() if "unreadable message" in ln]
    assert logged in line


def test_a_document_over_max_file_bytes_is_not_kept_and_its_edits_stay_cheap(tmp_path):
    root = tmp_path / "big-document"
    shutil.copytree(HOSTILE / "big-document", root)
    rows = 4000
    text = "import subprocess\n" + "".join(f"VALUE_{i:07d} = subprocess.call('x', shell=True)\n" for i in range(rows))
    big = root / "big.py"
    big.write_text(text)
    assert len(text) > 100_000
    server = RawServer(SERVER, root)
    server.initialize(root)
    server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": big.as_uri(), "languageId": "python", "version": 1, "text": text}}})
    for n in range(300):
        server.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": big.as_uri(), "version": n + 2},
            "contentChanges": [{"range": {"start": {"line": 1 + n, "character": 0},
                                          "end": {"line": 1 + n, "character": 5}}, "text": "EDITED"}]}},
                    flush=False)
    server.send({"jsonrpc": "2.0", "id": "after", "method": "workspace/executeCommand", "params": LIST_TEMPLATES})
    assert server.answer("after", 60) is not None
    notes = [m["params"]["message"] for m in server.received if m.get("method") == "window/logMessage"
             and "max_file_bytes" in m["params"]["message"]]
    assert len(notes) == 1 and "over 20,000 bytes" in notes[0] and "its text is not kept" in notes[0]
    def published() -> list[list]:
        return [m["params"]["diagnostics"] for m in server.received
                if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == big.as_uri()]

    for _ in range(60):  # the open's analysis ends with a publish for the file
        if published():
            break
        server.answer("nothing", 1)
    assert published() and not any(published())  # not analysed: shell=True on every line is a bandit finding
    assert server.close_stdin() is not None
