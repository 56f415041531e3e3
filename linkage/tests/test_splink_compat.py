"""The Splink EM underflow guard: on the affected versions only, and always
undone."""

from __future__ import annotations

from typing import Any

import pytest
import splink
from splink.internals import expectation_maximisation as em

from linkage.splink_compat import em_underflow_guard, needs_em_underflow_guard


@pytest.mark.parametrize(
    ("version", "needed"),
    [("5.0.0", True), ("5.0.3", True), ("5.1.0", False), ("4.0.12", False),
     ("6.0.0", False)],
)  # fmt: skip
def test_the_guard_is_limited_to_the_affected_versions(
    version: str, needed: bool
) -> None:
    assert needs_em_underflow_guard(version) is needed


def test_it_clamps_an_underflowed_m_and_puts_the_original_back() -> None:
    original = em.populate_m_u_from_lookup
    seen: list[float] = []

    def spy(
        fixed: set[str], level: Any, name: str, lookup: dict[str, dict[int, Any]]
    ) -> None:
        seen.append(lookup[name][1]["m_probability"])

    setattr(em, "populate_m_u_from_lookup", spy)  # noqa: B010
    try:
        with em_underflow_guard() as on:
            fn: Any = em.populate_m_u_from_lookup
            fn(set(), None, "grave", {"grave": {1: {"m_probability": 0.0}}})
        assert em.populate_m_u_from_lookup is spy
    finally:
        setattr(em, "populate_m_u_from_lookup", original)  # noqa: B010
    assert on is needs_em_underflow_guard(splink.__version__)
    assert seen == ([1e-9] if on else [0.0])


def test_it_does_nothing_on_other_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(splink, "__version__", "9.9.9")
    before = em.populate_m_u_from_lookup
    with em_underflow_guard() as on:
        assert em.populate_m_u_from_lookup is before
    assert on is False
