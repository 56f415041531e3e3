"""The XLSForms as Python data, so that a form and the models cannot drift.

Every choice list of a form comes from a source: the AM/PM vocabulary
(``matching.vocabulary``), a model field's choices, or a short local list. The
``.xlsx`` files in ``imena/odk/xlsforms/`` are generated from these definitions
by ``build_forms.py``; ``drift.py`` checks the files against the sources.

Sites and graves are not lists in the form: they come from the form media
``sites.csv`` and ``graves.csv``, generated per organisation at download time.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils import translation

from imena.audit.record_types import model_label
from matching import vocabulary

EN = "English (en)"
UK = "Українська (uk)"
LABEL_EN = f"label::{EN}"
LABEL_UK = f"label::{UK}"
HINT_EN = f"hint::{EN}"
HINT_UK = f"hint::{UK}"

SURVEY_COLUMNS = [
    "type",
    "name",
    LABEL_EN,
    LABEL_UK,
    HINT_EN,
    HINT_UK,
    "required",
    "relevant",
    "constraint",
    "choice_filter",
    "appearance",
    "parameters",
    "default",
    "calculation",
]
CHOICE_COLUMNS = ["list_name", "name", LABEL_EN, LABEL_UK]
SETTINGS_COLUMNS = [
    "form_title",
    "form_id",
    "version",
    "default_language",
    "instance_name",
    # Repeats published with no first entry (build_forms.to_xform); pyxform
    # ignores the column, so ODK Central and KoboToolbox add one as usual.
    "empty_repeats",
]

#: Media files offered with a form: generated per organisation (see media.py).
SITES_CSV = "sites.csv"
GRAVES_CSV = "graves.csv"


@dataclass(frozen=True)
class ChoiceSource:
    """Where a form's choice list comes from."""

    kind: str  # "vocabulary", "model", "textchoices" or "local"
    key: str  # vocabulary key, "app_label.Model.field" or "module.ChoicesClass"
    exclude: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "vocabulary":
            return f"matching.vocabulary {self.key}"
        if self.kind == "model":
            return f"model field {self.key}"
        if self.kind == "textchoices":
            return f"choices {self.key}"
        return "local list"


