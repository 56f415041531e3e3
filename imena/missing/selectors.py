"""Reads of missing-person reports: name keys and the reports that may be
the same person."""

from __future__ import annotations

from imena.missing import names
from imena.missing.models import MissingPerson, NameKey


def name_keys(person: MissingPerson) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for attr, part, kind in (
        ("family_name", "f", "family"),
        ("given_names", "g", "given"),
        ("patronymic", "p", "patronymic"),
    ):
        for k in names.part_keys(getattr(person, attr), kind):
            keys.add((part, k[:80]))
    # Other spellings: each line read as a full name, words as family or given.
    for line in (person.aliases or "").splitlines():
        for word in names.words(line):
            for k in names.word_keys(word):
                keys.add(("f", k[:80]))
                keys.add(("g", k[:80]))
    return keys


def births_compatible(a: MissingPerson, b: MissingPerson) -> bool:
    """Birth dates overlap at their precision; unknown on either side is compatible."""
    ra, rb = a.birth_range(), b.birth_range()
    if ra is None or rb is None:
        return True
    return ra[0] <= rb[1] and rb[0] <= ra[1]


def duplicate_candidates(person: MissingPerson) -> list[MissingPerson]:
    """Other live reports of the organisation that may be the same person:
    the same surname key and given-name key, and a compatible birth date."""
    mine = name_keys(person)
    fam = {k for p, k in mine if p == "f"}
    giv = {k for p, k in mine if p == "g"}
    if not fam or not giv:
        return []
    both = (
        NameKey.objects.filter(part="f", key__in=fam)
        .values_list("person_id", flat=True)
        .intersection(
            NameKey.objects.filter(part="g", key__in=giv).values_list(
                "person_id", flat=True
            )
        )
    )
    people = MissingPerson.objects.filter(
        pk__in=list(both),
        organisation_id=person.organisation_id,
        merged_into__isnull=True,
    ).exclude(pk=person.pk)
    return [p for p in people if births_compatible(person, p)]
