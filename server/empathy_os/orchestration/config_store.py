"""The tutorial's import path for the configuration store.

The implementation lives in `empathy_os.store.configurations` so the CLI, the daemon and worker processes
can use the store without importing the whole orchestration package.
"""

from empathy_os.store.configurations import (
    STORE_ENV,
    AgentConfiguration,
    ConfigurationNotFound,
    ConfigurationStore,
    default_store_path,
)

__all__ = ["STORE_ENV", "AgentConfiguration", "ConfigurationNotFound", "ConfigurationStore", "default_store_path"]