@dataclass
class FormDef:
    form_id: str
    title_en: str
    title_uk: str
    kind: str  # grave_registration, exhumation, post_mortem, sample, custody
    capability: str  # the role capability a submitter needs
    survey: list[dict[str, str]] = field(default_factory=list)
    lists: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    sources: dict[str, ChoiceSource] = field(default_factory=dict)
    media: list[str] = field(default_factory=list)
    instance_name: str = ""
    empty_repeats: list[str] = field(default_factory=list)

    # --- building ----------------------------------------------------------

    def q(
        self, type_: str, name: str, en: str = "", uk: str = "", **extra: str
    ) -> None:
        row = {"type": type_, "name": name}
        if en:
            row[LABEL_EN] = en
            row[LABEL_UK] = uk or en
        hint = extra.pop("hint", None)
        if hint:
            row[HINT_EN], row[HINT_UK] = hint  # type: ignore[str-unpack]
        if extra.pop("req", None):
            row["required"] = "yes"
        row.update({k: v for k, v in extra.items() if v})
        self.survey.append(row)

    def begin(
        self,
        kind: str,
        name: str,
        en: str,
        uk: str,
        *,
        start_empty: bool = False,
        **extra: str,
    ) -> None:
        """Open a group or repeat; a repeat that ``start_empty`` has no first entry.

        pyxform always writes one first entry of a repeat, and Collect then shows
        it with its required questions; without it Collect asks whether to add
        one, so entries are added on demand.
        """
        if start_empty:
            self.empty_repeats.append(name)
        self.q(f"begin_{kind}", name, en, uk, **extra)

    def end(self, kind: str) -> None:
        self.survey.append({"type": f"end_{kind}"})

    def vocab(
        self, key: str, name: str = "", multi: bool = False, **extra: str
    ) -> None:
        """A question whose choices are the vocabulary list ``key``."""
        f = vocabulary.field(key)
        self.lists[key] = [
            {"list_name": key, "name": c.code, LABEL_EN: c.en, LABEL_UK: c.uk}
            for c in f.choices
        ]
        self.sources[key] = ChoiceSource("vocabulary", key)
        kind = "select_multiple" if multi else "select_one"
        self.q(
            f"{kind} {key}", name or key, _cap(f.label_en), _cap(f.label_uk), **extra
        )

    def model_select(
        self,
        list_name: str,
        model_field: str,
        name: str,
        en: str,
        uk: str,
        *,
        multi: bool = False,
        kind: str = "model",
        exclude: tuple[str, ...] = (),
        **extra: str,
    ) -> None:
        """A question whose choices are a model field's (or TextChoices') choices."""
        source = ChoiceSource(kind, model_field, exclude)
        self.lists[list_name] = [
            {"list_name": list_name, "name": code, LABEL_EN: en_l, LABEL_UK: uk_l}
            for code, en_l, uk_l in source_choices(source)
        ]
        self.sources[list_name] = source
        select = "select_multiple" if multi else "select_one"
        self.q(f"{select} {list_name}", name, en, uk, **extra)

    def local_select(
        self,
        list_name: str,
        rows: list[tuple[str, str, str]],
        name: str,
        en: str,
        uk: str,
        **extra: str,
    ) -> None:
        self.lists[list_name] = [
            {"list_name": list_name, "name": code, LABEL_EN: e, LABEL_UK: u}
            for code, e, u in rows
        ]
        self.sources[list_name] = ChoiceSource("local", list_name)
        self.q(f"select_one {list_name}", name, en, uk, **extra)

    def site_and_grave(self, *, grave: bool) -> None:
        self.media.append(SITES_CSV)
        self.q(
            f"select_one_from_file {SITES_CSV}",
            "site",
            "Burial site",
            "Місце поховання",
            req="yes",
            appearance="minimal",
        )
        if grave:
            self.media.append(GRAVES_CSV)
            self.q(
                f"select_one_from_file {GRAVES_CSV}",
                "grave",
                "Grave",
                "Могила",
                req="yes",
                choice_filter="site=${site}",
                appearance="search",
                hint=(  # type: ignore[arg-type]
                    "The marker as written on the site",
                    "Знак так, як він написаний",
                ),
            )

    def common_end(self) -> None:
        self.q("start", "started")
        self.q("end", "finished")
        self.q("deviceid", "deviceid")

    # --- output ------------------------------------------------------------

    def choices_rows(self) -> list[dict[str, str]]:
        return [row for rows in self.lists.values() for row in rows]

    def content(self) -> dict[str, Any]:
        """Everything that defines the form, except its version."""
        content: dict[str, Any] = {
            "survey": self.survey,
            "choices": self.choices_rows(),
            "title": [self.title_en, self.title_uk],
            "form_id": self.form_id,
        }
        if self.empty_repeats:
            content["empty_repeats"] = self.empty_repeats
        return content

    @property
    def version(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]

    @property
    def title(self) -> str:
        return f"{self.title_en} / {self.title_uk}"

    def settings_row(self) -> dict[str, str]:
        return {
            "form_title": self.title,
            "form_id": self.form_id,
            "version": self.version,
            "default_language": EN,
            "instance_name": self.instance_name,
            "empty_repeats": " ".join(self.empty_repeats),
        }

    def sheets(self) -> dict[str, list[dict[str, str]]]:
        """The three XLSForm sheets, as pyxform and the .xlsx writer take them."""
        return {
            "survey": self.survey,
            "choices": self.choices_rows(),
            "settings": [self.settings_row()],
        }


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def source_choices(source: ChoiceSource) -> list[tuple[str, str, str]]:
    """``[(code, English label, Ukrainian label)]`` of a list's source, today."""

    if source.kind == "vocabulary":
        return [(c.code, c.en, c.uk) for c in vocabulary.field(source.key).choices]
    if source.kind == "model":
        app_model, field_name = source.key.rsplit(".", 1)
        model = apps.get_model(model_label(app_model.lower()))
        choices = list(model._meta.get_field(field_name).choices or [])
    elif source.kind == "textchoices":
        module, name = source.key.rsplit(".", 1)
        choices = list(getattr(importlib.import_module(module), name).choices)
    else:
        raise ValueError(f"a {source.kind} list has no outside source")
    out = []
    uk_labels = UK_MODEL_LABELS.get(source.key, {})
    for code, lab in choices:
        if str(code) in source.exclude or code == "":
            continue
        with translation.override("en"):
            en = _cap(str(lab))
        out.append((str(code), en, uk_labels.get(str(code), en)))
    return out


