"""Plain-text stock reports."""

from __future__ import annotations

import os

from inventory.pricing import price_band
from inventory.stock import Inventory


def summary(inventory: Inventory) -> str:
    """One line per item, then the total value."""
    lines = []
    for sku in sorted(inventory.items):
        item = inventory.items[sku]
        lines.append(f"{sku:<8} {item.name:<20} {item.quantity:>5} x {item.unit_price:>8.2f}")
    lines.append(f"{'TOTAL':<35} {inventory.total_value():>10.2f}")
    return "\n".join(lines)


def bands(inventory: Inventory) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in inventory.items.values():
        band = price_band(item.unit_price)
        counts[band] = counts.get(band, 0) + 1
    return counts
