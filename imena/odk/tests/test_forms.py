"""Every XLSForm builds and validates; a vocabulary or model change the forms miss fails."""

from __future__ import annotations

import dataclasses

import pytest
from django.apps import apps

from imena.burials.models import Grave
from imena.odk import build_forms, drift, formdefs
from imena.odk.xformspec import parse_xform
from matching import vocabulary

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("form_id", list(formdefs.FORMS))
def test_each_committed_xlsform_builds_and_passes_odk_validate(form_id) -> None:
    sheets = build_forms.read_xlsx(build_forms.xlsx_path(form_id))
    xml = build_forms.to_xform(sheets, validate=True)  # runs ODK Validate (Java)
    spec = parse_xform(xml)
    assert spec.form_id == form_id and spec.root == "data"
    assert spec.version == formdefs.definition(form_id).version
    assert "/data/meta" not in spec.nodes


@pytest.mark.parametrize("form_id", list(formdefs.FORMS))
def test_each_form_has_english_and_ukrainian_labels(form_id) -> None:
    form = formdefs.definition(form_id)
    for row in form.survey:
        if formdefs.LABEL_EN in row:
            assert row[formdefs.LABEL_UK], row["name"]
    xml = build_forms.to_xform(form.sheets())
    assert 'lang="English (en)"' in xml and 'lang="Українська (uk)"' in xml


def test_every_select_list_declares_its_source() -> None:
    for form in formdefs.definitions().values():
        for row in form.survey:
            parts = row["type"].split()
            if parts[0] in ("select_one", "select_multiple"):
                assert parts[1] in form.sources, (form.form_id, row["name"])


def test_vocabulary_lists_in_the_forms_equal_the_model_choices() -> None:
    """A select whose model field takes the same vocabulary key offers the same codes."""

    for model in apps.get_app_config("exhumations").get_models():
        for field in model._meta.get_fields():
            key = getattr(getattr(field, "choices", None), "key", None)
            if key is None:
                continue
            codes = [c for c, _label in field.choices]  # type: ignore[union-attr]
            assert codes == list(vocabulary.field(key).codes()), (model, field.name)


def test_the_committed_forms_match_their_sources() -> None:
    assert drift.drift_report() == []


def test_a_vocabulary_change_the_forms_miss_is_reported(monkeypatch) -> None:
    field = vocabulary.field("sex_pm")
    changed = dataclasses.replace(
        field,
        choices=(
            *field.choices,
            vocabulary.Choice("intersex", "intersex", "інтерсекс"),
        ),
    )
    monkeypatch.setitem(vocabulary.FIELDS, "sex_pm", changed)
    problems = drift.drift_report()
    assert any(
        "imena_post_mortem.xlsx: list sex_pm differs from matching.vocabulary sex_pm"
        in p
        and "intersex" in p
        for p in problems
    ), problems


def test_a_relabelled_vocabulary_code_is_reported(monkeypatch) -> None:
    field = vocabulary.field("grave_marker")
    first = dataclasses.replace(field.choices[0], uk="інша назва")
    monkeypatch.setitem(
        vocabulary.FIELDS,
        "grave_marker",
        dataclasses.replace(field, choices=(first, *field.choices[1:])),
    )
    assert any("labels of list grave_marker" in p for p in drift.drift_report())


def test_a_model_choice_change_the_forms_miss_is_reported(monkeypatch) -> None:

    kind = Grave._meta.get_field("kind")
    monkeypatch.setattr(kind, "choices", [*kind.choices, ("cenotaph", "Cenotaph")])  # type: ignore[misc]
    problems = drift.drift_report()
    assert any(
        "list grave_kind differs from model field burials.Grave.kind" in p
        for p in problems
    ), problems


def test_a_hand_edited_xlsx_is_reported(tmp_path) -> None:
    build_forms.build_all(tmp_path)
    form = formdefs.definition("imena_custody")
    form.survey[0] = {**form.survey[0], "name": "item_number"}
    build_forms.write_xlsx(form, build_forms.xlsx_path("imena_custody", tmp_path))
    problems = drift.drift_report(tmp_path)
    assert any("imena_custody.xlsx: differs from its definition" in p for p in problems)


def test_regenerating_the_forms_is_stable(tmp_path) -> None:
    build_forms.build_all(tmp_path)
    for form_id in formdefs.FORMS:
        assert build_forms.read_xlsx(build_forms.xlsx_path(form_id, tmp_path)) == (
            build_forms.read_xlsx(build_forms.xlsx_path(form_id))
        )


def _primary_instance_nodes(xml: str, name: str) -> list[dict[str, str]]:
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    data = root.find(".//{http://www.w3.org/2002/xforms}data")
    assert data is not None
    return [dict(el.attrib) for el in data.iterchildren("{*}" + name)]


@pytest.mark.parametrize(
    "repeat", ["particular", "injury", "clothing", "effect_item", "dental"]
)
def test_post_mortem_repeats_start_empty(repeat) -> None:
    form = formdefs.definition("imena_post_mortem")
    assert repeat in form.empty_repeats
    sheets = build_forms.read_xlsx(build_forms.xlsx_path(form.form_id))
    xml = build_forms.to_xform(sheets)
    # Only the template: Collect asks "Add Injury?" instead of showing a first
    # entry whose required questions must be filled or the entry deleted.
    assert _primary_instance_nodes(xml, repeat) == [
        {"{http://openrosa.org/javarosa}template": ""}
    ]
    # The form still describes the repeat and its questions.
    spec = parse_xform(xml)
    assert spec.nodes[f"/data/{repeat}"].kind == "repeat"


def test_other_repeats_keep_their_first_entry() -> None:
    sheets = build_forms.read_xlsx(build_forms.xlsx_path("imena_exhumation"))
    xml = build_forms.to_xform(sheets)
    assert len(_primary_instance_nodes(xml, "body")) == 2


def test_an_unknown_empty_repeat_is_refused() -> None:
    form = formdefs.definition("imena_sample")
    sheets = form.sheets()
    sheets["settings"][0]["empty_repeats"] = "no_such_repeat"
    with pytest.raises(build_forms.FormBuildError, match="no_such_repeat"):
        build_forms.to_xform(sheets)
