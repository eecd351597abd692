"""Typed command arguments: malformed input is a JSON-RPC error and the server stays up."""

from __future__ import annotations

import pytest
from empathy_os.lsp import command_ids as ids
from pygls.exceptions import JsonRpcException

INVALID_PARAMS = -32602


@pytest.mark.parametrize(("command", "arguments", "fragment"), [
    (ids.COMPOSE_TEAM, [], "Expected 1 arguments"),
    (ids.COMPOSE_TEAM, [{}], "task: Field required"),
    (ids.COMPOSE_TEAM, [{"task": {"nested": 1}}], "task: Input should be a valid string"),
    (ids.COMPOSE_TEAM, ["just a string"], "expected one JSON object"),
    (ids.TEST_COVERAGE_BOOST, [{"target": "lots"}], "target"),
    (ids.TEST_COVERAGE_BOOST, [{"target": 150}], "less than or equal to 100"),
    (ids.RELEASE_PREP, [{"root": "/definitely/not/here"}], "not a folder"),
    # Valid arguments, but the use case's request refuses them (app/requests.py), before any work starts.
    (ids.RELEASE_PREP, [{"gates": {"minCoverge": 90}}], "gates: unknown quality gate 'min_coverge'"),
    (ids.GENERATE_TESTS_FOR, [{"uri": "file:///nope.py"}], "symbol: Field required"),
    (ids.STORE_BEST, [{"taskPattern": ""}], "at least 1 character"),
    (ids.LIST_TEMPLATES, [{}, {}], "Expected 1 arguments"),
])
async def test_malformed_arguments_are_a_jsonrpc_error(start_server, sample, command, arguments, fragment):
    session = await start_server(sample)
    with pytest.raises(JsonRpcException) as err:
        await session.execute(command, *arguments)
    assert err.value.code == INVALID_PARAMS
    assert fragment in str(err.value)
    # still alive and answering
    assert await session.execute(ids.LIST_TEMPLATES)


async def test_compose_team_and_templates(start_server, sample):
    session = await start_server(sample)
    plan = await session.execute(ids.COMPOSE_TEAM, {"task": "Prepare for production release"})
    assert plan["agents"] and plan["strategy"]
    assert "rationale" in plan
    templates = await session.execute(ids.LIST_TEMPLATES, {})
    assert all("id" in t and "tier_preference" in t for t in templates)


async def test_store_best_without_a_store_does_not_create_one(start_server, sample):
    session = await start_server(sample)
    result = await session.execute(ids.STORE_BEST, {"taskPattern": "release_preparation"})
    assert result["found"] is False
    assert not (sample / ".empathy" / "store.json").exists()


async def test_store_best_reads_the_workspace_store(start_server, sample):
    from empathy_os.store import AgentConfiguration
    from empathy_os.store.configurations import ConfigurationStore

    store = ConfigurationStore(path=sample / ".empathy" / "store.json")
    config = AgentConfiguration(id="rp-1", task_pattern="release_preparation",
                                agents=[{"role": "security_auditor", "tier": "PREMIUM"}],
                                strategy="parallel", quality_gates={"min_coverage": 80})
    store.save(config)
    session = await start_server(sample)
    result = await session.execute(ids.STORE_BEST, {"taskPattern": "release_preparation"})
    assert result["found"] is True and result["configuration"]["id"] == "rp-1"


async def test_corrupt_store_is_a_one_line_request_failed(start_server, sample):
    store = sample / ".empathy" / "store.json"
    store.parent.mkdir()
    store.write_text("{ this is not json")
    session = await start_server(sample)
    with pytest.raises(JsonRpcException) as err:
        await session.execute(ids.STORE_BEST, {"taskPattern": "release_preparation"})
    assert err.value.code == -32803  # RequestFailed
    assert "Traceback" not in str(err.value) and str(store) in str(err.value)
    assert store.read_text() == "{ this is not json", "nothing stored is lost or rewritten"
