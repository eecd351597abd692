"""Model access: the tier → model → price table and the anthropic client wrapper."""

from empathy_os.llm.client import ModelClient, ModelError, ModelReply
from empathy_os.llm.tiers import DEFAULT_TIERS, Tier, TierSpec, load_tier_table

__all__ = ["DEFAULT_TIERS", "ModelClient", "ModelError", "ModelReply", "Tier", "TierSpec", "load_tier_table"]
