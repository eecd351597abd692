"""Configuration store: compositions that ran, with their measured outcomes, in one TinyDB file.

Location, first match wins: `ConfigurationStore(path=...)`, `ConfigurationStore(project_root=...)` →
`<root>/.empathy/store.json`, the `EMPATHY_STORE` environment variable, and otherwise
`<current working directory>/.empathy/store.json`. Reading never creates the file.

Every change is a read-modify-write under the file's cross-process lock, on the freshly read file, so the
daemon, the CLI and a user's script may use one store at once without losing a run:
`store.record_outcome(id, success, quality_score)` adds one run to the stored record, and
`store.save(config)` writes the configuration's fields and *adds* the outcomes recorded on that object since
it was loaded (it never overwrites the stored counters with the object's older copy).

Ranking (`get_best_for_task`, `search`): Wilson lower bound of the success rate, then mean quality, then
run count, then recency (see `empathy_os.store.models.rank_key`).
"""

from __future__ import annotations

import contextlib
import copy
import heapq
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document

from empathy_os.store.models import QUALITY_MAX, AgentConfiguration, check_quality, rank_key
from empathy_os.store.storage import AtomicJSONStorage, StoreError, paused_gc

if TYPE_CHECKING:
    from empathy_os.store.pattern_library import PatternLibrary

__all__ = ["AgentConfiguration", "ConfigurationNotFound", "ConfigurationStore", "default_store_path"]

_log = logging.getLogger(__name__)
STORE_ENV = "EMPATHY_STORE"
TABLE = "configurations"


class ConfigurationNotFound(KeyError):
    """No configuration with that id in this store."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "configuration not found"


def default_store_path(project_root: str | os.PathLike[str] | None = None) -> Path:
    """`<project_root>/.empathy/store.json`; without a root, `$EMPATHY_STORE` or the cwd's `.empathy/`."""
    if project_root is not None:
        return Path(project_root) / ".empathy" / "store.json"
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    return Path.cwd() / ".empathy" / "store.json"


class _Index:
    """Lookup tables built once per file version (see `AtomicJSONStorage.snapshot`), so lookups never
    re-parse or re-scan the file."""

    def __init__(self, table: dict[str, dict[str, Any]]) -> None:
        self.by_id: dict[str, tuple[int, dict[str, Any]]] = {}
        self.by_pattern: dict[str, list[dict[str, Any]]] = {}
        for doc_id, doc in table.items():
            # Lookups read these fields straight from the documents; check them once per file version
            # (unrolled: this loop runs over every record after each change by another process).
            try:
                valid = (type(doc["id"]) is str and type(doc["task_pattern"]) is str
                         and doc["usage_count"] + doc["success_count"] + doc["quality_score_sum"]
                         + doc["quality_score_count"] >= 0)
            except (KeyError, TypeError):
                valid = False
            if not valid:
                raise ValueError(f"record {doc_id} ({doc.get('id')!r}) lacks an id, task_pattern or counters")
            self.by_id[doc["id"]] = (int(doc_id), doc)
            self.by_pattern.setdefault(doc["task_pattern"], []).append(doc)
        self.next_doc_id = max((pair[0] for pair in self.by_id.values()), default=0) + 1
        self._ranks: dict[str, tuple] = {}

    def rank(self, doc: dict[str, Any]) -> tuple:
        """`rank_key(doc)`, computed once per document version (a search over 10k docs sorts a lot)."""
        key = self._ranks.get(doc["id"])
        if key is None:
            key = self._ranks[doc["id"]] = rank_key(doc)
        return key

    def changed(self, config_id: str) -> None:
        self._ranks.pop(config_id, None)

    def add(self, doc_id: int, doc: dict[str, Any]) -> None:
        self.by_id[doc["id"]] = (doc_id, doc)
        self.by_pattern.setdefault(doc["task_pattern"], []).append(doc)
        self.next_doc_id = max(self.next_doc_id, doc_id + 1)

    def drop(self, config_id: str) -> None:
        self.changed(config_id)
        _, doc = self.by_id.pop(config_id)
        docs = self.by_pattern[doc["task_pattern"]]
        docs[:] = [d for d in docs if d is not doc]
        if not docs:
            del self.by_pattern[doc["task_pattern"]]


