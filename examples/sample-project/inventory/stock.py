"""Items and the inventory that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Item:
    """One stock-keeping unit."""

    sku: str
    name: str
    unit_price: float
    quantity: int = 0

    def value(self) -> float:
        """Value of the stock held for this item."""
        return round(self.unit_price * self.quantity, 2)


@dataclass
class Inventory:
    """A collection of items keyed by SKU."""

    items: dict[str, Item] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        """Add an item, or increase the quantity of one already held."""
        if item.sku in self.items:
            self.items[item.sku].quantity += item.quantity
        else:
            self.items[item.sku] = item

    def remove(self, sku: str, quantity: int) -> int:
        """Take ``quantity`` units out; returns what is left."""
        held = self.items.get(sku)
        if held is None:
            raise KeyError(sku)
        if quantity > held.quantity:
            raise ValueError(f"only {held.quantity} of {sku} in stock")
        held.quantity -= quantity
        return held.quantity

    def total_value(self) -> float:
        return round(sum(item.value() for item in self.items.values()), 2)

    def low_stock(self, threshold: int = 5) -> list[str]:
        return sorted(sku for sku, item in self.items.items() if item.quantity < threshold)
