"""`empathy compose TASK`: show the team, strategy, estimate and rationale the orchestrator picks (and
optionally run it)."""

from __future__ import annotations

import argparse
import sys

from empathy_os.cli import common


def register(subparsers) -> None:
    p = subparsers.add_parser("compose", help="compose an agent team for a task (and optionally run it)")
    p.add_argument("task", help='what you want done, e.g. "Prepare for production release"')
    common.add_project_options(p, untrusted="with --run: tests and coverage are skipped, static tools only",
                        json_of="plan (and with --run the result)")
    p.add_argument("--domain", action="append", help="domain hint (repeatable): security, testing, ...")
    p.add_argument("--capability", action="append", help="capability hint (repeatable)")
    p.add_argument("--complexity", choices=["simple", "moderate", "complex"])
    p.add_argument("--no-learn", action="store_true", help="ignore and do not update learned compositions")
    p.add_argument("--run", action="store_true", help="execute the plan and print the agents' results")
    p.set_defaults(handler=run)


def _refused(exc, *, as_json: bool) -> int:
    """A refusal is an answer, not an error: one line (or one JSON document), exit 2."""
    if as_json:
        common.print_json({"refused": True, "reason": exc.reason, "message": str(exc)})
    else:
        print(exc, file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    import empathy_os.workflows  # noqa: F401 - registers the boost as a composition a plan can run
    from empathy_os.orchestration import MetaOrchestrator, OutOfScopeError

    root = common.project_root_arg(args.project_root)
    if args.untrusted and not args.run:
        raise common.UsageError("--untrusted only applies with --run")
    context = {"project_path": str(root), "python": args.python, "domain": args.domain,
               "capabilities": args.capability,
               "complexity": args.complexity, "max_cost": args.max_cost, "learn": not args.no_learn}
    with common.usage_errors():
        try:
            plan = MetaOrchestrator().analyze_and_compose(args.task, context)
        except OutOfScopeError as exc:
            return _refused(exc, as_json=args.json)
        # Untrusted: the guard refuses project code, and the outcome (not measured) teaches nothing.
        run_context = {**context, "trusted": not args.untrusted,
                       "learn": context["learn"] and not args.untrusted}
        result = common.run_async(plan.execute(run_context)) if args.run else None
    if args.json:
        data = {"plan": plan.to_json()}
        if result is not None:
            data["result"] = result.model_dump(mode="json", exclude={"outputs": {"__all__": {"analyzers"}}})
        common.print_json(data)
        return 0 if result is None or result.success else 1
    _print_plan(plan)
    if result is not None:
        _print_result(result)
    return 0 if result is None or result.success else 1


def _print_plan(plan) -> None:
    print(f"Task: {plan.task}\nPattern: {plan.task_pattern}   Strategy: {plan.strategy.value}   "
          f"Complexity: {plan.complexity}   Classified by: {plan.classified_by}")
    if plan.workflow:
        print(f"Workflow: {plan.workflow} {plan.workflow_args or ''}".rstrip())
    print("Agents:")
    for a in plan.agents:
        print(f"  - {a.id} ({a.role}, {a.tier_preference.value}; tools: {', '.join(a.tools)})")
    print(f"Estimated cost: ${plan.estimated_cost:.4f} (upper bound)   Estimated duration: "
          f"{plan.estimated_duration:.0f}s (prior)")
    print("Why:")
    for key, why in plan.rationale.items():
        print(f"  {key}: {why}")


def _print_result(result) -> None:
    print(f"\nRan in {result.total_duration:.1f}s, cost ${result.total_cost_usd:.4f}:")
    for o in result.outputs:
        score = "n/a" if o.quality_score is None else f"{o.quality_score:.1f}/10"
        print(f"  - {o.agent_id}: {score} ({o.basis}) — {o.output.get('summary')}")
    for key in ("consensus", "completed_by", "routed_to", "reason", "summary"):
        if key in result.final_output:
            print(f"  {key}: {result.final_output[key]}")
    gates = result.final_output.get("gates") or []
    if gates:
        print("Gates (they decide success):")
    for gate in gates:
        print(f"  {'✓' if gate.passed else ('✗' if gate.critical else '⚠')} {gate.message}")
