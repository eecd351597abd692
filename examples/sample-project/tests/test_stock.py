from inventory.stock import Inventory, Item


def test_add_merges_quantities():
    inv = Inventory()
    inv.add(Item("A1", "bolt", 0.5, 10))
    inv.add(Item("A1", "bolt", 0.5, 5))
    assert inv.items["A1"].quantity == 15


def test_remove_returns_remaining():
    inv = Inventory()
    inv.add(Item("B2", "nut", 0.2, 8))
    assert inv.remove("B2", 3) == 5
