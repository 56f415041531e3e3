"""Workers side by side: which sites each takes (``Shard``).

Read by the services (the sites a worker computes), the worker's row
(``models.WorkerBeat``) and the command; no Django here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    """One of ``count`` workers side by side (``imena identification update
    --loop --shard INDEX/COUNT``): it takes the sites whose id leaves
    ``index`` divided by ``count``, and keeps the caches of those only. A
    site is always the same worker's (its caches live there); sites are
    independent, so the workers' results are those of one worker."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(
                f"shard '{self.index}/{self.count}': the index must be at least 0 "
                "and below the count"
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"INDEX/COUNT"``, e.g. ``"0/2"``."""
        index, sep, count = text.partition("/")
        try:
            if not sep:
                raise ValueError
            numbers = int(index), int(count)
        except ValueError:
            raise ValueError(
                f"shard {text!r}: expected INDEX/COUNT, e.g. 0/2"
            ) from None
        return cls(*numbers)

    def has(self, site_id: int) -> bool:
        return site_id % self.count == self.index

    def __str__(self) -> str:
        """``"INDEX/COUNT"``, as ``parse`` reads it."""
        return f"{self.index}/{self.count}"
