"""The tutorial's custom template runs with a registered analyzer; required_context is checked."""

from __future__ import annotations

import pytest
from empathy_os.analyzers.contract import REGISTRY, AnalyzerResult, ProjectContext, register
from empathy_os.orchestration.agent_templates import (
    AGENT_REGISTRY,
    AgentCapability,
    AgentTemplate,
    ResourceRequirements,
)
from empathy_os.orchestration.execution_strategies import SequentialStrategy

API_OPTIMIZER = AgentTemplate(  # the tutorial's block, as written there
    id="api_optimizer",
    role="API Performance Optimizer",
    capabilities=[
        AgentCapability(name="profile_api", description="Profile API endpoint performance",
                        required_context=["endpoint_url"],
                        output_schema={"response_time": "float", "bottlenecks": "list"}),
        AgentCapability(name="optimize_queries", description="Optimize database queries",
                        required_context=["db_connection"],
                        output_schema={"queries_optimized": "int", "improvement": "float"}),
    ],
    tier_preference="CAPABLE",
    resource_requirements=ResourceRequirements(max_tokens=8000, timeout_seconds=600),
    tools=["profiler", "query_analyzer", "cache_optimizer"],
    quality_gates={"min_improvement": 20.0},
)


@pytest.fixture
def profiler():
    @register("profiler")
    async def profile(ctx: ProjectContext) -> AnalyzerResult:
        files = sorted(ctx.root.rglob("*.py"))  # a real (if small) measurement: source files found
        return AnalyzerResult(analyzer="profiler", tool="test-profiler 1.0", ran=True,
                              metrics={"files_profiled": len(files), "improvement": 25.0}, score=8.0)

    AGENT_REGISTRY[API_OPTIMIZER.id] = API_OPTIMIZER
    yield profile
    REGISTRY.pop("profiler", None)
    del AGENT_REGISTRY[API_OPTIMIZER.id]


async def test_the_custom_template_runs_its_registered_analyzer(sample_project, offline, profiler):
    context = {"project_path": str(sample_project), "endpoint_url": "http://localhost:8000/items",
               "db_connection": "sqlite:///:memory:"}
    result = await SequentialStrategy().execute(["api_optimizer"], context)
    out = result.outputs[0]
    assert out.success and out.metric("files_profiled") == len(list(sample_project.rglob("*.py")))
    not_run = out.output["not_measured"]
    assert set(not_run) == {"query_analyzer", "cache_optimizer"} and "unknown analyzer" in not_run["query_analyzer"]


async def test_missing_required_context_is_named_before_anything_runs(sample_project, offline, profiler):
    with pytest.raises(ValueError, match=r"api_optimizer\.profile_api: endpoint_url.*db_connection"):
        await SequentialStrategy().execute(["api_optimizer"], {"project_path": str(sample_project)})