class ConfigurationStore:
    """Saved compositions for one workspace; see the module docstring for location and semantics."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 project_root: str | os.PathLike[str] | None = None,
                 pattern_library: PatternLibrary | None = None, lock_timeout: float = 30.0) -> None:
        self.path = Path(path) if path is not None else default_store_path(project_root)
        # Optional: when set, every save/record promotes, updates or demotes the configuration there.
        self.pattern_library = pattern_library
        self._db = TinyDB(self.path, storage=AtomicJSONStorage, kind="empathy.config_store",
                          lock_timeout=lock_timeout)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self._table = self._db.table(TABLE, cache_size=0)  # other processes write: no query cache
        self._index_id: str | None = None
        self._index_cache: _Index | None = None
        self.library_error: str | None = None  # why the last save/record could not update the library

    def __repr__(self) -> str:
        return f"ConfigurationStore({str(self.path)!r})"

    # -- reading ---------------------------------------------------------------------------------------

    def _index(self) -> _Index:
        write_id, data = self._storage.snapshot()
        if write_id is None or write_id != self._index_id or self._index_cache is None:
            try:
                with paused_gc():
                    index = _Index(data.get(TABLE, {}))
            except (KeyError, TypeError, ValueError) as exc:
                raise StoreError(f"store {self.path} has a malformed configuration record ({exc})") from None
            self._index_id, self._index_cache = write_id, index
        return self._index_cache  # type: ignore[return-value]

    def _model(self, doc: dict[str, Any]) -> AgentConfiguration:
        try:
            # Deep copy: the document belongs to the shared snapshot; the model must not alias it.
            return AgentConfiguration.model_validate(copy.deepcopy(doc))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise StoreError(f"store {self.path}: record {doc.get('id')!r} is invalid "
                             f"({where}: {first['msg']})") from None

    def get(self, config_id: str) -> AgentConfiguration | None:
        found = self._index().by_id.get(config_id)
        return self._model(found[1]) if found else None

    def __contains__(self, config_id: object) -> bool:
        return isinstance(config_id, str) and config_id in self._index().by_id

    def __len__(self) -> int:
        return len(self._index().by_id)

    def __iter__(self) -> Iterator[AgentConfiguration]:
        return iter(self.list())

    def list(self, task_pattern: str | None = None) -> list[AgentConfiguration]:
        """All configurations (or one pattern's), grouped by task pattern, best first within each."""
        index = self._index()
        docs = index.by_pattern.get(task_pattern, []) if task_pattern else [d for _, d in index.by_id.values()]
        docs = sorted(docs, key=index.rank, reverse=True)
        docs.sort(key=lambda doc: doc["task_pattern"])
        return [self._model(doc) for doc in docs]

    def get_best_for_task(self, task_pattern: str) -> AgentConfiguration | None:
        """The best-ranked configuration for `task_pattern`, or None when there is none."""
        index = self._index()
        docs = index.by_pattern.get(task_pattern)
        return self._model(max(docs, key=index.rank)) if docs else None

    def search(self, task_pattern: str | None = None, min_success_rate: float = 0.0,
               min_quality_score: float = 0.0, limit: int | None = None,
               strategy: str | None = None) -> list[AgentConfiguration]:
        """Configurations meeting every filter, best-ranked first.

        `min_success_rate` is a fraction (0-1); `min_quality_score` is on the 0-100 scale and compares the
        mean recorded score; `limit=None` returns all matches.
        """
        if not 0.0 <= min_success_rate <= 1.0:
            raise ValueError(f"min_success_rate {min_success_rate!r} must be a fraction between 0 and 1")
        check_quality(min_quality_score, scale=QUALITY_MAX)  # a filter: any 0-100 threshold is fine
        if limit is not None and limit < 0:
            raise ValueError(f"limit {limit!r} must be positive")
        index = self._index()
        docs = index.by_pattern.get(task_pattern, []) if task_pattern else [d for _, d in index.by_id.values()]
        wanted_strategy = strategy.lower() if strategy else None
        matches = []
        for doc in docs:
            runs, q_count = doc["usage_count"], doc["quality_score_count"]
            if min_success_rate > 0 and (not runs or doc["success_count"] / runs < min_success_rate):
                continue
            if min_quality_score > 0 and (not q_count or doc["quality_score_sum"] / q_count < min_quality_score):
                continue
            if wanted_strategy and doc["strategy"] != wanted_strategy:
                continue
            matches.append(doc)
        if limit is None:
            matches.sort(key=index.rank, reverse=True)
        else:
            matches = heapq.nlargest(limit, matches, key=index.rank)
        return [self._model(doc) for doc in matches]

    # -- writing ---------------------------------------------------------------------------------------

    def save(self, config: AgentConfiguration) -> str:
        """Insert or update `config`; outcomes recorded on it since its last load/save are added to the
        stored counters. Refreshes `config`'s counters from the store and returns its id."""
        with self._writing() as index:
            found = index.by_id.get(config.id)
            doc = config.to_document()
            if found is not None:
                stored = found[1]
                pending = config.pending
                doc.update(
                    usage_count=stored["usage_count"] + int(pending[0]),
                    success_count=stored["success_count"] + int(pending[1]),
                    quality_score_sum=stored["quality_score_sum"] + float(pending[2]),
                    quality_score_count=stored["quality_score_count"] + int(pending[3]),
                    created_at=stored["created_at"],
                    last_used=max(filter(None, [doc["last_used"], stored.get("last_used")]), default=None),
                )
            self._put(index, found, doc)
        saved = self._model(doc)
        config.mark_saved()
        for field in ("usage_count", "success_count", "quality_score_sum", "quality_score_count",
                      "created_at", "last_used"):
            setattr(config, field, getattr(saved, field))
        self._sync_library(saved)
        return config.id

    def record_outcome(self, config_id: str, success: bool, quality_score: float | None = None, *,
                       default: AgentConfiguration | None = None,
                       scale: float | None = None) -> AgentConfiguration:
        """Add one run to the stored record atomically and return the updated configuration.

        With `default`, a missing id is first stored from it (find-or-create in the same locked step).
        Raises `ConfigurationNotFound` when the id is unknown and no default is given.
        """
        score = check_quality(quality_score, scale)
        with self._writing() as index:
            found = index.by_id.get(config_id)
            if found is None:
                if default is None:
                    raise ConfigurationNotFound(f"no configuration {config_id!r} in {self.path}")
                config = default.model_copy(deep=True)
                config.id = config_id
            else:
                config = self._model(found[1])
            config.record_outcome(success, score, scale=QUALITY_MAX)
            self._put(index, found, config.to_document())
        config.mark_saved()
        self._sync_library(config)
        return config

    def delete(self, config_id: str) -> bool:
        """Remove a configuration; False when it was not there."""
        with self._writing() as index:
            found = index.by_id.get(config_id)
            if found is None:
                return False
            self._table.remove(doc_ids=[found[0]])
            self._adopt(index, lambda: index.drop(config_id))
        return True

    @contextlib.contextmanager
    def _writing(self) -> Iterator[_Index]:
        """Hold the lock for a whole read-modify-write on the current file; on failure forget every
        cached view (TinyDB may already have changed documents in the snapshot, see storage.read)."""
        with self._storage.lock():
            try:
                yield self._index()
            except BaseException:
                self._storage.invalidate()
                self._index_id = self._index_cache = None
                raise

    def _put(self, index: _Index, found: tuple[int, dict[str, Any]] | None, doc: dict[str, Any]) -> None:
        if found is None:
            doc_id = index.next_doc_id
            self._table.insert(Document(doc, doc_id=doc_id))
            self._adopt(index, lambda: index.add(doc_id, self._stored(doc_id)))
        else:
            old_pattern = found[1]["task_pattern"]
            self._table.update(doc, doc_ids=[found[0]])  # changes the indexed document in place
            if doc["task_pattern"] == old_pattern:
                self._adopt(index, lambda: index.changed(doc["id"]))

    def _stored(self, doc_id: int) -> dict[str, Any]:
        return self._storage.snapshot()[1][TABLE][str(doc_id)]

    def _adopt(self, index: _Index, patch) -> None:
        """After our own write, move the index to the new file version instead of rebuilding it."""
        # Only an index built from the storage's cached snapshot shares its documents with what was
        # just written; one built from an uncached parse (a file not written by us) is rebuilt instead.
        if self._index_cache is index and self._index_id is not None:
            patch()
            self._index_id = self._storage.snapshot()[0]

    def _sync_library(self, config: AgentConfiguration) -> None:
        """Promote/update/demote in the pattern library. The store write already succeeded, so a library
        that cannot be used (corrupt, newer schema, locked) does not fail the call: it is logged and kept in
        `library_error` for the caller to report."""
        self.library_error = None
        if self.pattern_library is None:
            return
        try:
            self.pattern_library.sync(config)
        except StoreError as exc:
            self.library_error = str(exc)
            _log.warning("pattern library not updated: %s", exc)

    def close(self) -> None:
        self._db.close()
