"""Pattern library: proven compositions shared across projects, in one TinyDB file per user.

A configuration is *promoted* when it has run at least `MIN_USAGE` (3) times with a success rate of at
least `MIN_SUCCESS_RATE` (0.70); later contributions of the same id *update* its entry (counters, gates,
agents); when its rate falls below the threshold it is *demoted* (removed). Entries are keyed by
configuration id; the last project to report an id sets its numbers.

Location, first match wins: `PatternLibrary(path=...)`, the `EMPATHY_PATTERN_LIBRARY` environment variable,
`<user data folder>/pattern_library.json` (platformdirs, e.g. `~/.local/share/empathy/` on Linux).
The file shares the store's guarantees (atomic replace, cross-process lock, schema version).
"""

from __future__ import annotations

import copy
import os
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document

from empathy_os.store.models import AgentConfiguration, rank_key
from empathy_os.store.storage import AtomicJSONStorage, StoreError

__all__ = ["MIN_SUCCESS_RATE", "MIN_USAGE", "PatternLibrary", "is_proven"]

LIBRARY_ENV = "EMPATHY_PATTERN_LIBRARY"
TABLE = "compositions"
MIN_USAGE = 3
MIN_SUCCESS_RATE = 0.70


def is_proven(config: AgentConfiguration) -> bool:
    """The promotion rule: usage_count ≥ 3 and success_rate ≥ 0.70."""
    return config.usage_count >= MIN_USAGE and config.success_rate >= MIN_SUCCESS_RATE


def default_library_path() -> Path:
    if os.environ.get(LIBRARY_ENV):
        return Path(os.environ[LIBRARY_ENV])
    return platformdirs.user_data_path("empathy", appauthor=False) / "pattern_library.json"


class PatternLibrary:
    """Cross-project library of proven compositions (see module docstring)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, lock_timeout: float = 30.0) -> None:
        self.path = Path(path) if path is not None else default_library_path()
        self._db = TinyDB(self.path, storage=AtomicJSONStorage, kind="empathy.pattern_library",
                          lock_timeout=lock_timeout)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self._table = self._db.table(TABLE, cache_size=0)

    def __repr__(self) -> str:
        return f"PatternLibrary({str(self.path)!r})"

    def _docs(self) -> dict[str, tuple[int, dict]]:
        _, data = self._storage.snapshot()
        return {doc["id"]: (int(doc_id), doc) for doc_id, doc in data.get(TABLE, {}).items()}

    def _model(self, doc: dict) -> AgentConfiguration:
        try:
            return AgentConfiguration.model_validate(copy.deepcopy(doc))
        except ValidationError as exc:
            raise StoreError(f"pattern library {self.path}: entry {doc.get('id')!r} is invalid "
                             f"({exc.errors()[0]['msg']})") from None

    # -- contributions ---------------------------------------------------------------------------------

    def contribute_successful_composition(self, config: AgentConfiguration) -> bool:
        """Promote or update `config` when it meets the rule; demote it otherwise. True when it is in."""
        return self.sync(config)

    def sync(self, config: AgentConfiguration) -> bool:
        """Bring the library in line with `config`'s current numbers; True when it is (now) promoted."""
        proven = is_proven(config)
        if not proven and config.id not in self:
            return False  # nothing to demote: no lock, and no user data folder created for it
        with self._storage.lock():
            docs = self._docs()
            found = docs.get(config.id)
            if not proven:
                if found is not None:
                    self._table.remove(doc_ids=[found[0]])
                return False
            now = datetime.now(UTC).isoformat()
            doc = config.to_document()
            doc["updated_at"] = now
            doc["promoted_at"] = found[1].get("promoted_at", now) if found else now
            if found is None:
                next_id = max((pair[0] for pair in docs.values()), default=0) + 1
                self._table.insert(Document(doc, doc_id=next_id))
            else:
                self._table.update(doc, doc_ids=[found[0]])
        return True

    # -- queries ---------------------------------------------------------------------------------------

    def get(self, config_id: str) -> AgentConfiguration | None:
        found = self._docs().get(config_id)
        return self._model(found[1]) if found else None

    def __contains__(self, config_id: object) -> bool:
        return isinstance(config_id, str) and config_id in self._docs()

    def __len__(self) -> int:
        return len(self._docs())

    def list(self, task_pattern: str | None = None) -> list[AgentConfiguration]:
        docs = [doc for _, doc in self._docs().values()
                if task_pattern is None or doc["task_pattern"] == task_pattern]
        return [self._model(doc) for doc in sorted(docs, key=rank_key, reverse=True)]

    def find_best(self, task_pattern: str) -> AgentConfiguration | None:
        """Best-ranked proven composition for `task_pattern` (same ranking as the store), or None."""
        docs = [doc for _, doc in self._docs().values() if doc["task_pattern"] == task_pattern]
        return self._model(max(docs, key=rank_key)) if docs else None

    def close(self) -> None:
        self._db.close()
