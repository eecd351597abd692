"""The tutorial's public API: `from empathy_os.orchestration import MetaOrchestrator, get_template, ...`."""

from empathy_os.orchestration.agent_templates import (
    AGENT_REGISTRY,
    AgentCapability,
    AgentTemplate,
    ResourceRequirements,
    get_all_templates,
    get_template,
    register_template,
)
from empathy_os.orchestration.execution_strategies import StrategyName, StrategyResult, get_strategy
from empathy_os.orchestration.intent import OutOfScopeError
from empathy_os.orchestration.meta_orchestrator import ExecutionPlan, MetaOrchestrator
from empathy_os.orchestration.runtime import AgentResult

__all__ = [
    "AGENT_REGISTRY", "AgentCapability", "AgentResult", "AgentTemplate", "ExecutionPlan", "MetaOrchestrator",
    "OutOfScopeError", "ResourceRequirements", "StrategyName", "StrategyResult", "get_all_templates", "get_strategy",
    "get_template", "register_template",
]