# Ukrainian labels of model choices, kept here so the built forms do not depend
# on whether compiled translation catalogues are present. Codes and English
# labels come from the models and are checked for drift.
UK_MODEL_LABELS: dict[str, dict[str, str]] = {
    "burials.Grave.kind": {
        "individual": "Індивідуальна",
        "mass": "Братська могила",
        "unknown": "Невідомо",
    },
    "exhumations.Body.kind": {
        "body": "Тіло",
        "commingled": "Змішані рештки",
        "partial": "Частина решток",
    },
    "imena.exhumations.models.TortureSign": {
        "ligature_marks": "Сліди зв'язування",
        "bound_hands": "Зв'язані руки",
        "gunshot_wounds": "Вогнепальні поранення",
        "blunt_force": "Травми тупим предметом",
        "fractures": "Переломи",
        "burn_marks": "Сліди опіків",
    },
    "exhumations.CustodyEntry.action": {
        "handover": "Передано",
        "transfer": "Переміщено",
        "check_out": "Видано",
        "check_in": "Повернуто",
        "analysis": "Проаналізовано",
    },
}


YES_NO = [("yes", "Yes", "Так"), ("no", "No", "Ні")]
PHOTO = {"parameters": "max-pixels=2048"}


def grave_registration() -> FormDef:
    f = FormDef(
        "imena_grave_registration",
        "Grave registration",
        "Реєстрація могили",
        kind="grave_registration",
        capability="grave.change",
        instance_name="concat('Grave ', ${marker_text})",
    )
    f.site_and_grave(grave=False)
    f.q(
        "image",
        "marker_photo",
        "Photo of the marker",
        "Фото надмогильного знака",
        req="yes",
        **PHOTO,
    )
    f.q("geopoint", "location", "GPS position", "GPS-координати", req="yes")
    f.q(
        "text",
        "marker_text",
        "Marker text as written",
        "Напис на знаку як є",
        req="yes",
        hint=(  # type: ignore[arg-type]
            "Exactly as on the cross or plank, e.g. № 12а, 123/2, БН",
            "Точно як на хресті чи табличці, напр. № 12а, 123/2, БН",
        ),
    )
    f.vocab("grave_marker", req="yes")
    f.model_select(
        "grave_kind",
        "burials.Grave.kind",
        "kind",
        "Kind of grave",
        "Вид могили",
        req="yes",
    )
    f.q(
        "integer",
        "bodies_expected",
        "Bodies expected",
        "Очікувана кількість тіл",
        relevant="${kind} = 'mass'",
        constraint=". > 0",
    )
    f.q("text", "notes", "Notes", "Примітки", appearance="multiline")
    f.common_end()
    return f


