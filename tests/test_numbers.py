"""Numbers as the reader's language writes them; one age is one number (#21 item 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "shown", "not_shown"),
    [
        ("en", "age 62.4 when last seen", "62.4–62.4"),
        ("uk", "вік 62,4, коли бачили востаннє", "62.4"),
    ],
)
def test_an_exact_age_is_one_localised_number(
    client, org, users, lang, shown, not_shown
) -> None:
    from imena.missing.tests.factories import make_person

    person = make_person(
        org,
        actor=users["family_liaison"],
        birth_year=1960,
        birth_month=3,
        birth_day=1,
        last_seen_date=dt.date(2022, 7, 26),
    )
    client.force_login(users["investigator"])
    page = client.get(
        reverse("missing:person_detail", args=[person.pk]), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert shown in page and not_shown not in page


def test_significant_digits_follow_the_language() -> None:
    from django.template import Context, Template
    from django.utils import translation

    shown = Template("{% load numbers %}{{ a|significant:3 }} {{ b|significant:4 }}")
    with translation.override("uk"):
        assert shown.render(Context({"a": 6.1234, "b": 0.7912})) == "6,12 0,7912"
    with translation.override("en"):
        assert shown.render(Context({"a": 6.1234, "b": 0.7912})) == "6.12 0.7912"


def test_no_template_writes_a_decimal_point_regardless_of_the_language() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        str(path.relative_to(root))
        for path in [
            *root.glob("templates/**/*.html"),
            *root.glob("imena/*/templates/**/*.html"),
        ]  # fmt: skip
        if re.search(r"stringformat:[\"'][^\"']*\.\d*[efg][\"']", path.read_text())
    ]
    assert not offenders


def test_counted_nouns_go_through_ngettext() -> None:
    """ "1 profiles stored": a count before a plural noun needs ngettext."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    nouns = "candidates|bodies|entries|samples|profiles|rows|graves|people|persons"
    pattern = re.compile(rf'(?<!n)_\(\s*"[^"]*%\(\w+\)d ({nouns})\b')
    offenders = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in root.glob("imena/**/*.py")
        if "tests" not in path.parts
        for m in pattern.finditer(path.read_text())
    ]
    assert not offenders


@pytest.mark.parametrize(
    ("text", "uk"),
    [
        ("body 180 ± 5.5 cm (z = 1.2)", "body 180 ± 5,5 cm (z = 1,2)"),
        ("LR 2.2e-16; LR 10^3.5", "LR 2,2e-16; LR 10^3,5"),
        ("born 07.02.1979, grave 214", "born 07.02.1979, grave 214"),
        ("version 1.2.3 and 0.5", "version 1.2.3 and 0,5"),
    ],
)
def test_explanations_write_decimals_as_the_reader_does(text, uk) -> None:
    """The engine's text says "1.2"; a Ukrainian page shows "1,2", dates untouched."""
    from django.utils import translation

    from imena.core.templatetags.numbers import decimals

    with translation.override("uk"):
        assert decimals(text) == uk
    with translation.override("en"):
        assert decimals(text) == text


def test_every_ukrainian_explanation_goes_through_decimals() -> None:
    """Each place a template shows an explanation's Ukrainian text converts its numbers."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    shown = [
        (path.name, m.group(0))
        for path in root.glob("imena/*/templates/**/*.html")
        for m in re.finditer(r"\{\{ \w+\.uk(\|\w+)* \}\}", path.read_text())
    ]
    assert shown, "no explanation found: the pattern no longer matches the templates"
    assert [s for s in shown if "|decimals" not in s[1]] == []
