"""The tutorial's import path `from empathy_os.orchestration.config_store import ConfigurationStore` (public
API only).

The implementation is `empathy_os.store.configurations` (the CLI, the daemon and worker processes use the
store without importing the orchestration package); nothing inside Empathy imports this module.
"""

from empathy_os.store.configurations import (
    STORE_ENV,
    AgentConfiguration,
    ConfigurationNotFound,
    ConfigurationStore,
    default_store_path,
)

__all__ = ["STORE_ENV", "AgentConfiguration", "ConfigurationNotFound", "ConfigurationStore", "default_store_path"]
