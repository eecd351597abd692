"""Model access: the tier → model → price table, the anthropic client wrapper, the run's budget."""

from empathy_os.llm.budgeted import (
    Budget,
    OverBudget,
    budgeted_complete,
    budgeted_tool_call,
    validate_max_cost,
)
from empathy_os.llm.client import ModelClient, ModelError, ModelReply
from empathy_os.llm.tiers import DEFAULT_TIERS, Tier, TierSpec, load_tier_table

__all__ = ["DEFAULT_TIERS", "Budget", "ModelClient", "ModelError", "ModelReply", "OverBudget", "Tier", "TierSpec", "budgeted_complete", "budgeted_tool_call", "load_tier_table", "validate_max_cost"]