def exhumation() -> FormDef:
    f = FormDef(
        "imena_exhumation",
        "Exhumation",
        "Ексгумація",
        kind="exhumation",
        capability="postmortem.change",
        instance_name="concat('Exhumation ', ${grave})",
    )
    f.site_and_grave(grave=True)
    f.q(
        "date",
        "exhumation_date",
        "Date of exhumation",
        "Дата ексгумації",
        req="yes",
        default="today()",
    )
    f.q(
        "text",
        "team",
        "Team members (one name a line)",
        "Члени команди (по одному в рядку)",
        req="yes",
        appearance="multiline",
    )
    f.q(
        "text",
        "witnesses",
        "Prosecutor and witnesses present",
        "Присутні прокурор і поняті",
        appearance="multiline",
    )
    f.q("text", "conditions", "Conditions", "Умови", appearance="multiline")
    f.vocab("grave_type", req="yes")
    f.q("integer", "depth_cm", "Depth (cm)", "Глибина (см)", constraint=". >= 0")
    f.vocab("container")
    f.vocab("commingling", req="yes")
    f.q(
        "integer",
        "mni",
        "Minimum number of individuals",
        "Мінімальна кількість осіб",
        constraint=". >= 0",
    )
    f.begin("repeat", "body", "Body recovered", "Виявлене тіло")
    f.q(
        "text",
        "body_no",
        "Post-mortem number",
        "Номер посмертної справи",
        req="yes",
        hint=("e.g. IZM-PM-0123", "напр. IZM-PM-0123"),  # type: ignore[arg-type]
    )
    f.model_select(
        "body_kind", "exhumations.Body.kind", "body_kind", "Kind", "Вид", req="yes"
    )
    f.vocab("body_position")
    f.vocab("articulation")
    f.vocab("preservation")
    f.q(
        "image",
        "body_photo",
        "Photo in situ (with scale)",
        "Фото in situ (з масштабом)",
        **PHOTO,
    )
    f.q(
        "text",
        "body_notes",
        "Findings read aloud",
        "Оголошені знахідки",
        appearance="multiline",
    )
    f.end("repeat")
    f.begin("repeat", "grave_photo", "Grave photo", "Фото могили")
    f.q("image", "photo", "Photo", "Фото", **PHOTO)
    f.q("text", "caption", "Caption", "Підпис")
    f.end("repeat")
    f.q(
        "text",
        "family_present",
        "Family informed or present",
        "Родина повідомлена/присутня",
    )
    f.q("text", "notes", "Notes", "Примітки", appearance="multiline")
    f.common_end()
    return f


