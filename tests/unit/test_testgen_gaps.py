"""Gaps from the coverage analyzer's findings: which findings become targets, enriched from the AST and radon."""

from __future__ import annotations

from empathy_os.analyzers.contract import Finding, Severity
from empathy_os.testgen.gaps import gaps_from_findings

SHOP = '''import subprocess


def price(n):
    if n > 10:
        return n * 0.9
    return n


class Cart:
    def total(self, items):
        for item in items:
            if item < 0:
                raise ValueError("negative")
        return sum(items)

    def ship(self):
        subprocess.run(["true"])


def outer():
    def inner():
        return 1
    return inner
'''


def gap_finding(path: str, symbol: str, missing: list[int], branches: list[list[int]] | None = None) -> Finding:
    return Finding(tool="coverage", rule="coverage-gap", severity=Severity.INFO, path=path, line=min(missing),
                   symbol=symbol, message=f"{symbol}: {len(missing)} line(s) not run by the tests",
                   extra={"missing_lines": missing, "missing_branches": branches or []})


def project(tmp_path):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "core.py").write_text(SHOP)
    (tmp_path / "shop" / "broken.py").write_text("def f(:\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "helpers.py").write_text("def make():\n    return 1\n")
    return [
        gap_finding("shop/core.py", "price", [5, 6], [[4, 5]]),
        gap_finding("shop/core.py", "Cart.total", [13, 14]),
        gap_finding("shop/core.py", "Cart.ship", [18]),
        gap_finding("shop/core.py", "outer.<locals>.inner", [23]),  # nested: a test cannot import it
        gap_finding("shop/broken.py", "f", [1]),  # does not parse: nothing to target
        gap_finding("tests/helpers.py", "make", [2]),  # test helpers are never targets
        Finding(tool="coverage", rule="coverage-low", severity=Severity.MEDIUM, path="shop/core.py", line=1,
                message="not a gap"),
    ]


def test_targets_are_importable_source_functions_ranked_by_complexity(tmp_path):
    gaps = gaps_from_findings(tmp_path, project(tmp_path))
    assert [(g.symbol, g.module, g.line, g.end_line, g.complexity) for g in gaps] == [
        ("Cart.total", "shop.core", 11, 15, 3), ("price", "shop.core", 4, 7, 2), ("Cart.ship", "shop.core", 17, 18, 1)]
    total, price, ship = gaps
    assert total.missing == {13, 14} and total.raises == ["ValueError"] and total.side_effects is None
    assert price.missing_arcs == {(4, 5)}
    assert ship.side_effects is not None and "subprocess" in ship.side_effects


def test_only_one_file_or_one_function(tmp_path):
    findings = project(tmp_path)
    assert [g.symbol for g in gaps_from_findings(tmp_path, findings, ("shop/core.py", None))] == [
        "Cart.total", "price", "Cart.ship"]
    assert [g.symbol for g in gaps_from_findings(tmp_path, findings, ("shop/core.py", "total"))] == ["Cart.total"]
    assert [g.symbol for g in gaps_from_findings(tmp_path, findings, ("shop/core.py", "Cart.ship"))] == ["Cart.ship"]
    assert gaps_from_findings(tmp_path, findings, ("shop/other.py", None)) == []
