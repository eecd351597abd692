"""Durable, multi-process storage for configurations and the pattern library (TinyDB + our Storage)."""

from empathy_os.store.models import AgentConfiguration, rank_key, wilson_lower_bound
from empathy_os.store.storage import (
    SCHEMA_VERSION,
    AtomicJSONStorage,
    SchemaVersionError,
    StoreCorruptError,
    StoreError,
    StoreLockTimeout,
)

__all__ = [
    "SCHEMA_VERSION",
    "AgentConfiguration",
    "AtomicJSONStorage",
    "SchemaVersionError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockTimeout",
    "rank_key",
    "wilson_lower_bound",
]
