"""Work-arounds for known bugs of the installed Splink, each limited to the
versions known to have it.

EM underflow (Splink 5.0): when a comparison level's expected match count
underflows during expectation maximisation, Splink sets its m probability to
0.0, and the m/u setters added in Splink 5 (moj-analytical-services/splink
PR #2851) reject any value below 1e-300, so the whole training session aborts.
Upstream issue: moj-analytical-services/splink#2333 ("Zero trained m-values can
lead to `math domain error`"), the same underflow, which Splink 5 turned from a
failed chart into a failed training. It happens on every simulator seed tried
(training of one EM step fails; F1 moves by up to 0.005).

The guard clamps the m/u values of each maximisation step to >= 1e-9 by
wrapping ``splink.internals.expectation_maximisation.populate_m_u_from_lookup``
(a private function) while one training runs. It is applied only on versions
listed in ``EM_UNDERFLOW_VERSIONS`` and only if that function still exists;
elsewhere training runs unpatched (a failing step is then noted and skipped by
``linkage.reconcile``). The module attribute is process-wide, so trainings
that need the guard run one at a time (a lock), and the original function is
always put back.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["EM_UNDERFLOW_VERSIONS", "em_underflow_guard", "needs_em_underflow_guard"]

#: Splink versions (prefixes) with the EM underflow; check a new release
#: against splink#2333 before adding it here.
EM_UNDERFLOW_VERSIONS = ("5.0.",)

#: Smallest m or u a maximisation step may set.
FLOOR = 1e-9

_LOCK = threading.Lock()
_NAME = "populate_m_u_from_lookup"


def needs_em_underflow_guard(version: str) -> bool:
    """True for the Splink versions known to abort training on an underflow."""
    return version.startswith(EM_UNDERFLOW_VERSIONS)


def _clamp(lookup: Any, name: str) -> None:
    for rec in lookup.get(name, {}).values():
        for k in ("m_probability", "u_probability"):
            v = rec.get(k)
            if isinstance(v, float) and v < FLOOR:
                rec[k] = FLOOR


@contextlib.contextmanager
def em_underflow_guard() -> Iterator[bool]:
    """Run one Splink training with the EM underflow work-around if this
    Splink needs it; yields whether the guard is on."""
    import splink

    if not needs_em_underflow_guard(splink.__version__):
        yield False
        return
    from splink.internals import expectation_maximisation as em

    original = getattr(em, _NAME, None)
    if original is None:  # Splink's layout changed: nothing to wrap
        yield False
        return

    def clamped(
        fixed: set[str], level: Any, name: str, lookup: dict[str, dict[int, Any]]
    ) -> None:
        _clamp(lookup, name)
        original(fixed, level, name, lookup)

    with _LOCK:
        setattr(em, _NAME, clamped)
        try:
            yield True
        finally:
            setattr(em, _NAME, original)
