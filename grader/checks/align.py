"""Line up a model's layers with the layers an exercise asks for, as an edit script.

Comparing position by position blames every layer after one that is extra or missing: a CNN
with one more ``Conv2D`` was told that its ``Flatten`` "should be a Dense" and its output layer
"should have 10 units" (issue 17). The layers are aligned instead, by the least total cost of
the classic edit operations (Wagner–Fischer): keep a pair, change a pair, a layer the model has
in excess, a layer it lacks. The costs make a pair of the same type (even with other
attributes) cheaper than any change, and one change cheaper than an extra plus a missing one;
an ``optional`` expected layer may be left out for nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Op = Literal["pair", "extra", "missing"]
EXTRA = MISSING = 1.0
CHANGE = 1.5  # < EXTRA + MISSING: a one-for-one replacement is told as such


@dataclass(frozen=True)
class Step:
    op: Op
    found: int | None  # index in the model's layers (extra, pair)
    expected: int | None  # index in the expected layers (missing, pair)
    after: int | None = None  # missing: the model's layer it should follow (None: first)


def align(n_found: int, n_expected: int, pair_cost: Callable[[int, int], float],
          optional: Callable[[int], bool] = lambda j: False) -> list[Step]:
    """The cheapest edit script from the expected layers to the model's, in the model's order.

    ``pair_cost(i, j)`` is 0 for a layer that is what was asked, below 1 for the right type with
    other attributes, ``CHANGE`` for another type. Ties prefer pairs, then fewer steps."""
    inf = float("inf")
    cost = [[inf] * (n_expected + 1) for _ in range(n_found + 1)]
    move: list[list[Op | None]] = [[None] * (n_expected + 1) for _ in range(n_found + 1)]
    cost[0][0] = 0.0
    for i in range(n_found + 1):
        for j in range(n_expected + 1):
            if i == j == 0:
                continue
            options: list[tuple[float, int, Op]] = []
            if i and j:
                options.append((cost[i - 1][j - 1] + pair_cost(i - 1, j - 1), 0, "pair"))
            if i:
                options.append((cost[i - 1][j] + EXTRA, 1, "extra"))
            if j:
                options.append((cost[i][j - 1] + (0.0 if optional(j - 1) else MISSING), 2, "missing"))
            best = min(options, key=lambda o: (round(o[0], 9), o[1]))
            cost[i][j], move[i][j] = best[0], best[2]
    steps: list[Step] = []
    i, j = n_found, n_expected
    while i or j:
        op = move[i][j]
        if op == "pair":
            i, j = i - 1, j - 1
            steps.append(Step("pair", i, j))
        elif op == "extra":
            i -= 1
            steps.append(Step("extra", i, None))
        else:
            j -= 1
            steps.append(Step("missing", None, j, after=i - 1 if i else None))
    steps.reverse()
    return steps
