"""Agent templates: reusable archetypes (role, capabilities, tier, tools) the orchestrator composes.

Templates are frozen pydantic models. The seven built-ins can be read but never replaced or mutated:
`register_template` (and item assignment on `AGENT_REGISTRY`, as the tutorial does) refuses a built-in id.
`tools` names the analyzers (see `empathy_os.analyzers`) an agent built from the template runs; a name with
no analyzer behind it is reported as "not available", never simulated.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from empathy_os.llm.tiers import Tier


class AgentCapability(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    required_context: tuple[str, ...] = ()
    output_schema: dict[str, str] = Field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


class ResourceRequirements(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_tokens: int = Field(default=4000, gt=0, description="input token budget of the model step")
    timeout_seconds: float = Field(default=300, gt=0, description="enforced per agent run")


class AgentTemplate(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    role: str = Field(min_length=1)
    capabilities: tuple[AgentCapability, ...] = ()
    tier_preference: Tier = Tier.CAPABLE
    tools: tuple[str, ...] = ()
    default_instructions: str = ""
    quality_gates: dict[str, float] = Field(default_factory=dict)
    resource_requirements: ResourceRequirements = Field(default_factory=ResourceRequirements)
    # Task signals (domains: security, testing, ...) this template is the specialist for, most important
    # first; the planner builds teams from these, so a registered custom template joins planning.
    serves: tuple[str, ...] = ()
    # Domains on which it gives a second opinion: the debate partner, refinement reviewer or teaching
    # expert the planner adds when a team of one specialist is too small for the strategy.
    reviews: tuple[str, ...] = ()

    @field_validator("capabilities", mode="before")
    @classmethod
    def _names_or_objects(cls, value: Any) -> Any:
        # The tutorial passes both plain names and AgentCapability objects.
        if isinstance(value, (str, AgentCapability)):
            value = [value]
        return [AgentCapability(name=v) if isinstance(v, str) else v for v in value]

    @field_validator("tier_preference", mode="before")
    @classmethod
    def _tier(cls, value: Any) -> Tier:
        return Tier.parse(value)

    @property
    def capability_names(self) -> list[str]:
        return [c.name for c in self.capabilities]

    def has_capability(self, name: str) -> bool:
        return name in self.capability_names


def _builtin(id: str, role: str, tier: Tier, caps: list[str], tools: list[str], instructions: str,
             timeout: float = 300, max_tokens: int = 4000, *, serves: tuple[str, ...],
             reviews: tuple[str, ...] = ()) -> AgentTemplate:
    return AgentTemplate(
        id=id, role=role, tier_preference=tier, capabilities=caps, tools=tools,
        default_instructions=instructions, serves=serves, reviews=reviews,
        resource_requirements=ResourceRequirements(max_tokens=max_tokens, timeout_seconds=timeout),
    )


BUILTIN_TEMPLATES: tuple[AgentTemplate, ...] = (
    _builtin("test_coverage_analyzer", "Test Coverage Expert", Tier.CAPABLE,
             ["analyze_gaps", "suggest_tests", "validate_coverage"], ["coverage"],
             "Judge the test coverage gaps: which untested code is riskiest and what to test first.", 600,
             serves=("testing", "release")),
    _builtin("security_auditor", "Security Auditor", Tier.PREMIUM,
             ["vulnerability_scan", "threat_modeling", "compliance_check"], ["bandit"],
             "Judge the security findings: which are exploitable, which are false positives, what to fix first.",
             serves=("security", "release")),
    _builtin("code_reviewer", "Code Quality Reviewer", Tier.CAPABLE,
             ["code_review", "quality_assessment", "best_practices_check"], ["ruff", "radon"],
             "Judge the code quality findings and complexity: what most hurts maintainability.",
             serves=("quality", "release"),
             reviews=("security", "testing", "documentation", "performance", "architecture", "refactoring")),
    _builtin("documentation_writer", "Documentation Writer", Tier.CHEAP,
             ["generate_docs", "check_completeness", "update_examples"], ["docstrings"],
             "Judge the documentation gaps: which public APIs most need docstrings.",
             serves=("documentation", "release")),
    _builtin("performance_optimizer", "Performance Optimizer", Tier.CAPABLE,
             ["profile_code", "identify_bottlenecks", "suggest_optimizations"], ["test_durations", "radon"],
             "Judge the hot spots: slow tests and complex functions likely to be bottlenecks.", 600,
             serves=("performance",)),
    _builtin("architecture_analyst", "Architecture Analyst", Tier.PREMIUM,
             ["analyze_architecture", "identify_patterns", "suggest_improvements"], ["import_graph"],
             "Judge the module structure: import cycles, layering, coupling.",
             serves=("architecture",), reviews=("security", "quality")),
    _builtin("refactoring_specialist", "Refactoring Specialist", Tier.CAPABLE,
             ["identify_code_smells", "suggest_refactorings", "validate_changes"], ["code_smells"],
             "Judge the code smells: which refactorings pay off most.",
             serves=("refactoring",), reviews=("quality",)),
)
BUILTIN_IDS = frozenset(t.id for t in BUILTIN_TEMPLATES)


class TemplateRegistry(MutableMapping[str, AgentTemplate]):
    """id → template. Built-ins are fixed; custom templates may be added, replaced and removed."""

    def __init__(self, builtins: tuple[AgentTemplate, ...]):
        self._items: dict[str, AgentTemplate] = {t.id: t for t in builtins}

    def __getitem__(self, key: str) -> AgentTemplate:
        return self._items[key]

    def __setitem__(self, key: str, value: AgentTemplate) -> None:
        if not isinstance(value, AgentTemplate):
            raise ValueError(f"AGENT_REGISTRY[{key!r}] must be an AgentTemplate, got {type(value).__name__}")  # noqa: TRY004
        if key != value.id:
            raise ValueError(f"registry key {key!r} does not match the template id {value.id!r}")
        if key in BUILTIN_IDS:
            raise ValueError(f"{key!r} is a built-in template and cannot be replaced; choose another id")
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        if key in BUILTIN_IDS:
            raise ValueError(f"{key!r} is a built-in template and cannot be removed")
        del self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


AGENT_REGISTRY = TemplateRegistry(BUILTIN_TEMPLATES)


def register_template(template: AgentTemplate) -> AgentTemplate:
    """Add (or replace) a custom template. Built-in ids are refused with a ValueError."""
    AGENT_REGISTRY[template.id] = template
    return template


def get_template(template_id: str) -> AgentTemplate:
    try:
        return AGENT_REGISTRY[template_id]
    except KeyError:
        known = ", ".join(sorted(AGENT_REGISTRY))
        raise ValueError(f"unknown agent template {template_id!r}; known templates: {known}") from None


def get_all_templates() -> list[AgentTemplate]:
    return list(AGENT_REGISTRY.values())


def specialists(domain: str) -> list[AgentTemplate]:
    """Templates that serve `domain`: those for whom it is the main signal first, then the senior tier."""
    found = [t for t in get_all_templates() if domain in t.serves]
    return sorted(found, key=lambda t: (t.serves.index(domain), -t.tier_preference.rank))


def second_opinions(team: list[AgentTemplate]) -> list[AgentTemplate]:
    """Templates (not in the team) that review what the team's first member serves, senior tier first."""
    if not team:
        return []
    ids = {t.id for t in team}
    found = [t for t in get_all_templates() if t.id not in ids and set(t.reviews) & set(team[0].serves)]
    return sorted(found, key=lambda t: -t.tier_preference.rank)
