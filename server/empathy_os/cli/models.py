"""`empathy models`: the tier → model table in effect (defaults from Anthropic's published docs, then the
project's `[tool.empathy.tiers]`, then `EMPATHY_MODEL_*` / `EMPATHY_PRICE_*`), with prices per million
tokens and the date of the docs the defaults come from."""

from __future__ import annotations

import argparse

from empathy_os.cli import common


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "models", help="print the model tiers, their documented prices and the docs' date",
        description="Prints each tier's model id and its prices in USD per million tokens: input, output, "
                    "5-minute cache write, cache read, and the long-prompt rates where the docs give them. "
                    "Rows that differ from the published docs (a project or environment override) say so.")
    p.add_argument("--project-root", default=".", metavar="PATH", help="project folder (default: .)")
    p.add_argument("--json", action="store_true", help="print the table as JSON (nothing else on stdout)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from empathy_os.analyzers.project import read_empathy_settings
    from empathy_os.llm.tiers import DOCS, DOCS_DATE, DOCUMENTED, load_tier_table

    root = common.project_root_arg(args.project_root)
    with common.usage_errors():
        table = load_tier_table(read_empathy_settings(root))
    rows = [{"tier": tier.value, **spec.model_dump(), "documented": DOCUMENTED.get(spec.model) == spec}
            for tier, spec in table.items()]
    if args.json:
        common.print_json({"docs_date": DOCS_DATE, "docs": list(DOCS), "tiers": rows})
        return 0
    print(f"Model prices, USD per million tokens (Anthropic's docs, read {DOCS_DATE}):")
    print(f"  {'tier':8} {'model':20} {'input':>7} {'output':>7} {'cache write':>11} {'cache read':>10}")
    for row in rows:
        print(f"  {row['tier']:8} {row['model']:20} {row['input_price']:7.2f} {row['output_price']:7.2f} "
              f"{row['cache_write_price']:11.3f} {row['cache_read_price']:10.3f}"
              + ("" if row["documented"] else "  (override: not the documented row)"))
        if (long := row["long_rates"]) is not None:
            print(f"  {'':8} {'> ' + format(row['long_prompt_above'], ',') + ' input':20} "
                  f"{long['input']:7.2f} {long['output']:7.2f} {long['cache_write']:11.3f} {long['cache_read']:10.3f}"
                  "  (all of a longer request)")
    print("Sources: " + ", ".join(DOCS))
    return 0
