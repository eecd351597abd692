"""A TinyDB `Storage` that several processes can share safely.

TinyDB itself promises no thread or process safety, so this module supplies it:

* every write goes to a temporary file in the same folder, is fsync'ed and then moved over the store with
  `os.replace`, so a reader (or a crash) only ever sees the old or the new file, never half of one;
* writes happen under a cross-process `filelock` (`<file>.lock`); callers that read-modify-write hold the
  same (re-entrant) lock around the whole operation via `storage.lock`;
* each write stamps a random `write_id` at the very start of the file. Because files are only ever
  replaced, never edited in place, the first bytes of an open file identify its whole content: a reader
  re-parses only when the stamp (or the file's inode/size/mtime, for hand edits) changed. Inode/mtime/size
  alone are not enough: inodes are reused and mtimes are coarse, so two writes within a few ms can look
  identical;
* the file carries a schema version in a `_meta` table; a newer version than this code knows is readable
  but never written;
* a corrupt or truncated file raises `StoreCorruptError` naming the file, after a copy of the damaged bytes
  was kept beside it (`<file>.corrupt-<hash>`) -- only when the store is a regular file, not a symlink;
  the damaged file itself is left untouched and nothing is written over it;
* a workspace store (a file in a `.empathy/` folder) and its lock must resolve, through any symlink, into
  the folder holding `.empathy/` (the project): otherwise it is refused (`StoreError`), never read,
  copied or written.

The on-disk layout stays TinyDB's (`{table: {doc_id: document}}`), compact JSON, `_meta` first.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

import filelock
from tinydb.storages import Storage

from empathy_os.confine import OutsideRoot, confined

try:  # orjson parses ~1.3x and serialises ~10x faster than json on a 4 MB store (bench/store_bench.py)
    import orjson

    def _dumps(data: Any) -> bytes:
        return orjson.dumps(data)

    _loads = orjson.loads
    _DecodeError: tuple[type[Exception], ...] = (orjson.JSONDecodeError, UnicodeDecodeError)
except ImportError:  # pragma: no cover - orjson is a declared dependency; stdlib keeps us working anyway
    import json

    def _dumps(data: Any) -> bytes:
        return json.dumps(data, separators=(",", ":")).encode()

    _loads = json.loads
    _DecodeError = (json.JSONDecodeError, UnicodeDecodeError)

SCHEMA_VERSION = 1
META_TABLE = "_meta"
LOCK_TIMEOUT_S = 30.0
_PREFIX_BYTES = 512
_WRITE_ID_RE = re.compile(rb'"write_id":"([0-9a-f]{32})"')


class StoreError(Exception):
    """A store file that cannot be used; the message is one line and names the file."""


class StoreCorruptError(StoreError):
    """The file is not valid store JSON. A copy was kept beside it; nothing was written over it."""

    def __init__(self, path: Path, reason: str, backup: Path | None) -> None:
        kept = f"a copy was kept at {backup}" if backup else "the file was left as it is"
        super().__init__(f"store {path} is corrupt ({reason}); {kept}; repair or remove it to continue")
        self.path = path
        self.backup = backup


class SchemaVersionError(StoreError):
    """The file was written by a newer version of Empathy: we refuse to write it."""


class StoreLockTimeout(StoreError):
    """Another process held the store's lock for too long."""


