"""Stock keeping: items, prices and reports."""

from inventory.pricing import apply_discount, bulk_price
from inventory.stock import Inventory, Item

__all__ = ["Inventory", "Item", "apply_discount", "bulk_price"]
