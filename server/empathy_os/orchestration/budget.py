"""A spending cap shared by the agents of one run (`context["max_cost"]`, USD).

Model steps reserve their estimated cost before calling; a step whose estimate would push the committed
spend over the cap is skipped (with the reason in its result). Actual cost replaces the estimate after.
"""

from __future__ import annotations

import math
import threading


class Budget:
    def __init__(self, max_cost: float | None = None):
        if max_cost is not None:
            try:
                max_cost = float(max_cost)
            except (TypeError, ValueError):
                raise ValueError(f"max_cost must be a number of USD, got {max_cost!r}") from None
            if max_cost < 0 or math.isnan(max_cost):
                raise ValueError(f"max_cost must be >= 0 USD, got {max_cost}")
        self.max_cost = max_cost
        self.spent = 0.0
        self._reserved = 0.0
        self._lock = threading.Lock()

    def reserve(self, estimate: float) -> bool:
        with self._lock:
            if self.max_cost is not None and self.spent + self._reserved + estimate > self.max_cost:
                return False
            self._reserved += estimate
            return True

    def release(self, estimate: float) -> None:
        with self._lock:
            self._reserved = max(0.0, self._reserved - estimate)

    def spend(self, amount: float) -> None:
        with self._lock:
            self.spent += amount
