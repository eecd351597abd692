"""Issue 23 §6: the daemon under a huge open document. A real `python -m empathy_os lsp` process over stdio
(raw JSON-RPC frames, the way an editor writes them) opens a ~50 MB Python module (over the default
`max_file_bytes` of 1 MB), receives N one-line incremental edits back to back, then one request
(`empathy.server.listTemplates`); then stdin is closed.

Printed: edits, seconds from the last edit written to the request's answer (or none within `--timeout`
of the first edit), the server's RSS (psutil)
after `initialized`, after the open and after the edits, and seconds from closing stdin to the process's
exit. `--pythonpath DIR` runs another checkout's server (e.g. the old code: a `git archive` of an earlier
main), for the before/after table; a run that gets no answer within `--timeout` says so.

    .venv/bin/python bench/big_document_bench.py [--mb 50] [--edits 2000] [--pythonpath server]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.raw_lsp import RawServer

LIST_TEMPLATES = {"command": "empathy.server.listTemplates", "arguments": [{}]}


def rss_mb(server: RawServer) -> float:
    return psutil.Process(server.proc.pid).memory_info().rss / 2**20


def write_edits(server: RawServer, uri: str, rows: int, edits: int) -> None:
    try:
        _write_edits(server, uri, rows, edits)
    except (BrokenPipeError, ValueError):
        pass  # the server was killed after the timeout


def _write_edits(server: RawServer, uri: str, rows: int, edits: int) -> None:
    for n in range(edits):
        row = (n * 7919) % rows
        server.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": n + 2},
            "contentChanges": [{"range": {"start": {"line": row, "character": 0},
                                          "end": {"line": row, "character": 13}},
                                "text": f"EDITED_{n % 10_000:06d}"}]}}, flush=False)
    server.send({"jsonrpc": "2.0", "id": "last", "method": "workspace/executeCommand", "params": LIST_TEMPLATES})
    server.last_sent = time.monotonic()


def run(pythonpath: str, megabytes: int, edits: int, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="empathy-bigdoc-") as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text('[project]\nname = "big"\nversion = "0"\n')
        line = "VALUE_%07d = %d  # a generated table row\n"
        rows = megabytes * 2**20 // len(line % (0, 0))
        text = "".join(line % (i, i) for i in range(rows))
        big = root / "big.py"
        big.write_text(text)
        server = RawServer(pythonpath, root, stderr=subprocess.DEVNULL)
        server.initialize(root)
        time.sleep(1.0)
        rss = [rss_mb(server)]
        server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": big.as_uri(), "languageId": "python", "version": 1, "text": text}}}, flush=False)
        del text
        server.send({"jsonrpc": "2.0", "id": "open", "method": "workspace/executeCommand", "params": LIST_TEMPLATES})
        server.answer("open", timeout)
        rss.append(rss_mb(server))
        # Written from a thread: an old server that reads the edits slowly fills the pipe, and the
        # writer then blocks; the clock for the answer still runs.
        writer = threading.Thread(target=write_edits, args=(server, big.as_uri(), rows, edits), daemon=True)
        started = time.monotonic()
        writer.start()
        answered = server.answer("last", timeout) is not None
        writer.join(timeout=0.1)
        seconds = time.monotonic() - (server.last_sent or started)
        rss.append(rss_mb(server))
        if writer.is_alive():  # the server is still reading the edits: closing stdin would wait for it
            server.proc.kill()
            server.proc.wait()
            writer.join()
            exit_s = None
            exit_note = "not measured: edits still unread, killed"
        else:
            exit_s = server.close_stdin()
            exit_note = "no exit in 30 s"
        return {"edits": edits, "mb": big.stat().st_size / 2**20, "rss": rss,
                "answer": f"{seconds:.2f}" if answered else f"none in {timeout:g} s after the edits began",
                "exit": f"{exit_s:.2f}" if exit_s is not None else exit_note}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--pythonpath", default=str(REPO / "server"))
    args = parser.parse_args()
    r = run(args.pythonpath, args.mb, args.edits, args.timeout)
    print(f"server: {args.pythonpath}; document {r['mb']:.1f} MB (over max_file_bytes 1,000,000)")
    print("| edits | s to answer after the last edit | RSS MB: initialized | after open | after edits "
          "| s to exit after stdin closed |")
    print("|---|---|---|---|---|---|")
    print(f"| {r['edits']} | {r['answer']} | {r['rss'][0]:.0f} | {r['rss'][1]:.0f} | {r['rss'][2]:.0f} "
          f"| {r['exit']} |")


if __name__ == "__main__":
    main()