def post_mortem() -> FormDef:
    f = FormDef(
        "imena_post_mortem",
        "Post-mortem record",
        "Посмертний опис",
        kind="post_mortem",
        capability="postmortem.change",
        instance_name="concat('PM ', ${body_no})",
    )
    f.q("text", "body_no", "Post-mortem number", "Номер посмертної справи", req="yes")
    f.q(
        "date",
        "examined_on",
        "Date of examination",
        "Дата дослідження",
        req="yes",
        default="today()",
    )
    f.q("text", "examiner_name", "Examiner", "Експерт", req="yes")
    f.begin("group", "biological", "Biological profile", "Біологічний профіль")
    f.vocab("sex_pm", req="yes")
    f.vocab("sex_method", relevant="${sex_pm} != 'indeterminate'")
    f.vocab("certainty", name="sex_certainty")
    f.q(
        "integer",
        "age_min",
        "Estimated age from (years)",
        "Оцінений вік від (років)",
        constraint=". >= 0 and . <= 120",
    )
    f.q(
        "integer",
        "age_max",
        "Estimated age to (years)",
        "Оцінений вік до (років)",
        constraint=". >= 0 and . <= 120 and (${age_min} = '' or . >= ${age_min})",
    )
    f.vocab("age_method", relevant="${age_min} != '' or ${age_max} != ''")
    f.q(
        "integer",
        "stature_min",
        "Estimated stature from (cm)",
        "Оцінений зріст від (см)",
        constraint=". > 50 and . < 250",
    )
    f.q(
        "integer",
        "stature_max",
        "Estimated stature to (cm)",
        "Оцінений зріст до (см)",
        constraint=". > 50 and . < 250 and (${stature_min} = '' or . >= ${stature_min})",
    )
    f.q(
        "text",
        "stature_formula",
        "Stature formula",
        "Формула зросту",
        relevant="${stature_min} != '' or ${stature_max} != ''",
    )
    f.vocab("build")
    f.end("group")
    f.begin("group", "physical", "Physical description", "Зовнішній опис")
    f.vocab("hair_colour")
    f.vocab("hair_length")
    f.vocab("facial_hair")
    f.vocab("eye_colour")
    f.end("group")
    f.begin("group", "pathology", "Pathology", "Патологія")
    f.vocab("preservation", req="yes")
    f.vocab("cause_of_death", req="yes")
    f.q(
        "text",
        "cause_of_death_text",
        "Cause of death (as written)",
        "Причина смерті (формулювання)",
    )
    f.vocab("manner_of_death", req="yes")
    f.end("group")
    f.begin(
        "group",
        "torture",
        "Torture and ill-treatment",
        "Катування та жорстоке поводження",
    )
    f.model_select(
        "torture_sign",
        "imena.exhumations.models.TortureSign",
        "torture_signs",
        "Signs seen",
        "Виявлені ознаки",
        multi=True,
        kind="textchoices",
    )
    f.vocab("torture_indicator", name="torture_indicators", multi=True)
    f.vocab("restraint_material")
    f.vocab("restraint_location")
    f.vocab(
        "torture_consistency",
        relevant="${torture_signs} != '' or ${torture_indicators} != ''",
    )
    f.end("group")
    f.begin(
        "repeat",
        "particular",
        "Particular (mark, device)",
        "Особлива прикмета",
        start_empty=True,
    )
    f.vocab("particular_kind", req="yes")
    f.vocab("body_region", req="yes")
    f.vocab("body_side")
    f.q("text", "particular_description", "Description", "Опис")
    f.q("image", "particular_photo", "Photo", "Фото", **PHOTO)
    f.end("repeat")
    f.begin("repeat", "injury", "Injury", "Ушкодження", start_empty=True)
    f.vocab("injury_region", req="yes")
    f.vocab("body_side", name="injury_side")
    f.vocab("injury_mechanism", req="yes")
    f.vocab("injury_timing", req="yes")
    f.vocab("gunshot_wound", relevant="${injury_mechanism} = 'gunshot'")
    f.vocab("gunshot_range", relevant="${injury_mechanism} = 'gunshot'")
    f.q("text", "injury_description", "Description", "Опис")
    f.end("repeat")
    f.begin("repeat", "clothing", "Clothing item", "Предмет одягу", start_empty=True)
    f.vocab("clothing_category", req="yes")
    f.vocab("colour", multi=True)
    f.vocab("pattern")
    f.vocab("material")
    f.q("decimal", "size_eu", "Size (EU)", "Розмір (EU)", constraint=". > 0")
    f.q("text", "label_text", "Brand, label or name tag", "Бренд, етикетка, бирка")
    f.end("repeat")
    f.begin(
        "repeat", "effect_item", "Personal effect", "Особиста річ", start_empty=True
    )
    f.vocab("effect", req="yes")
    f.vocab("location_on_body")
    f.q("text", "engraving", "Engraving or inscription", "Гравіювання чи напис")
    f.q("text", "effect_serial", "Serial or IMEI", "Серійний номер або IMEI")
    f.q("image", "effect_photo", "Photo", "Фото", **PHOTO)
    f.end("repeat")
    f.begin(
        "repeat",
        "dental",
        "Dental finding",
        "Стоматологічна знахідка",
        start_empty=True,
    )
    f.vocab("tooth", req="yes", appearance="search")
    f.vocab("tooth_status", req="yes")
    f.vocab("restoration")
    f.vocab("surface", multi=True, relevant="${restoration} != ''")
    f.end("repeat")
    f.q(
        "text",
        "notes",
        "Findings (free text)",
        "Знахідки (довільний текст)",
        appearance="multiline",
    )
    f.common_end()
    return f


