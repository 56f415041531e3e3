"""The AM/PM vocabulary as Python data.

One source of truth for the choice lists used by the Django models (post-mortem
record, missing-person report), the ODK XLSForms and the comparison code. It
follows ``docs/AMPM-VOCABULARY.md`` section by section. Values the data
dictionary leaves open (the shared clothing colour list, amputation levels,
gunshot range, a few "other" codes) are Imena additions and say so in ``note``.

Codes are stable identifiers: never rename one in place, add a new code instead.
``VOCABULARY_VERSION`` is a hash of the whole content, so a form or a database
snapshot can record which vocabulary it was built from and detect drift.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

Side = Literal["AM", "PM", "both"]
Compare = Literal["EX", "RNG", "SET", "EXCL", "TXT", "—"]
Lang = Literal["en", "uk"]

SIDES: tuple[str, ...] = ("AM", "PM", "both")
COMPARE_CODES: dict[str, str] = {
    "EX": "exact (normalised) equality",
    "RNG": "interval overlap with a tolerance",
    "SET": "set overlap of coded values, scored by shared rare items",
    "EXCL": "can exclude a candidate under the stated rule",
    "TXT": "fuzzy text or a human reviewer; never automatic",
    "—": "not compared",
}


@dataclass(frozen=True)
class Choice:
    code: str
    en: str
    uk: str


@dataclass(frozen=True)
class Field:
    key: str
    section: str
    label_en: str
    label_uk: str
    type: str
    side: Side
    compare: Compare
    choices: tuple[Choice, ...] = ()
    note: str = ""

    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    en: str
    uk: str


def _ch(*rows: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code, en, uk) for code, en, uk in rows)


# --- Shared choice lists ------------------------------------------------------

CERTAINTY = _ch(
    ("certain", "certain", "достовірно"),
    ("probable", "probable", "ймовірно"),
    ("possible", "possible", "можливо"),
    ("indeterminate", "indeterminate", "не визначено"),
)
AM_SOURCE = _ch(
    ("family", "family", "родина"),
    ("medical", "medical record", "медичні документи"),
    ("dental", "dental record", "стоматологічні записи"),
    ("id_document", "identity document", "документ, що посвідчує особу"),
    ("photo", "photograph", "фотографія"),
)
OUTCOME = _ch(
    ("consistent", "consistent", "узгоджується"),
    (
        "consistent_explained",
        "consistent (explained by elapsed time or treatment)",
        "узгоджується (пояснюється часом або лікуванням)",
    ),
    ("inconsistent", "inconsistent", "не узгоджується"),
    ("no_data", "no data", "немає даних"),
)
DATE_PRECISION = _ch(
    ("year", "year", "рік"),
    ("month", "month", "місяць"),
    ("day", "day", "день"),
)
BODY_REGION = _ch(
    ("head", "head", "голова"),
    ("neck", "neck", "шия"),
    ("torso_front", "torso, front", "тулуб спереду"),
    ("torso_back", "torso, back", "тулуб ззаду (спина)"),
    ("upper_arm", "upper arm", "плече"),
    ("forearm", "forearm", "передпліччя"),
    ("hand", "hand", "кисть"),
    ("thigh", "thigh", "стегно"),
    ("lower_leg", "lower leg", "гомілка"),
    ("foot", "foot", "стопа"),
)
BODY_SIDE = _ch(
    ("L", "left", "ліва"),
    ("R", "right", "права"),
    ("midline", "midline", "по середній лінії"),
)
COLOUR = _ch(
    ("black", "black", "чорний"),
    ("white", "white", "білий"),
    ("grey", "grey", "сірий"),
    ("brown", "brown", "коричневий"),
    ("beige", "beige", "бежевий"),
    ("red", "red", "червоний"),
    ("orange", "orange", "помаранчевий"),
    ("yellow", "yellow", "жовтий"),
    ("green", "green", "зелений"),
    ("khaki", "khaki", "хакі"),
    ("blue", "blue", "синій"),
    ("light_blue", "light blue", "блакитний"),
    ("purple", "purple", "фіолетовий"),
    ("pink", "pink", "рожевий"),
    ("multicolour", "multicoloured", "різнокольоровий"),
)
YES_NO_UNKNOWN = _ch(
    ("yes", "yes", "так"),
    ("no", "no", "ні"),
    ("unknown", "unknown", "невідомо"),
)

# --- FDI / ISO 3950 tooth codes ---------------------------------------------

FDI_PERMANENT: frozenset[int] = frozenset(
    q * 10 + p for q in (1, 2, 3, 4) for p in range(1, 9)
)
FDI_DECIDUOUS: frozenset[int] = frozenset(
    q * 10 + p for q in (5, 6, 7, 8) for p in range(1, 6)
)
FDI_ALL: frozenset[int] = FDI_PERMANENT | FDI_DECIDUOUS

_QUADRANT = {
    1: ("upper right", "верхній правий"),
    2: ("upper left", "верхній лівий"),
    3: ("lower left", "нижній лівий"),
    4: ("lower right", "нижній правий"),
}
_PERMANENT_POS = {
    1: ("central incisor", "центральний різець"),
    2: ("lateral incisor", "бічний різець"),
    3: ("canine", "ікло"),
    4: ("first premolar", "перший премоляр"),
    5: ("second premolar", "другий премоляр"),
    6: ("first molar", "перший моляр"),
    7: ("second molar", "другий моляр"),
    8: ("third molar", "третій моляр"),
}
_DECIDUOUS_POS = {
    1: ("central incisor", "центральний різець"),
    2: ("lateral incisor", "бічний різець"),
    3: ("canine", "ікло"),
    4: ("first molar", "перший моляр"),
    5: ("second molar", "другий моляр"),
}


def is_valid_fdi(code: object) -> bool:
    """Return True if ``code`` is a permanent or deciduous FDI tooth code.

    Accepts ints and digit strings ("36"); numbers in 11–85 that name no tooth
    (19, 56, 90) and booleans are rejected.
    """
    if isinstance(code, bool):
        return False
    if isinstance(code, str):
        s = code.strip()
        if len(s) != 2 or not s.isdigit():
            return False
        code = int(s)
    return isinstance(code, int) and code in FDI_ALL


def is_deciduous(code: int) -> bool:
    return code in FDI_DECIDUOUS


def tooth_class(code: int) -> str:
    """'incisor', 'canine', 'premolar' or 'molar' for a valid FDI code."""
    if not is_valid_fdi(code):
        raise ValueError(f"not an FDI tooth code: {code!r}")
    pos = code % 10
    if pos <= 2:
        return "incisor"
    if pos == 3:
        return "canine"
    if code in FDI_DECIDUOUS or pos >= 6:
        return "molar"
    return "premolar"


def _tooth_choices() -> tuple[Choice, ...]:
    out: list[Choice] = []
    for code in sorted(FDI_ALL):
        q, p = divmod(code, 10)
        deciduous = q >= 5
        qen, quk = _QUADRANT[q - 4 if deciduous else q]
        pen, puk = (_DECIDUOUS_POS if deciduous else _PERMANENT_POS)[p]
        en = f"{code} {qen} {'deciduous ' if deciduous else ''}{pen}"
        uk = f"{code} {quk} {'тимчасовий ' if deciduous else ''}{puk}"
        out.append(Choice(str(code), en, uk))
    return tuple(out)


TOOTH = _tooth_choices()

# --- Sections and fields -----------------------------------------------------

SECTIONS: tuple[Section, ...] = (
    Section("case", 1, "Case identity", "Ідентифікаційні дані справи"),
    Section("disappearance", 2, "Disappearance and recovery", "Зникнення та виявлення"),
    Section("biological", 3, "Biological profile", "Біологічний профіль"),
    Section("physical", 4, "Physical description", "Зовнішній опис"),
    Section("particulars", 5, "Particulars", "Особливі прикмети"),
    Section("medical", 6, "Medical history and skeletal findings", "Медична історія"),
    Section("dental", 7, "Dental", "Стоматологічні дані"),
    Section("clothing", 8, "Clothing and footwear", "Одяг і взуття"),
    Section(
        "effects", 9, "Personal effects and documents", "Особисті речі та документи"
    ),
    Section("dna", 10, "DNA", "ДНК"),
    Section("fingerprints", 11, "Fingerprints", "Відбитки пальців"),
    Section("grave", 12, "Grave, exhumation and custody", "Могила, ексгумація"),
    Section("pathology", 13, "Pathology and autopsy", "Патологія та розтин"),
)

_F: list[Field] = []


def _f(
    section: str,
    key: str,
    label_en: str,
    label_uk: str,
    type_: str,
    side: Side,
    compare: Compare,
    choices: tuple[Choice, ...] = (),
    note: str = "",
) -> None:
    _F.append(
        Field(key, section, label_en, label_uk, type_, side, compare, choices, note)
    )


# 1. Case identity
_f("case", "am_case_no", "AM case number", "Номер справи AM", "string", "AM", "—")
_f("case", "pm_case_no", "PM case number", "Номер справи PM", "string", "PM", "—")
_f("case", "family_name", "family name", "прізвище", "text", "AM", "TXT")
_f("case", "given_names", "given names", "ім'я", "text", "AM", "TXT")
_f("case", "patronymic", "patronymic", "по батькові", "text", "AM", "TXT")
_f("case", "aliases", "other spellings", "інші написання", "text", "AM", "TXT")
_f(
    "case",
    "date_of_birth",
    "date of birth",
    "дата народження",
    "partial_date",
    "AM",
    "—",
    note="drives age (§3)",
)
_f(
    "case",
    "date_of_birth_precision",
    "date of birth precision",
    "точність дати народження",
    "choice",
    "AM",
    "—",
    DATE_PRECISION,
)
_f("case", "place_of_birth", "place of birth", "місце народження", "text", "AM", "—")
_f("case", "nationality", "nationality", "громадянство", "iso3166", "AM", "—")
_f("case", "home_address", "home address", "домашня адреса", "text", "AM", "—")
_f("case", "reporting_person", "reporting person", "заявник", "text", "AM", "—")
_f(
    "case",
    "consent_purpose",
    "consent purpose",
    "мета згоди",
    "multichoice",
    "AM",
    "—",
    _ch(
        ("identification", "identification", "ідентифікація"),
        ("dna", "DNA analysis", "аналіз ДНК"),
        ("publication", "publication", "оприлюднення"),
    ),
)
_f(
    "case",
    "body_no",
    "body number",
    "номер тіла",
    "string",
    "PM",
    "—",
    note="site + grave + sequence",
)

# 2. Disappearance and recovery
CIRCUMSTANCES = _ch(
    ("detained", "detained", "затримання"),
    ("abducted", "abducted", "викрадення"),
    ("combat", "combat", "бойові дії"),
    ("shelling", "shelling", "обстріл"),
    ("displacement", "displacement", "переміщення"),
    ("unknown", "unknown", "невідомо"),
)
_f(
    "disappearance",
    "last_seen_date",
    "last seen (date)",
    "востаннє бачили (дата)",
    "date_range",
    "AM",
    "RNG",
    note="a burial window ending before it excludes (EXCL)",
)
_f(
    "disappearance",
    "last_seen_place",
    "last seen (place)",
    "востаннє бачили (місце)",
    "text_point",
    "AM",
    "—",
    note="distance to grave: weak prior",
)
_f(
    "disappearance",
    "circumstances",
    "circumstances",
    "обставини",
    "choice",
    "AM",
    "—",
    CIRCUMSTANCES,
)
_f("disappearance", "witnessed_with", "seen with", "бачили разом з", "links", "AM", "—")
_f("disappearance", "event_id", "event", "подія", "string", "both", "EX")
_f(
    "disappearance",
    "burial_window",
    "burial window",
    "період поховання",
    "date_range",
    "PM",
    "RNG",
)

# 3. Biological profile
SEX_AM = _ch(
    ("male", "male", "чоловіча"),
    ("female", "female", "жіноча"),
    ("unknown", "unknown", "невідомо"),
)
SEX_PM = _ch(
    ("male", "male", "чоловіча"),
    ("probable_male", "probably male", "ймовірно чоловіча"),
    ("indeterminate", "indeterminate", "не визначено"),
    ("probable_female", "probably female", "ймовірно жіноча"),
    ("female", "female", "жіноча"),
)
_f(
    "biological",
    "sex_am",
    "sex",
    "стать",
    "choice",
    "AM",
    "EXCL",
    SEX_AM,
    note="EXCL only if both definite and opposite",
)
_f(
    "biological",
    "sex_pm",
    "estimated sex",
    "оцінена стать",
    "choice",
    "PM",
    "EXCL",
    SEX_PM,
)
_f(
    "biological",
    "sex_method",
    "sex estimation method",
    "метод визначення статі",
    "choice",
    "PM",
    "—",
    _ch(
        ("morphology", "morphology", "морфологія"),
        ("amelogenin", "amelogenin (DNA)", "амелогенін (ДНК)"),
    ),
)
_f(
    "biological",
    "certainty",
    "certainty",
    "ступінь певності",
    "choice",
    "PM",
    "—",
    CERTAINTY,
)
_f("biological", "am_source", "source", "джерело", "choice", "AM", "—", AM_SOURCE)
_f(
    "biological",
    "age_am",
    "age at disappearance",
    "вік на момент зникнення",
    "range",
    "AM",
    "RNG",
    note="from date_of_birth at last_seen",
)
_f(
    "biological",
    "age_pm",
    "estimated age",
    "оцінений вік",
    "range",
    "PM",
    "RNG",
    note="age_min–age_max",
)
_f(
    "biological",
    "age_method",
    "age estimation method",
    "метод оцінки віку",
    "choice",
    "PM",
    "—",
    _ch(
        ("dental_development", "dental development", "розвиток зубів"),
        ("epiphyseal_fusion", "epiphyseal fusion", "зрощення епіфізів"),
        ("pubic_symphysis", "pubic symphysis", "лобковий симфіз"),
        ("auricular_surface", "auricular surface", "вушкоподібна поверхня"),
    ),
)
_f("biological", "stature_am", "stature (cm)", "зріст (см)", "float", "AM", "RNG")
_f(
    "biological",
    "stature_source",
    "stature source",
    "джерело даних про зріст",
    "choice",
    "AM",
    "—",
    _ch(
        ("id_document", "ID document", "документ, що посвідчує особу"),
        ("military_record", "military record", "військово-обліковий документ"),
        ("medical_record", "medical record", "медичний запис"),
        ("family_estimate", "family estimate", "оцінка родини"),
    ),
)
_f(
    "biological",
    "stature_pm",
    "estimated stature (cm)",
    "оцінений зріст (см)",
    "float_se",
    "PM",
    "RNG",
    note="long-bone estimate ± SE + formula",
)
_f(
    "biological",
    "build",
    "build",
    "статура",
    "choice",
    "both",
    "SET",
    _ch(
        ("slight", "slight", "худорлява"),
        ("medium", "medium", "середня"),
        ("heavy", "heavy", "кремезна"),
        ("obese", "obese", "огрядна"),
    ),
    note="soft",
)
_f(
    "biological",
    "handedness",
    "handedness",
    "провідна рука",
    "choice",
    "both",
    "SET",
    _ch(
        ("left", "left", "ліва"),
        ("right", "right", "права"),
        ("unknown", "unknown", "невідомо"),
    ),
    note="soft",
)

# 4. Physical description
_f(
    "physical",
    "hair_colour",
    "hair colour",
    "колір волосся",
    "choice",
    "both",
    "SET",
    _ch(
        ("black", "black", "чорне"),
        ("dark_brown", "dark brown", "темно-каштанове"),
        ("brown", "brown", "каштанове"),
        ("light_brown", "light brown", "світло-русяве"),
        ("blond", "blond", "біляве"),
        ("red", "red", "руде"),
        ("grey", "grey", "сиве"),
        ("white", "white", "біле"),
        ("dyed", "dyed", "фарбоване"),
        ("bald", "bald", "лисий"),
    ),
    note="burial alters hair: never EXCL",
)
_f(
    "physical",
    "hair_length",
    "hair length",
    "довжина волосся",
    "choice",
    "both",
    "SET",
    _ch(
        ("shaved", "shaved", "поголене"),
        ("short", "short", "коротке"),
        ("medium", "medium", "середнє"),
        ("long", "long", "довге"),
    ),
    note="soft",
)
_f(
    "physical",
    "hair_style",
    "hair style",
    "тип волосся",
    "choice",
    "both",
    "SET",
    _ch(
        ("straight", "straight", "пряме"),
        ("wavy", "wavy", "хвилясте"),
        ("curly", "curly", "кучеряве"),
    ),
    note="soft",
)
_f(
    "physical",
    "facial_hair",
    "facial hair",
    "волосся на обличчі",
    "choice",
    "both",
    "SET",
    _ch(
        ("none", "none", "немає"),
        ("moustache", "moustache", "вуса"),
        ("beard", "beard", "борода"),
        ("stubble", "stubble", "щетина"),
    ),
    note="soft; grows between last seen and death",
)
_f(
    "physical",
    "eye_colour",
    "eye colour",
    "колір очей",
    "choice",
    "both",
    "SET",
    _ch(
        ("blue", "blue", "блакитні"),
        ("grey", "grey", "сірі"),
        ("green", "green", "зелені"),
        ("hazel", "hazel", "горіхові"),
        ("brown", "brown", "карі"),
        ("black", "black", "чорні"),
    ),
    note="PM rarely preserved; soft",
)
_f(
    "physical",
    "photo_kind",
    "photograph kind",
    "вид фотографії",
    "choice",
    "AM",
    "TXT",
    _ch(
        ("face", "face", "обличчя"),
        ("smile", "smile (teeth visible)", "усмішка (видно зуби)"),
        ("tattoo", "tattoo", "татуювання"),
    ),
    note="human review",
)

# 5. Particulars
_f(
    "particulars",
    "body_region",
    "body region",
    "ділянка тіла",
    "choice",
    "both",
    "SET",
    BODY_REGION,
)
_f("particulars", "body_side", "side", "бік", "choice", "both", "SET", BODY_SIDE)
_f(
    "particulars",
    "particular_kind",
    "kind of particular",
    "вид прикмети",
    "choice",
    "both",
    "SET",
    _ch(
        ("scar", "scar", "рубець"),
        ("tattoo", "tattoo", "татуювання"),
        ("piercing", "piercing", "пірсинг"),
        ("birthmark", "birthmark", "родима пляма"),
        ("mole", "mole", "родимка"),
        ("amputation", "amputation", "ампутація"),
        ("deformity", "deformity or anomaly", "деформація або аномалія"),
        ("prosthesis", "prosthesis", "протез"),
        ("implant", "implant", "імплант"),
        ("fracture", "fracture", "перелом"),
    ),
    note="fracture rows come from §6; one row per feature",
)
_f(
    "particulars",
    "scar_cause",
    "scar cause",
    "причина рубця",
    "choice",
    "both",
    "SET",
    _ch(
        ("surgery", "surgery", "операція"),
        ("injury", "injury", "травма"),
        ("burn", "burn", "опік"),
    ),
)
_f(
    "particulars",
    "amputation_level",
    "amputation level",
    "рівень ампутації",
    "choice",
    "both",
    "EXCL",
    _ch(
        ("finger", "finger", "палець кисті"),
        ("hand", "hand", "кисть"),
        ("below_elbow", "below elbow", "нижче ліктя"),
        ("above_elbow", "above elbow", "вище ліктя"),
        ("toe", "toe", "палець стопи"),
        ("foot", "foot", "стопа"),
        ("below_knee", "below knee", "нижче коліна"),
        ("above_knee", "above knee", "вище коліна"),
    ),
    note="levels are an Imena addition; EXCL if AM amputated but PM limb present",
)
_f(
    "particulars",
    "prosthesis_type",
    "prosthesis type",
    "тип протеза",
    "choice",
    "both",
    "SET",
    _ch(
        ("limb", "limb", "протез кінцівки"),
        ("eye", "eye", "очний протез"),
        ("hip", "hip", "ендопротез кульшового суглоба"),
        ("knee", "knee", "ендопротез колінного суглоба"),
        ("dental", "dental", "зубний протез"),
    ),
)
_f(
    "particulars",
    "implant_type",
    "implant type",
    "тип імпланта",
    "choice",
    "both",
    "SET",
    _ch(
        ("pin", "pin", "спиця"),
        ("plate", "plate", "пластина"),
        ("screw", "screw", "гвинт"),
        ("pacemaker", "pacemaker", "кардіостимулятор"),
        ("stent", "stent", "стент"),
        ("breast", "breast", "грудний імплант"),
    ),
)
_f(
    "particulars",
    "implant_serial",
    "implant serial or lot number",
    "серійний номер або номер партії імпланта",
    "string",
    "both",
    "EX",
    note="serial EX ≈ conclusive",
)
_f(
    "particulars",
    "tattoo_motif",
    "tattoo motif and text",
    "мотив і текст татуювання",
    "text",
    "both",
    "TXT",
)

# 6. Medical history
_f(
    "medical",
    "fracture_state",
    "fracture state (PM)",
    "стан перелому (PM)",
    "choice",
    "PM",
    "SET",
    _ch(
        ("healed", "healed", "зрощений"),
        ("healing", "healing", "у процесі зрощення"),
        ("perimortem", "perimortem", "перимортальний"),
    ),
    note="PM healed with no AM history → consistent_explained",
)
_f(
    "medical",
    "fracture_year",
    "fracture year (AM)",
    "рік перелому (AM)",
    "int",
    "AM",
    "SET",
)
_f("medical", "surgery", "surgery", "операція", "text", "both", "SET")
_f(
    "medical",
    "disease",
    "disease with skeletal traces",
    "хвороба зі слідами на кістках",
    "choice",
    "both",
    "SET",
    _ch(
        ("tuberculosis", "tuberculosis", "туберкульоз"),
        ("osteomyelitis", "osteomyelitis", "остеомієліт"),
        ("arthritis", "arthritis", "артрит"),
        ("dish", "DISH", "дифузний ідіопатичний гіперостоз скелета"),
        ("other", "other", "інше"),
    ),
    note="soft",
)

# 7. Dental
TOOTH_STATUS = _ch(
    ("present_sound", "present, sound", "наявний, інтактний"),
    (
        "missing_antemortem",
        "missing antemortem (healed socket)",
        "втрачений прижиттєво (загоєна лунка)",
    ),
    (
        "missing_postmortem",
        "missing postmortem (open socket)",
        "втрачений посмертно (відкрита лунка)",
    ),
    ("not_erupted", "not erupted", "не прорізався"),
    ("impacted", "impacted", "ретинований"),
    ("root_only", "root only", "лише корінь"),
    ("not_recovered", "not recovered", "не виявлено"),
    ("no_information", "no information", "немає інформації"),
)
SURFACES = _ch(
    ("M", "mesial", "мезіальна"),
    ("O", "occlusal", "оклюзійна"),
    ("I", "incisal", "різальний край"),
    ("D", "distal", "дистальна"),
    ("B", "buccal", "щічна"),
    ("F", "facial (labial)", "вестибулярна (губна)"),
    ("L", "lingual", "язикова"),
    ("P", "palatal", "піднебінна"),
)
_f(
    "dental",
    "tooth",
    "tooth (FDI)",
    "зуб (FDI)",
    "fdi",
    "both",
    "EXCL",
    TOOTH,
    note="ISO 3950; validate with is_valid_fdi",
)
_f(
    "dental",
    "tooth_status",
    "tooth status",
    "стан зуба",
    "choice",
    "both",
    "EXCL",
    TOOTH_STATUS,
)
_f(
    "dental",
    "restoration",
    "restoration material",
    "матеріал пломби",
    "choice",
    "both",
    "EXCL",
    _ch(
        ("amalgam", "amalgam", "амальгама"),
        ("composite", "composite", "композит"),
        ("glass_ionomer", "glass ionomer", "склоіономер"),
        ("gold", "gold", "золото"),
        ("ceramic", "ceramic", "кераміка"),
        ("temporary", "temporary", "тимчасова"),
    ),
)
_f(
    "dental",
    "surface",
    "tooth surface",
    "поверхня зуба",
    "multichoice",
    "both",
    "EXCL",
    SURFACES,
)
_f(
    "dental",
    "crown",
    "crown",
    "коронка",
    "choice",
    "both",
    "EXCL",
    _ch(
        ("full_metal", "full metal", "суцільнометалева"),
        ("porcelain_fused_to_metal", "porcelain fused to metal", "металокерамічна"),
        ("ceramic", "ceramic", "керамічна"),
        ("steel", "steel", "сталева"),
    ),
)
_f(
    "dental",
    "bridge",
    "bridge element",
    "елемент мосту",
    "choice",
    "both",
    "EXCL",
    _ch(
        ("abutment", "abutment", "опорний зуб"),
        ("pontic", "pontic", "проміжна частина"),
    ),
)
_f(
    "dental",
    "dental_implant",
    "dental implant",
    "зубний імплантат",
    "choice",
    "both",
    "EXCL",
    _ch(
        ("fixture", "fixture", "фікстура"),
        ("implant_crown", "crown on implant", "коронка на імплантаті"),
    ),
)
_f(
    "dental",
    "endodontics",
    "endodontics",
    "ендодонтія",
    "multichoice",
    "both",
    "EXCL",
    _ch(
        ("root_filling", "root filling", "пломбування кореневого каналу"),
        ("post", "post", "штифт"),
    ),
)
_f(
    "dental",
    "denture",
    "denture",
    "знімний протез",
    "choice",
    "both",
    "SET",
    _ch(("full", "full", "повний"), ("partial", "partial", "частковий")),
)
_f(
    "dental",
    "denture_jaw",
    "denture jaw",
    "щелепа протеза",
    "choice",
    "both",
    "SET",
    _ch(("upper", "upper", "верхня"), ("lower", "lower", "нижня")),
)
_f(
    "dental",
    "dental_other",
    "other dental finding",
    "інша стоматологічна ознака",
    "multichoice",
    "both",
    "SET",
    _ch(
        ("caries", "caries", "карієс"),
        ("rotation", "rotation", "поворот зуба"),
        ("diastema", "diastema", "діастема"),
        ("fracture", "fracture", "перелом"),
        ("orthodontic_appliance", "orthodontic appliance", "ортодонтичний апарат"),
        ("anomaly", "anomaly", "аномалія"),
    ),
)

# 8. Clothing
_f(
    "clothing",
    "clothing_category",
    "clothing item",
    "предмет одягу",
    "choice",
    "both",
    "SET",
    _ch(
        ("coat", "coat", "пальто"),
        ("jacket", "jacket", "куртка"),
        ("shirt", "shirt", "сорочка"),
        ("t-shirt", "T-shirt", "футболка"),
        ("sweater", "sweater", "светр"),
        ("trousers", "trousers", "штани"),
        ("skirt", "skirt", "спідниця"),
        ("dress", "dress", "сукня"),
        ("underwear", "underwear", "білизна"),
        ("socks", "socks", "шкарпетки"),
        ("belt", "belt", "ремінь"),
        ("headwear", "headwear", "головний убір"),
        ("uniform", "uniform", "форма"),
        ("footwear", "footwear", "взуття"),
    ),
    note="clothing can be swapped: never confirm on it alone",
)
_f(
    "clothing",
    "footwear_type",
    "footwear type",
    "тип взуття",
    "choice",
    "both",
    "SET",
    _ch(
        ("shoes", "shoes", "черевики"),
        ("boots", "boots", "чоботи"),
        ("sandals", "sandals", "сандалі"),
    ),
)
_f(
    "clothing",
    "colour",
    "colour",
    "колір",
    "multichoice",
    "both",
    "SET",
    COLOUR,
    note="shared colour list is an Imena addition; soft (colours change in burial)",
)
_f(
    "clothing",
    "pattern",
    "pattern",
    "візерунок",
    "choice",
    "both",
    "SET",
    _ch(
        ("plain", "plain", "однотонний"),
        ("striped", "striped", "смугастий"),
        ("checked", "checked", "картатий"),
        ("camouflage", "camouflage", "камуфляж"),
    ),
)
_f(
    "clothing",
    "material",
    "material",
    "матеріал",
    "choice",
    "both",
    "SET",
    _ch(
        ("cotton", "cotton", "бавовна"),
        ("wool", "wool", "вовна"),
        ("synthetic", "synthetic", "синтетика"),
        ("leather", "leather", "шкіра"),
        ("rubber", "rubber", "гума"),
    ),
)
_f(
    "clothing",
    "size_system",
    "size system",
    "система розмірів",
    "choice",
    "both",
    "RNG",
    _ch(
        ("EU", "EU", "європейська (EU)"),
        ("UK", "UK", "британська (UK)"),
        ("US", "US", "американська (US)"),
    ),
    note="normalise to EU; RNG ±1",
)
_f(
    "clothing",
    "label_text",
    "brand, label or name tag",
    "бренд, етикетка або бирка",
    "text",
    "both",
    "TXT",
)

# 9. Effects and documents
_f(
    "effects",
    "effect",
    "personal effect",
    "особиста річ",
    "choice",
    "both",
    "SET",
    _ch(
        ("watch", "watch", "годинник"),
        ("ring", "ring", "перстень"),
        ("necklace", "necklace", "намисто або ланцюжок"),
        ("earring", "earring", "сережка"),
        ("bracelet", "bracelet", "браслет"),
        ("religious_item", "religious item", "релігійний предмет"),
        ("glasses", "glasses", "окуляри"),
        ("wallet", "wallet", "гаманець"),
        ("keys", "keys", "ключі"),
        ("phone", "phone", "телефон"),
        ("lighter", "lighter", "запальничка"),
        ("photo", "photograph", "фотографія"),
        ("other", "other", "інше"),
    ),
)
_f(
    "effects",
    "effect_serial",
    "serial number (watch, IMEI)",
    "серійний номер (годинник, IMEI)",
    "string",
    "both",
    "EX",
)
_f("effects", "engraving", "engraving text", "гравіювання", "text", "both", "TXT")
_f(
    "effects",
    "identity_document",
    "identity document",
    "документ, що посвідчує особу",
    "choice",
    "both",
    "EX",
    _ch(
        ("passport", "passport", "паспорт"),
        ("national_id", "national ID card", "ID-картка"),
        ("military_id", "military ID", "військовий квиток"),
        ("driving_licence", "driving licence", "посвідчення водія"),
        ("other", "other", "інший"),
    ),
    note="number EX; supporting only (papers travel)",
)
_f(
    "effects",
    "location_on_body",
    "location on body",
    "розташування на тілі",
    "choice",
    "PM",
    "—",
    _ch(
        ("pocket", "pocket", "у кишені"),
        ("wrist", "wrist", "на зап'ясті"),
        ("neck", "neck", "на шиї"),
        ("grave_fill", "grave fill nearby", "у засипці могили поруч"),
    ),
    note="decides if the item is associated with the body",
)

# 10. DNA
_f(
    "dna",
    "reference_kind",
    "reference kind",
    "вид зразка порівняння",
    "choice",
    "AM",
    "—",
    _ch(
        (
            "direct",
            "direct (the missing person's own)",
            "прямий (зразок зниклої особи)",
        ),
        ("kinship", "kinship (a relative's)", "родинний (зразок родича)"),
    ),
)
_f(
    "dna",
    "direct_source",
    "direct reference source",
    "джерело прямого зразка",
    "choice",
    "AM",
    "EX",
    _ch(
        ("toothbrush", "toothbrush", "зубна щітка"),
        ("hairbrush_comb", "hairbrush or comb", "щітка для волосся або гребінець"),
        ("razor", "razor", "бритва"),
        ("clothing", "clothing", "одяг"),
        ("stored_medical", "stored medical sample", "збережений медичний зразок"),
        ("baby_teeth", "baby teeth", "молочні зуби"),
        ("umbilical", "umbilical cord", "пуповина"),
    ),
    note="code hairbrush_comb stands for the dictionary's hairbrush/comb",
)
KINSHIP_RELATION = _ch(
    ("father", "father", "батько"),
    ("mother", "mother", "мати"),
    ("child", "child", "дитина"),
    ("full_sibling", "full sibling", "рідний брат або сестра"),
    (
        "half_sibling_paternal",
        "paternal half-sibling",
        "єдинокровний брат або сестра (спільний батько)",
    ),
    (
        "half_sibling_maternal",
        "maternal half-sibling",
        "єдиноутробний брат або сестра (спільна мати)",
    ),
    ("grandparent", "grandparent", "дід або баба"),
    ("uncle_aunt", "uncle or aunt", "дядько або тітка"),
    ("cousin", "first cousin", "двоюрідний брат або сестра"),
    (
        "spouse",
        "spouse (links shared children only)",
        "чоловік або дружина (лише для зв'язку спільних дітей)",
    ),
)
_f(
    "dna",
    "donor_relationship",
    "donor's relationship",
    "спорідненість донора",
    "choice",
    "AM",
    "—",
    KINSHIP_RELATION,
    note="kinship LR through the pedigree",
)
_f(
    "dna",
    "pm_sample",
    "PM sample type",
    "тип посмертного зразка",
    "choice",
    "PM",
    "—",
    _ch(
        ("bone", "bone", "кістка"),
        ("tooth", "tooth", "зуб"),
        ("soft_tissue", "soft tissue", "м'які тканини"),
        ("hair", "hair", "волосся"),
        ("nail", "nail", "ніготь"),
    ),
)
_f(
    "dna",
    "bone_element",
    "bone element",
    "кістковий елемент",
    "choice",
    "PM",
    "—",
    _ch(
        ("femur", "femur", "стегнова кістка"),
        ("tibia", "tibia", "великогомілкова кістка"),
        ("petrous", "petrous bone", "піраміда скроневої кістки"),
        ("metacarpal", "metacarpal", "п'ясткова кістка"),
        ("other", "other", "інша"),
    ),
)
_f(
    "dna",
    "dna_result",
    "DNA result",
    "результат ДНК",
    "choice",
    "both",
    "EXCL",
    _ch(
        ("match", "match", "збіг"),
        ("exclusion", "exclusion", "виключення"),
        ("inconclusive", "inconclusive", "непереконливий"),
    ),
    note="Y/mt mismatch beyond mutation → EXCL",
)

# 11. Fingerprints
_f(
    "fingerprints",
    "fingerprint_source",
    "fingerprint source",
    "джерело відбитків",
    "choice",
    "both",
    "TXT",
    _ch(
        ("record", "fingerprint record", "дактилокартка"),
        ("latent", "latent from personal items", "сліди з особистих речей"),
        ("pm_skin", "PM prints from preserved skin", "посмертні відбитки"),
    ),
    note="an expert compares",
)
_f(
    "fingerprints",
    "fingerprint_conclusion",
    "fingerprint conclusion",
    "висновок дактилоскопічної експертизи",
    "choice",
    "both",
    "TXT",
    _ch(
        ("identification", "identification", "ідентифікація"),
        ("exclusion", "exclusion", "виключення"),
        ("inconclusive", "inconclusive", "непереконливий"),
    ),
)

# 12. Grave and custody
_f(
    "grave",
    "site_type",
    "site type",
    "тип місця",
    "choice",
    "PM",
    "—",
    _ch(
        ("cemetery", "cemetery", "кладовище"),
        ("mass_grave", "mass grave", "масове поховання"),
        ("clandestine", "clandestine", "таємне поховання"),
        ("surface_scatter", "surface scatter", "рештки на поверхні"),
    ),
)
_f(
    "grave",
    "grave_marker",
    "grave marker",
    "надмогильний знак",
    "choice",
    "PM",
    "TXT",
    _ch(
        ("numbered_plate", "numbered plate", "табличка з номером"),
        ("cross", "cross", "хрест"),
        ("stone", "stone", "камінь"),
        ("none", "none", "немає"),
    ),
    note="text as read is a lead, not an identification",
)
_f(
    "grave",
    "grave_type",
    "grave type",
    "тип могили",
    "choice",
    "PM",
    "—",
    _ch(
        ("individual", "individual", "індивідуальна"),
        ("mass_primary", "mass, primary", "масова первинна"),
        (
            "mass_secondary",
            "mass, secondary (remains moved in)",
            "масова вторинна (рештки перенесено)",
        ),
        ("disturbed", "disturbed", "порушена"),
    ),
)
_f(
    "grave",
    "body_position",
    "body position",
    "положення тіла",
    "choice",
    "PM",
    "—",
    _ch(
        ("extended_supine", "extended, supine", "випрямлене на спині"),
        ("extended_prone", "extended, prone", "випрямлене на животі"),
        ("flexed", "flexed", "зігнуте"),
        ("on_side", "on side", "на боці"),
        ("seated", "seated", "сидяче"),
        ("irregular", "irregular", "неправильне"),
    ),
)
_f(
    "grave",
    "articulation",
    "articulation",
    "анатомічний зв'язок",
    "choice",
    "PM",
    "—",
    _ch(
        ("articulated", "articulated", "збережений"),
        ("partially", "partially articulated", "частково збережений"),
        ("disarticulated", "disarticulated", "втрачений"),
    ),
)
_f(
    "grave",
    "commingling",
    "commingling",
    "змішування решток",
    "choice",
    "PM",
    "—",
    _ch(
        ("none", "none", "немає"),
        ("suspected", "suspected", "підозрюється"),
        ("confirmed", "confirmed", "підтверджено"),
    ),
)
_f(
    "grave",
    "container",
    "container or wrapping",
    "вмістилище або обгортка",
    "choice",
    "PM",
    "—",
    _ch(
        ("none", "none", "немає"),
        ("body_bag", "body bag", "мішок для тіла"),
        ("coffin", "coffin", "труна"),
        ("shroud", "shroud", "саван"),
        ("blanket", "blanket", "ковдра"),
        ("plastic", "plastic", "поліетилен"),
    ),
)

# 13. Pathology
_f(
    "pathology",
    "preservation",
    "preservation",
    "стан збереженості",
    "choice",
    "PM",
    "—",
    _ch(
        ("fresh", "fresh", "свіже"),
        ("decomposed", "decomposed", "гниття"),
        ("adipocere", "adipocere", "жировіск"),
        ("mummified", "mummified", "муміфікація"),
        ("skeletonised", "skeletonised", "скелетоване"),
        ("burnt", "burnt", "обгоріле"),
    ),
)
_f(
    "pathology",
    "pm_interval",
    "post-mortem interval",
    "давність смерті",
    "range",
    "PM",
    "RNG",
)
_f(
    "pathology",
    "cause_of_death",
    "cause of death",
    "причина смерті",
    "choice",
    "PM",
    "—",
    _ch(
        ("gunshot", "gunshot", "вогнепальне поранення"),
        ("blunt_force", "blunt force", "тупа травма"),
        ("sharp_force", "sharp force", "гостра травма"),
        ("blast", "blast", "вибухова травма"),
        ("asphyxia", "asphyxia", "асфіксія"),
        ("burns", "burns", "опіки"),
        ("undetermined", "undetermined", "не встановлено"),
    ),
    note="matches AM circumstances only as context",
)
_f(
    "pathology",
    "manner_of_death",
    "manner of death",
    "рід смерті",
    "choice",
    "PM",
    "—",
    _ch(
        ("homicide", "homicide", "вбивство"),
        ("suicide", "suicide", "самогубство"),
        ("accident", "accident", "нещасний випадок"),
        ("natural", "natural", "природна смерть"),
        ("undetermined", "undetermined", "не встановлено"),
    ),
)
_f(
    "pathology",
    "injury_region",
    "injury region",
    "ділянка ушкодження",
    "choice",
    "PM",
    "—",
    BODY_REGION,
)
_f(
    "pathology",
    "injury_mechanism",
    "injury mechanism",
    "механізм ушкодження",
    "choice",
    "PM",
    "—",
    _ch(
        ("gunshot", "gunshot", "вогнепальне"),
        ("blunt", "blunt", "тупе"),
        ("sharp", "sharp", "гостре"),
        ("blast", "blast", "вибухове"),
        ("burn", "burn", "опік"),
        ("other", "other", "інше"),
    ),
)
_f(
    "pathology",
    "injury_timing",
    "injury timing",
    "час заподіяння ушкодження",
    "choice",
    "PM",
    "—",
    _ch(
        ("antemortem_healed", "antemortem, healed", "прижиттєве, загоєне"),
        ("perimortem", "perimortem", "перимортальне"),
        ("postmortem_damage", "postmortem damage", "посмертне пошкодження"),
    ),
    note="healed injuries feed §6",
)
_f(
    "pathology",
    "gunshot_wound",
    "gunshot wound",
    "вогнепальна рана",
    "choice",
    "PM",
    "—",
    _ch(("entrance", "entrance", "вхідна"), ("exit", "exit", "вихідна")),
)
_f(
    "pathology",
    "gunshot_range",
    "range of fire",
    "дистанція пострілу",
    "choice",
    "PM",
    "—",
    _ch(
        ("contact", "contact", "впритул"),
        ("close", "close range", "близька"),
        ("intermediate", "intermediate", "проміжна"),
        ("distant", "distant", "далека"),
        ("undetermined", "undetermined", "не визначено"),
    ),
    note="codes are an Imena addition ('range if known')",
)
_f(
    "pathology",
    "restraint_material",
    "restraint material",
    "матеріал для зв'язування",
    "choice",
    "PM",
    "—",
    _ch(
        ("rope", "rope", "мотузка"),
        ("wire", "wire", "дріт"),
        ("cable_tie", "cable tie", "пластикова стяжка"),
        ("cloth", "cloth", "тканина"),
    ),
    note="context only",
)
_f(
    "pathology",
    "restraint_location",
    "restraint location",
    "місце зв'язування",
    "choice",
    "PM",
    "—",
    _ch(
        ("wrists", "wrists (bound hands)", "зап'ястя (зв'язані руки)"),
        ("ankles", "ankles", "щиколотки"),
        ("neck", "neck", "шия"),
        ("blindfold", "blindfold", "пов'язка на очах"),
        ("gag", "gag", "кляп"),
    ),
)
_f(
    "pathology",
    "torture_indicator",
    "torture indicator (Istanbul Protocol)",
    "ознака катування (Стамбульський протокол)",
    "multichoice",
    "PM",
    "—",
    _ch(
        (
            "patterned_blunt_injury",
            "patterned blunt injury",
            "візерунчасті травми тупим предметом",
        ),
        ("falanga", "falanga", "фаланга (удари по стопах)"),
        ("hand_fracture", "hand fractures", "переломи кисті"),
        ("foot_fracture", "foot fractures", "переломи стопи"),
        ("teeth_fracture", "teeth fractures", "переломи зубів"),
        ("cigarette_burn", "cigarette burns", "опіки від цигарок"),
        ("electrical_burn", "electrical marks or burns", "електричні мітки або опіки"),
        ("suspension", "suspension", "підвішування"),
        ("sexual_violence", "sexual violence", "сексуальне насильство"),
        (
            "ligature_mark",
            "ligature marks",
            "сліди зв'язування (странгуляційні борозни)",
        ),
    ),
    note="ligature_mark is an Imena addition; restraints themselves are "
    "restraint_material/restraint_location; gunshot, blunt and sharp force are "
    "injury_mechanism, close range is gunshot_range",
)
_f(
    "pathology",
    "torture_consistency",
    "consistency with torture",
    "узгодженість з катуванням",
    "choice",
    "PM",
    "—",
    _ch(
        ("not", "not consistent", "не узгоджується"),
        ("consistent", "consistent", "узгоджується"),
        ("highly_consistent", "highly consistent", "значною мірою узгоджується"),
        ("typical", "typical", "типово"),
        ("diagnostic", "diagnostic", "діагностично"),
    ),
)

FIELDS: dict[str, Field] = {}
for _field in _F:
    if _field.key in FIELDS:
        raise RuntimeError(f"duplicate vocabulary field: {_field.key}")
    FIELDS[_field.key] = _field

# Shortcut names used by the comparison code.
SEX_AM_CODES = FIELDS["sex_am"].codes()
SEX_PM_CODES = FIELDS["sex_pm"].codes()
HAIR_COLOURS = FIELDS["hair_colour"].codes()
EYE_COLOURS = FIELDS["eye_colour"].codes()
BUILDS = FIELDS["build"].codes()
BODY_REGIONS = FIELDS["body_region"].codes()
PARTICULAR_KINDS = FIELDS["particular_kind"].codes()
TOOTH_STATUSES = FIELDS["tooth_status"].codes()
KINSHIP_RELATIONS = FIELDS["donor_relationship"].codes()


def field(key: str) -> Field:
    try:
        return FIELDS[key]
    except KeyError:
        raise KeyError(f"unknown vocabulary field: {key}") from None


def fields_in(section: str) -> list[Field]:
    return [f for f in FIELDS.values() if f.section == section]


def choices(key: str, lang: Lang = "en") -> list[tuple[str, str]]:
    """Django-style ``[(code, label), ...]`` for a choice field (English by default)."""
    f = field(key)
    if not f.choices:
        raise ValueError(f"field {key} has no choice list")
    return [(c.code, c.en if lang == "en" else c.uk) for c in f.choices]


def label(key: str, code: str, lang: Lang = "en") -> str:
    """The label of ``code`` in field ``key``, in ``lang`` ('en' or 'uk')."""
    if lang not in ("en", "uk"):
        raise ValueError("lang must be 'en' or 'uk'")
    for c in field(key).choices:
        if c.code == code:
            return c.en if lang == "en" else c.uk
    raise KeyError(f"{code!r} is not a code of {key}")


def is_valid(key: str, code: str) -> bool:
    return code in field(key).codes()


def as_dict() -> dict[str, Any]:
    """The whole vocabulary as plain JSON-ready data (for XLSForm export)."""
    return {
        "sections": [
            {"key": s.key, "number": s.number, "en": s.en, "uk": s.uk} for s in SECTIONS
        ],
        "fields": [
            {
                "key": f.key,
                "section": f.section,
                "label_en": f.label_en,
                "label_uk": f.label_uk,
                "type": f.type,
                "side": f.side,
                "compare": f.compare,
                "choices": [[c.code, c.en, c.uk] for c in f.choices],
                "note": f.note,
            }
            for f in FIELDS.values()
        ],
    }


def _version() -> str:
    blob = json.dumps(as_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


VOCABULARY_VERSION: str = _version()