class AtomicJSONStorage(Storage):
    """TinyDB storage: atomic replace, cross-process lock, change detection, schema version.

    `kind` names what the file holds (e.g. "empathy.config_store"); it is written into `_meta` so a
    pattern library is never mistaken for a workspace store.
    """

    def __init__(self, path: str | os.PathLike[str], *, kind: str = "empathy.store",
                 lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        super().__init__()
        self.path = Path(path)
        self.kind = kind
        self._lock = filelock.FileLock(str(self.path) + ".lock", timeout=lock_timeout)
        self._cache_id: str | None = None
        self._cache: dict[str, Any] | None = None
        self._check_confined()

    def _check_confined(self) -> None:
        """A store in a `.empathy/` folder belongs to the project holding that folder: refuse one whose file,
        folder or lock a symlink leads out of it (reading it would copy outside data in; writing, write out)."""
        if self.path.parent.name != ".empathy":
            return  # a store the user named (`--store`, $EMPATHY_STORE): where they chose
        project = self.path.parent.parent
        try:
            for path in (self.path, Path(self._lock.lock_file)):
                confined(project, path)
        except OutsideRoot as exc:
            raise StoreError(f"store {self.path} resolves to {exc.resolved}, outside the project {exc.root}; "
                             "refusing to use it (remove the link to continue)") from None

    # -- locking ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self):
        """Hold the cross-process lock (re-entrant within a thread) for a whole read-modify-write."""
        self._check_confined()  # again: a link may have appeared since the store was opened
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._lock:
                yield
        except filelock.Timeout as exc:
            raise StoreLockTimeout(f"store {self.path} is locked by another process ({exc})") from None

    # -- reading ---------------------------------------------------------------------------------------

    def snapshot(self) -> tuple[str | None, dict[str, Any]]:
        """The current content as `(version, data)`; `data` is shared: callers must not mutate it.

        `version` (write id + inode, size, mtime) changes whenever the file does; it is None when the file
        does not exist or was not written by us (then it is re-parsed on every call).
        """
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None, {}
        except IsADirectoryError:
            raise StoreError(f"store {self.path} is a directory, not a file") from None
        except OSError as exc:
            raise StoreError(f"store {self.path} cannot be read ({exc.strerror})") from None
        try:
            with os.fdopen(fd, "rb") as handle:
                head = handle.read(_PREFIX_BYTES)
                match = _WRITE_ID_RE.search(head)
                # The write id catches changes that inode/size/mtime miss (inode reuse, coarse mtimes);
                # the stat part catches a hand edit that kept the write id.
                version = _version(match.group(1).decode(), os.fstat(handle.fileno())) if match else None
                if version is not None and version == self._cache_id and self._cache is not None:
                    return version, self._cache
                raw = head + handle.read()
        except IsADirectoryError:
            raise StoreError(f"store {self.path} is a directory, not a file") from None
        with paused_gc():
            data = self._parse(raw)
        if version is not None:
            self._cache_id, self._cache = version, data
        return version, data

    def _parse(self, raw: bytes) -> dict[str, Any]:
        try:
            data = _loads(raw) if raw.strip() else None
            reason = _shape_problem(data) if raw.strip() else "empty file"
        except _DecodeError as exc:
            data, reason = None, f"not valid JSON: {str(exc).splitlines()[0]}"
        if reason:
            raise StoreCorruptError(self.path, reason, self._keep_backup(raw))
        kind = data.get(META_TABLE, {}).get("1", {}).get("kind", self.kind)
        if kind != self.kind:  # e.g. `--store` pointed at the pattern library: refuse to mix them up
            raise StoreError(f"{self.path} holds {kind!r} data, not {self.kind!r}")
        return data

    def _keep_backup(self, raw: bytes) -> Path | None:
        # Only a regular file is copied: through a symlink, `raw` may be any file of the user's (a key, a
        # document) that has no business being duplicated into a store folder.
        if not stat.S_ISREG(os.lstat(self.path).st_mode):
            return None
        # Named by content hash: repeated reads of the same damaged file keep one copy, not hundreds.
        backup = self.path.with_name(f"{self.path.name}.corrupt-{hashlib.sha256(raw).hexdigest()[:12]}")
        if backup.exists():
            return backup
        try:
            self._write_file(backup, raw)
        except OSError:
            return None
        return backup

    def read(self) -> dict[str, Any] | None:
        """TinyDB's read. Only the outer dicts are copied: copying 10,000 documents per write costs more
        than the write itself. TinyDB's `update` changes the chosen documents *in place*, i.e. in this
        snapshot, before `write` makes it durable; so writers must hold `lock()` around the whole
        read-modify-write, and any failure drops the snapshot (`invalidate`) so nothing unwritten is seen.
        """
        _, data = self.snapshot()
        if not data:
            return None
        return {name: dict(table) for name, table in data.items()}

    def invalidate(self) -> None:
        """Forget the cached snapshot; the next read parses the file again."""
        self._cache_id = self._cache = None

    # -- writing ---------------------------------------------------------------------------------------

    def write(self, data: dict[str, Any]) -> None:
        with self.lock():
            try:
                self._write_locked(data)
            except BaseException:
                self.invalidate()
                raise

    def _write_locked(self, data: dict[str, Any]) -> None:
        _, current = self.snapshot()  # raises on a corrupt file: never write over it
        found = _schema_of(current)
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"store {self.path} has schema version {found}, newer than this Empathy supports "
                f"({SCHEMA_VERSION}); refusing to write it (upgrade Empathy)")
        write_id = secrets.token_hex(16)
        meta = {"schema_version": SCHEMA_VERSION, "kind": self.kind, "write_id": write_id}
        out: dict[str, Any] = {META_TABLE: {"1": meta}}
        out.update((name, table) for name, table in data.items() if name != META_TABLE)
        self._remove_stale_temps()
        self._write_file(self.path, _dumps(out))
        self._cache_id, self._cache = _version(write_id, os.stat(self.path)), out

    def _write_file(self, target: Path, payload: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            try:  # mkstemp makes 0600 files; keep the mode the user gave the store, or a normal one
                mode = os.stat(target).st_mode & 0o777
            except OSError:
                mode = 0o644
            with contextlib.suppress(AttributeError, OSError):  # no fchmod on some platforms
                os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)

    def _remove_stale_temps(self) -> None:
        # Only writers create temp files and they all hold the lock, so any temp file seen now was left
        # by a writer that was killed mid-write.
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def close(self) -> None:
        self._cache_id = self._cache = None


@contextlib.contextmanager
def paused_gc():
    """Bulk-building ~100k containers triggers the cyclic GC over and over (it cost 35 of 55 ms CPU for a
    10k-configuration parse); none of them form cycles, so it is paused for the build."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _version(write_id: str, st: os.stat_result) -> str:
    return f"{write_id}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _schema_of(data: dict[str, Any]) -> int:
    meta = data.get(META_TABLE, {}).get("1", {}) if data else {}
    version = meta.get("schema_version", SCHEMA_VERSION)
    return version if isinstance(version, int) else SCHEMA_VERSION


def _shape_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return f"top level is a {type(data).__name__}, expected an object of tables"
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(doc, dict) for doc in table.values()):
            return f"table {name!r} is not an object of documents"
    version = data.get(META_TABLE, {}).get("1", {}).get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        return f"schema_version {version!r} is not an integer"
    return None


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, harmless to skip there.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