def sample() -> FormDef:
    f = FormDef(
        "imena_sample",
        "Sample taking",
        "Відбір зразка",
        kind="sample",
        capability="postmortem.change",
        instance_name="concat('Sample ', ${sample_no})",
    )
    f.q("text", "body_no", "Post-mortem number", "Номер посмертної справи", req="yes")
    f.q(
        "text",
        "sample_no",
        "Sample id",
        "Номер зразка",
        req="yes",
        appearance="barcode",
    )
    f.vocab("pm_sample", req="yes")
    f.vocab("bone_element", relevant="${pm_sample} = 'bone'", req="yes")
    f.vocab("tooth", relevant="${pm_sample} = 'tooth'", req="yes", appearance="search")
    f.q("text", "taken_by", "Taken by", "Хто відібрав", req="yes")
    f.q("date", "taken_on", "Date taken", "Дата відбору", req="yes", default="today()")
    f.q("text", "seal_no", "Seal number", "Номер пломби", req="yes")
    f.q("text", "lab", "Laboratory sent to", "Лабораторія призначення")
    f.q(
        "image",
        "sample_photo",
        "Photo of the sealed sample",
        "Фото опломбованого зразка",
        **PHOTO,
    )
    f.q("text", "notes", "Notes", "Примітки", appearance="multiline")
    f.common_end()
    return f


def custody() -> FormDef:
    f = FormDef(
        "imena_custody",
        "Evidence hand-over",
        "Передача речових доказів",
        kind="custody",
        capability="evidence.change",
        instance_name="concat('Custody ', ${item_ref})",
    )
    f.q(
        "text",
        "item_ref",
        "Evidence number",
        "Номер речового доказу",
        req="yes",
        appearance="barcode",
        hint=("e.g. EV-000012", "напр. EV-000012"),  # type: ignore[arg-type]
    )
    f.model_select(
        "custody_action",
        "exhumations.CustodyEntry.action",
        "action",
        "Action",
        "Дія",
        req="yes",
        exclude=("collected", "referenced"),
    )
    f.q(
        "dateTime",
        "transferred_at",
        "Handed over at",
        "Час передачі",
        req="yes",
        default="now()",
    )
    f.q("text", "from_person", "From (name, role)", "Від кого (ПІБ, посада)", req="yes")
    f.q("text", "to_person", "To (name, role)", "Кому (ПІБ, посада)", req="yes")
    f.q("text", "place", "Place", "Місце", req="yes")
    f.q("text", "purpose", "Purpose", "Мета", req="yes")
    f.q("text", "seal_no", "Seal number", "Номер пломби")
    f.local_select(
        "yes_no", YES_NO, "seal_intact", "Seal intact", "Пломба ціла", req="yes"
    )
    f.q(
        "image",
        "signature",
        "Signature of the receiver",
        "Підпис того, хто приймає",
        appearance="signature",
        req="yes",
    )
    f.q("image", "handover_photo", "Photo", "Фото", **PHOTO)
    f.q("text", "notes", "Notes", "Примітки", appearance="multiline")
    f.common_end()
    return f


@dataclass(frozen=True)
class FormMeta:
    kind: str
    capability: str


#: What each form is and who may send it, without building the form.
FORMS: dict[str, FormMeta] = {
    "imena_grave_registration": FormMeta("grave_registration", "grave.change"),
    "imena_exhumation": FormMeta("exhumation", "postmortem.change"),
    "imena_post_mortem": FormMeta("post_mortem", "postmortem.change"),
    "imena_sample": FormMeta("sample", "postmortem.change"),
    "imena_custody": FormMeta("custody", "evidence.change"),
}

BUILDERS = {
    "imena_grave_registration": grave_registration,
    "imena_exhumation": exhumation,
    "imena_post_mortem": post_mortem,
    "imena_sample": sample,
    "imena_custody": custody,
}


def definitions() -> dict[str, FormDef]:
    """Every form, built afresh from the vocabulary and the models."""
    return {form_id: build() for form_id, build in BUILDERS.items()}


def definition(form_id: str) -> FormDef:
    return BUILDERS[form_id]()
