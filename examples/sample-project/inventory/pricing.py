"""Price calculations."""

from __future__ import annotations


def apply_discount(price: float, percent: float) -> float:
    """Return ``price`` reduced by ``percent`` (0-100), rounded to cents."""
    if price < 0:
        raise ValueError("price must not be negative")
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")
    return round(price * (100 - percent) / 100, 2)


def bulk_price(unit_price: float, quantity: int) -> float:
    """Total price with volume breaks: 5 % off from 10 units, 10 % off from 100."""
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    total = unit_price * quantity
    if quantity >= 100:
        return apply_discount(total, 10)
    if quantity >= 10:
        return apply_discount(total, 5)
    return round(total, 2)


def tax_amount(amount: float, rate: float = 0.2) -> float:
    if rate < 0 or rate > 1:
        raise ValueError("rate must be a fraction between 0 and 1")
    return round(amount * rate, 2)


def price_band(price: float) -> str:
    if price < 1:
        return "penny"
    elif price < 10:
        return "cheap"
    elif price < 100:
        return "standard"
    elif price < 1000:
        return "premium"
    return "luxury"
