import pytest

from inventory.pricing import apply_discount, bulk_price


def test_discount_rounds_to_cents():
    assert apply_discount(19.99, 15) == 16.99


def test_discount_rejects_bad_percent():
    with pytest.raises(ValueError):
        apply_discount(10, 120)


def test_bulk_price_breaks():
    assert bulk_price(2.0, 5) == 10.0
    assert bulk_price(2.0, 10) == 19.0
