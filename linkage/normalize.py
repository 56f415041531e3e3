"""Pure normalisation functions for burial-journal data.

Everything here is deterministic and side-effect free (dictionaries are loaded
lazily and cached). Names are compared through several *keys*:

``canonical_name``  NFC, one apostrophe, Latin look-alikes fixed, case folded.
``xlang_key``       Ukrainian and Russian spellings mapped to one key (Олександр
                    and Александр give the same key).
``latin_key``       KMU 2010 transliteration (Cabinet of Ministers resolution 55)
                    reduced to a skeleton so that Latin-written names compare.
``phonetic_key``    a Ukrainian-aware consonant skeleton.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CANONICAL_APOSTROPHE",
    "GraveNumber",
    "NameParts",
    "PartialDate",
    "age_from_note",
    "birth_year_range_from_age",
    "written_twice_note",
    "canonical_name",
    "fix_mixed_script",
    "fold",
    "grave_numbers_transposed",
    "is_given_name",
    "is_patronymic",
    "is_unknown_name",
    "is_unnumbered_grave",
    "latin_key",
    "nfc",
    "parse_age",
    "parse_date",
    "parse_grave_number",
    "phonetic_key",
    "russian_equivalent",
    "sex_of",
    "split_full_name",
    "translit_kmu",
    "ukrainian_equivalent",
    "unify_apostrophes",
    "xlang_key",
]

# --------------------------------------------------------------------------- text

#: The apostrophe every variant is mapped to (U+02BC MODIFIER LETTER APOSTROPHE,
#: the one the Ukrainian orthography recommends in Unicode text).
CANONICAL_APOSTROPHE = "\u02bc"
_APOSTROPHES = "'\u2019\u2018`\u2032\u02b9\u02bc\u00b4\u201b\uff07"
_APOS_RE = re.compile("[" + re.escape(_APOSTROPHES) + "]")

_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_LAT_RE = re.compile(r"[A-Za-z]")

# Latin letters that look like Cyrillic ones. Lower-case "b" is left out on
# purpose: in hand-copied text it stands for "ь" as often as for "в".
_LAT_TO_CYR = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К",
    "M": "М", "O": "О", "P": "Р", "T": "Т", "X": "Х", "Y": "У",
    "a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х",
    "y": "у", "k": "к", "m": "м", "h": "н", "t": "т",
    "\u00ef": "ї", "\u00cf": "Ї",
}  # fmt: skip
_CYR_TO_LAT = {
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "К": "K",
    "М": "M", "О": "O", "Р": "P", "Т": "T", "Х": "X", "У": "Y",
    "а": "a", "с": "c", "е": "e", "і": "i", "о": "o", "р": "p", "х": "x",
    "у": "y", "к": "k",
}  # fmt: skip
_WORD_RE = re.compile(r"[^\W\d_]+(?:[" + re.escape(_APOSTROPHES) + r"-][^\W\d_]+)*")


def nfc(s: str) -> str:
    """Unicode NFC normalisation (composes й, ї, ё from base + combining mark)."""
    return unicodedata.normalize("NFC", s)


def unify_apostrophes(s: str) -> str:
    """Map every apostrophe look-alike (' ’ ‘ ` ′ ʹ ´) to ``CANONICAL_APOSTROPHE``."""
    return _APOS_RE.sub(CANONICAL_APOSTROPHE, s)


def _fix_word(word: str) -> str:
    if not (_CYR_RE.search(word) and _LAT_RE.search(word)):
        return word
    cyr_only = sum(1 for ch in word if _CYR_RE.match(ch) and ch not in _CYR_TO_LAT)
    lat_only = sum(1 for ch in word if _LAT_RE.match(ch) and ch not in _LAT_TO_CYR)
    if lat_only and not cyr_only:
        return "".join(_CYR_TO_LAT.get(ch, ch) for ch in word)
    if lat_only:  # both scripts have letters without look-alikes: leave alone
        return word
    return "".join(_LAT_TO_CYR.get(ch, ch) for ch in word)


def fix_mixed_script(s: str) -> str:
    """Replace Latin look-alike letters inside Cyrillic words (and Cyrillic
    look-alikes inside Latin words). Words written in one script are untouched."""
    return _WORD_RE.sub(lambda m: _fix_word(m.group(0)), s)


def fold(s: str) -> str:
    """Case-fold and make ё/е equal; keeps letters, apostrophes, hyphens, spaces."""
    s = unify_apostrophes(nfc(s)).casefold().replace("ё", "е")
    return s


@lru_cache(maxsize=400_000)
def canonical_name(s: str | None) -> str:
    """The exact-comparison form of a name (or name part): NFC, one apostrophe,
    mixed scripts fixed, case-folded, punctuation other than ``-ʼ`` removed,
    whitespace collapsed."""
    if not s:
        return ""
    s = fix_mixed_script(unify_apostrophes(nfc(s)))
    s = fold(s)
    s = re.sub(r"[^\w\s" + CANONICAL_APOSTROPHE + r"-]", " ", s)
    s = re.sub(r"[\d_]", " ", s)
    s = re.sub(r"\s*-\s*", "-", s)
    return " ".join(s.split()).strip("-")


# ------------------------------------------------------------ name dictionaries

_DATA = Path(__file__).with_name("data")


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (_DATA / "name_equivalents.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ua, ru = line.split("\t")[:2]
        table[ua.strip()] = ru.strip()
    return table


@lru_cache(maxsize=1)
def _nt_dicts():  # type: ignore[no-untyped-def]
    try:
        from names_translator.dicts import default_dicts

        d = default_dicts()
        return d if d.available else None
    except Exception:  # pragma: no cover - optional dependency missing/broken
        return None


def _nt_pool(key: str, pool: str) -> list[str]:
    d = _nt_dicts()
    if d is None:
        return []
    results: list[str] = []
    try:
        from names_translator._text import normalize_key

        d._collect(normalize_key(key), pool, results)  # one pool, no legacy fall-back
    except Exception:  # pragma: no cover
        return []
    return results


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    names = set(_table()) | set(_table().values())
    d = _nt_dicts()
    if d is not None:
        try:
            for key, vals in d.as_dict("first").items():
                names.add(canonical_name(key))
                names.update(fold(v) for v in vals)
        except Exception:  # pragma: no cover
            pass
    return frozenset(n for n in names if not is_patronymic(n))


def is_given_name(word: str) -> bool:
    """True for a known Ukrainian or Russian given name (any case/spelling)."""
    return canonical_name(word) in _given_names()


_PATRONYMIC_RE = re.compile(
    r"(?:ович|евич|євич|йович|ьович|ійович|овна|евна|івна|ївна|ична|ічна|"
    r"инична|ільїч|ьич|ьіч|ліч)$"
)
_PATRONYMIC_SPECIAL = frozenset(
    {"ильич", "ілліч", "кузьмич", "лукич", "фомич", "саввич", "савич", "никитич", "микитович", "ильинична", "іллівна", "кузьминична"}
)  # fmt: skip


def is_patronymic(word: str) -> bool:
    """True if the word has a Ukrainian or Russian patronymic suffix
    (-ович, -евич, -івна, -ївна, -овна, -евна, -ична, Ильич ...)."""
    w = canonical_name(word)
    if len(w) < 5:
        return False
    return bool(_PATRONYMIC_RE.search(w)) or w in _PATRONYMIC_SPECIAL


@lru_cache(maxsize=200_000)
def russian_equivalent(word: str, kind: str = "first") -> str:
    """The Russian spelling of a Ukrainian name part (``kind`` is ``first``,
    ``patronymic`` or ``last``); Russian input is returned folded and unchanged.

    Uses the maintained table ``linkage/data/name_equivalents.tsv`` first, then
    the offline dictionaries of ``names-translator``, then spelling rules for
    surnames (-ський -> -ский, -ій -> -ий, і/ї -> и)."""
    w = canonical_name(word)
    if not w:
        return ""
    if "-" in w:
        return "-".join(russian_equivalent(p, kind) for p in w.split("-") if p)
    t = _table()
    if w in t:
        return t[w]
    if w in t.values():
        return w
    pools = {"first": "first", "given": "first", "patronymic": "patronymic"}
    pool = pools.get(kind, "last")
    found = _nt_pool(w, pool)
    if found:
        return fold(found[0])
    if kind == "last" or pool == "last":
        w = re.sub(r"ський$", "ский", w)
        w = re.sub(r"цький$", "цкий", w)
        w = re.sub(r"ій$", "ий", w)
    return w


@lru_cache(maxsize=1)
def _ukrainian_of_russian() -> dict[str, str]:
    """Russian given name -> Ukrainian (the reverse of the table, then of
    names-translator's dictionary; the first Ukrainian form wins)."""
    rev: dict[str, str] = {}
    for ua, ru in _table().items():
        rev.setdefault(ru, ua)
    d = _nt_dicts()
    if d is not None:
        try:
            for key, vals in d.as_dict("first").items():
                ua = canonical_name(key)
                for v in vals:
                    ru = fold(v)
                    if ru != ua:
                        rev.setdefault(ru, ua)
        except Exception:  # pragma: no cover
            pass
    return rev


@lru_cache(maxsize=200_000)
def ukrainian_equivalent(word: str) -> str:
    """The Ukrainian spelling of a Russian given name (``Евгений`` ->
    ``євген``), folded; other input is returned folded and unchanged. Used to
    compare a Russian-spelt name with a Latin transliteration of the
    Ukrainian one (``Yevhen``)."""
    w = canonical_name(word)
    if not w or "-" in w:
        return w
    return _ukrainian_of_russian().get(w, w)


_XLANG_MAP = str.maketrans(
    {"і": "и", "ї": "и", "ы": "и", "й": "и", "є": "е", "э": "е", "ё": "е",
     "ґ": "г", "ь": "", "ъ": "", CANONICAL_APOSTROPHE: "", "-": "", " ": ""}
)  # fmt: skip


def _squeeze(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=200_000)
def xlang_key(word: str, kind: str = "first") -> str:
    """A key equal for Ukrainian and Russian spellings of one name part:
    the Russian equivalent, with і/ї/ы/й -> и, є/э -> е, ґ -> г, soft signs and
    apostrophes dropped and doubled letters squeezed."""
    ru = russian_equivalent(word, kind)
    if not ru:
        return ""
    if _LAT_RE.search(ru) and not _CYR_RE.search(ru):
        return latin_key(ru)
    key = _squeeze(ru.translate(_XLANG_MAP))
    if kind not in ("first", "given", "patronymic"):
        # adjective surnames: Кравчська/Кравчская, Глухий/Глухой, Тиха/Тихая
        key = re.sub(r"(?<=\w\w)(?:ая|яя)$", "а", key)
        key = re.sub(r"(?<=\w\w)о[иi]$", "и", key)
    return key


# ----------------------------------------------------------------- transliteration

_RU_TO_UA_LETTERS = str.maketrans({"ы": "и", "э": "е", "ё": "ьо", "ъ": ""})


@lru_cache(maxsize=200_000)
def translit_kmu(s: str) -> str:
    """Official Ukrainian transliteration (KMU 55:2010) of a Cyrillic string.
    Russian-only letters (ы э ё ъ) are first mapped to their Ukrainian
    counterparts. Latin input is returned unchanged."""
    if not s:
        return ""
    s = nfc(unify_apostrophes(s))
    s = s.translate(_RU_TO_UA_LETTERS).translate(
        str.maketrans({"Ы": "И", "Э": "Е", "Ё": "Ьо", "Ъ": ""})  # type: ignore[arg-type]
    )
    try:
        import uklatn

        return str(uklatn.encode(s, uklatn.KMU_55))
    except Exception:  # pragma: no cover - fallback when uklatn is missing
        from translitua import translit

        return str(translit(s))


_LATIN_MULTI = [
    ("shch", "s"), ("sch", "s"), ("kh", "h"), ("zh", "z"), ("ts", "c"),
    ("tz", "c"), ("ch", "c"), ("sh", "s"), ("ph", "f"), ("w", "v"),
    ("x", "ks"), ("q", "k"), ("g", "h"), ("y", "i"), ("j", "i"),
]  # fmt: skip


@lru_cache(maxsize=200_000)
def latin_key(s: str) -> str:
    """A comparison key in Latin script: Cyrillic is transliterated with KMU
    2010, Latin input is taken as written; then digraphs are reduced
    (kh->h, zh->z, ts->c, shch->s ...), y/j -> i, g -> h, and accents, doubled
    letters and non-letters removed. ``latin_key("Олександр") ==
    latin_key("Oleksandr") == latin_key("Oleksander")`` is not promised, but
    the Jaro-Winkler similarity of the keys is high."""
    if not s:
        return ""
    s = canonical_name(s)
    if _CYR_RE.search(s):
        s = translit_kmu(s)
    s = unicodedata.normalize("NFKD", s.lower())
    s = "".join(ch for ch in s if "a" <= ch <= "z")
    for a, b in _LATIN_MULTI:
        s = s.replace(a, b)
    return _squeeze(s)


@lru_cache(maxsize=1)
def _latin_given_index() -> dict[str, str]:
    """Latin comparison key -> the known Cyrillic given name it spells. The
    key of each known name's transliteration (``latin_key``), and for a name
    starting ``Ye``/``Ie`` the key without it (``Elena``, ``Evgeniy``); a key
    that two names of different uk/ru keys share is left out."""
    index: dict[str, str] = {}
    clash: set[str] = set()
    common = set(_table()) | set(_table().values())
    # the maintained table's names first: a rare variant of the dictionary
    # (сергий, оленна) does not make a common name's key ambiguous
    for tier in (sorted(n for n in _given_names() if n in common),
                 sorted(n for n in _given_names() if n not in common)):  # fmt: skip
        found: dict[str, str] = {}
        for name in tier:
            if len(name) < 3 or not _CYR_RE.search(name):
                continue
            key = latin_key(name)
            for k in [key, key[1:]] if key.startswith("ie") else [key]:
                if k in index:
                    continue
                old = found.get(k)
                if old is None:
                    found[k] = name
                elif xlang_key(old, "first") != xlang_key(name, "first"):
                    clash.add(k)
        index.update(found)
    return {k: v for k, v in index.items() if k not in clash}


@lru_cache(maxsize=50_000)
def cyrillic_given_name(word: str) -> str:
    """The known Cyrillic given name a Latin spelling stands for, whatever
    the transliteration: KMU 2010 (``Yurii``, ``Serhii``), older passports
    (``Yuriy``, ``Iurii``, ``Serhiy``) or the Russian form (``Sergey``,
    ``Nikolay`` -> ``николай``, ``Evgeniy``); "" for Cyrillic input or an
    unknown name. Its uk/ru key (``xlang_key``) then equals a Cyrillic row's."""
    if not word or _CYR_RE.search(word) or not _LAT_RE.search(word):
        return ""
    return _latin_given_index().get(latin_key(word), "")


_PHON_CLASSES = str.maketrans(
    {"б": "п", "п": "п", "в": "ф", "ф": "ф", "г": "к", "ґ": "к", "х": "к", "к": "к",
     "д": "т", "т": "т", "ж": "ш", "ш": "ш", "щ": "ш", "ч": "ш", "з": "с", "с": "с",
     "ц": "с", "л": "л", "м": "м", "н": "н", "р": "р"}
)  # fmt: skip


@lru_cache(maxsize=200_000)
def phonetic_key(word: str, kind: str = "last") -> str:
    """A Ukrainian-aware consonant skeleton of the cross-language key:
    voiced/voiceless pairs merged (б/п, в/ф, г/ґ/х/к, д/т, ж/ш/щ/ч, з/с/ц),
    vowels and й dropped after the first letter, repeats collapsed.
    Шевченко, Шевченко, Шефченко and Шевчэнко give the same key."""
    x = xlang_key(word, kind)
    if not x:
        return ""
    if not _CYR_RE.search(x):  # Latin-only name: fall back on the Latin key
        return x[:1] + re.sub(r"[aeiou]", "", x[1:])
    first = x[0]
    rest = "".join(ch.translate(_PHON_CLASSES) for ch in x[1:] if ch not in "аеиоуюяи")
    return _squeeze(first.translate(_PHON_CLASSES) + rest)


# ---------------------------------------------------------------------- full names


@dataclass(frozen=True, slots=True)
class NameParts:
    surname: str = ""
    given: str = ""
    patronymic: str = ""
    swapped: bool = False  # True if the order was not surname-given-patronymic


@lru_cache(maxsize=1)
def _given_latin() -> frozenset[str]:
    return frozenset(latin_key(n) for n in _given_names() if len(n) > 2)


def _is_given(tok: str) -> bool:
    if _LAT_RE.search(tok) and not _CYR_RE.search(tok):
        return latin_key(tok) in _given_latin()
    return is_given_name(tok)


_UNKNOWN_WORDS = frozenset(
    [
        "невідомий",
        "невідома",
        "невідоме",
        "невідомі",
        "неизвестный",
        "неизвестная",
        "неизвестное",
        "неизвестен",
        "неопознанный",
        "неопізнаний",
        "невстановлений",
        "невстановлена",
        "н/в",
        "н/у",
        "нв",
        "ну",
        "нвс",
        # н/в ж, н/в чол.: the sex abbreviated
        "ж",
        "жін",
        "жен",
        "м",
        "ч",
        "чол",
        "муж",
        "чоловік",
        "жінка",
        "мужчина",
        "женщина",
        "військовий",
        "военный",
        "солдат",
        "дитина",
        "ребенок",
        "особа",
        "тіло",
        "тело",
        "unknown",
        "male",
        "female",
        "soldier",
        "body",
        "man",
        "woman",
    ]
)


# невідомий, неизвестная, неопознанный, невстановлена ... and the short forms
# неизв., невід. (not a surname such as Невідомський)
_UNKNOWN_WORD_RE = re.compile(
    r"(?:невідом|неизвестн|неопізнан|неопознан|невстановлен|неустановлен)н?"
    r"(?:ий|а|е|і|ого|ої|ый|ая|ое|ые|ой|ие)?|неизвестен|неизв|невід"
)


def _unknown_text(text: str) -> str:
    """Folded text of a name cell, with ``н.в.``/``н. у.`` written ``н/в``."""
    s = unify_apostrophes(nfc(text)).casefold().replace("ё", "е")
    return re.sub(r"\bн\s*\.\s*([ву])\b\.?", r"н/\1", s)


def is_unknown_name(text: str | None) -> bool:
    """True for 'name' cells that say the person is unknown (невідомий,
    неизвестный военный, Н/у мужчина, н/в жінка, unknown ...)."""
    if not text:
        return False
    s = _unknown_text(text)
    words = re.findall(r"[^\W\d_]+(?:/[^\W\d_]+)?", s)
    if not words:
        return False
    if _UNKNOWN_WORD_RE.fullmatch(words[0]):
        return True
    if words[:2] in (["без", "имени"], ["без", "імені"], ["без", "прізвища"]):
        return True
    return all(w in _UNKNOWN_WORDS for w in words) and words[0] in {
        "н/в",
        "н/у",
        "нв",
        "ну",
        "unknown",
    }


_FEMALE_WORDS = frozenset(
    ("невідома", "неизвестная", "неопознанная", "неопізнана", "невстановлена",
     "неустановленная", "неустановлена", "жінка", "женщина", "дівчина",
     "девушка", "female", "woman", "ж", "жін", "жен")
)  # fmt: skip
_MALE_WORDS = frozenset(
    ("невідомий", "неизвестный", "неопознанный", "неопізнаний", "невстановлений",
     "неустановленный", "неустановлений", "чоловік", "мужчина", "військовий",
     "военный", "солдат", "хлопець", "парень", "male", "man", "soldier", "м",
     "ч", "чол", "муж")
)  # fmt: skip
# Adjectives that agree with a noun of their own gender, not with the body's
# sex: "невстановлена особа" (a person), "невідоме тіло" (a body)
_GENDERED_ADJECTIVE = ("невідом", "неизвест", "неопізн", "неопозн", "невстанов",
                       "неустанов")  # fmt: skip
_SEXLESS_NOUNS = frozenset(("особа", "лицо", "тіло", "тело", "труп", "person", "body"))


def sex_of(name_text: str | None, patronymic: str | None = None) -> str:
    """``"f"``, ``"m"`` or ``""`` (not known) for a journal's name cell: the
    words of an unknown person (``Невідома жінка``, ``Неизвестный``, ``н/в
    чоловік``) or, for a named person, the patronymic's ending (``-івна``,
    ``-овна`` / ``-ович``, ``Ильич``). A row that says both is not known."""
    found = set()
    if patronymic and is_patronymic(patronymic):
        found.add("f" if canonical_name(patronymic).endswith("на") else "m")
    if name_text:
        words = re.findall(r"[^\W\d_]+", _unknown_text(name_text))
        if _SEXLESS_NOUNS & set(words):
            words = [w for w in words if not w.startswith(_GENDERED_ADJECTIVE)]
        for w in words:
            if w in _FEMALE_WORDS:
                found.add("f")
            elif w in _MALE_WORDS:
                found.add("m")
    return found.pop() if len(found) == 1 else ""


_INITIALS_RE = re.compile(r"^([^\W\d_])\.\s*(?:([^\W\d_])\.?)?$")


@lru_cache(maxsize=200_000)
def split_full_name(full: str | None) -> NameParts:
    """Split a ПІБ/ФИО cell into surname, given name and patronymic.

    The usual order is *surname given patronymic*; *given patronymic surname*
    and *given surname* are detected from patronymic suffixes and the list of
    known given names (``swapped`` is then True). The parts keep the writer's
    spelling (NFC, apostrophes unified, look-alikes fixed, whitespace tidied)."""
    if not full:
        return NameParts()
    s = fix_mixed_script(unify_apostrophes(nfc(full)))
    s = re.sub(r"[,;]", " ", s)
    s = re.sub(r"\s*-\s*", "-", s)
    toks = [t for t in s.split() if re.search(r"[^\W\d_]", t)]
    if not toks:
        return NameParts()
    # "Шевченко І.П." / "Шевченко І. П." -> initials as given name / patronymic
    if len(toks) >= 2:
        tail = " ".join(toks[1:])
        m = _INITIALS_RE.match(tail.replace(". ", "."))
        if m and len(toks[0]) > 1:
            return NameParts(toks[0], m[1], m[2] or "")
    if len(toks) == 1:
        return NameParts(surname=toks[0])
    pat = [i for i, t in enumerate(toks) if is_patronymic(t)]
    p = pat[-1] if pat else None
    if len(toks) == 2:
        a, b = toks
        if p == 1 and _is_given(a):
            return NameParts(given=a, patronymic=b)
        if _is_given(a) and not _is_given(b):
            return NameParts(surname=b, given=a, swapped=True)
        return NameParts(surname=a, given=b)
    if p is not None and p == len(toks) - 1:
        # S G P, or G S P when the first word is a given name and the second not
        if len(toks) == 3 and _is_given(toks[0]) and not _is_given(toks[1]):
            return NameParts(toks[1], toks[0], toks[2], swapped=True)
        return NameParts(" ".join(toks[:-2]), toks[-2], toks[-1])
    if p == 1:  # G P S
        return NameParts(" ".join(toks[2:]), toks[0], toks[1], swapped=True)
    if p is None and len(toks) == 3:
        g0, g1, g2 = (_is_given(t) for t in toks)
        if g0 and not g1 and not g2:  # G S ? - given first, patronymic unknown
            return NameParts(toks[1], toks[0], toks[2], swapped=True)
    return NameParts(toks[0], toks[1], " ".join(toks[2:]))


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to day, month or year precision."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else ("month" if self.month else "year")

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        m = self.month or 12
        d = self.day or calendar.monthrange(self.year, m)[1]
        return dt.date(self.year, m, d)

    def to_date(self) -> dt.date | None:
        return self.first_day() if self.day else None

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


_MONTH_PREFIXES = [
    # Ukrainian (nominative and genitive share these stems)
    ("січ", 1), ("лют", 2), ("берез", 3), ("квіт", 4), ("трав", 5), ("черв", 6),
    ("лип", 7), ("серп", 8), ("верес", 9), ("жовт", 10), ("листоп", 11),
    ("груд", 12),
    # Russian
    ("январ", 1), ("янв", 1), ("феврал", 2), ("фев", 2), ("март", 3), ("мар", 3),
    ("апрел", 4), ("апр", 4), ("мая", 5), ("май", 5), ("июн", 6), ("июл", 7),
    ("август", 8), ("авг", 8), ("сентяб", 9), ("сен", 9), ("октяб", 10),
    ("окт", 10), ("ноябр", 11), ("ноя", 11), ("декаб", 12), ("дек", 12),
    # English
    ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6),
    ("jul", 7), ("aug", 8), ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
]  # fmt: skip


def _month_from_word(w: str) -> int | None:
    w = w.casefold().strip(".")
    for prefix, m in _MONTH_PREFIXES:
        if w.startswith(prefix):
            return m
    return None


def _year4(y: str, pivot: int) -> int:
    n = int(y)
    if len(y) <= 2:
        return 2000 + n if n <= pivot else 1900 + n
    return n


def _mk(y: int, m: int | None, d: int | None) -> PartialDate | None:
    if not 1800 <= y <= 2100:
        return None
    if m is not None and not 1 <= m <= 12:
        return None
    if d is not None:
        if m is None:
            return None
        try:
            dt.date(y, m, d)
        except ValueError:
            return None
    return PartialDate(y, m, d)


def parse_date(value: object, *, pivot: int = 30) -> PartialDate | None:
    """Parse a journal date to a :class:`PartialDate`, or None if unparseable.

    Accepts ``12.03.2022``, ``12/03/22``, ``12-03-2022``, ``2022-03-12``,
    ``12 березня 2022 р.``, ``12 марта 2022 г.``, ``березень 2022``,
    ``03.2022``, ``1950``, and ``datetime``/``date`` objects. Day comes before
    month. Two-digit years up to ``pivot`` are 20xx, others 19xx."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    return _parse_date_text(str(value), pivot)


@lru_cache(maxsize=100_000)
def _parse_date_text(value: str, pivot: int) -> PartialDate | None:
    s = nfc(value).strip().casefold()
    if not s:
        return None
    s = re.sub(r"\s*(?:року|рік|р\.|р|года|год|г\.|г)\s*$", "", s).strip()
    s = re.sub(r"\s+00:00(?::00)?$", "", s)
    m = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", s)
    if m:
        return _mk(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{2}|\d{4})", s)
    if m:
        return _mk(_year4(m[3], pivot), int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{1,2})[-./](\d{4})", s)
    if m:
        return _mk(int(m[2]), int(m[1]), None)
    m = re.fullmatch(r"(\d{4})[-./](\d{1,2})", s)
    if m:
        return _mk(int(m[1]), int(m[2]), None)
    m = re.fullmatch(r"(\d{4})", s)
    if m:
        return _mk(int(m[1]), None, None)
    m = re.fullmatch(r"(?:(\d{1,2})\s*)?([^\W\d_]+)\.?\s*,?\s*(\d{2}|\d{4})", s)
    if m:
        month = _month_from_word(m[2])
        if month is None:
            return None
        return _mk(_year4(m[3], pivot), month, int(m[1]) if m[1] else None)
    return None


def parse_age(value: object) -> tuple[int, int] | None:
    """Parse an age cell to a (min, max) range in whole years.

    ``45``, ``45 лет``, ``45 р.``, ``~45``, ``45-50``, ``3 міс.`` (-> (0, 0))."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        n = int(value)
        return (n, n) if 0 <= n <= 120 else None
    s = nfc(str(value)).strip().casefold()
    if not s:
        return None
    if re.search(r"\d\s*(?:міс|мес|тиж|нед|дн|дня|днів|mo|month|week|day)", s):
        return (0, 0)
    m = re.fullmatch(r"[~≈]?\s*(\d{1,3})\s*\+.*", s)
    if m:  # "40+" - a decade as volunteers write it
        n = int(m[1])
        return (n, n + 9) if n <= 120 else None
    nums = [int(x) for x in re.findall(r"\d{1,3}", s)]
    if not nums or len(nums) > 2:
        return None
    lo, hi = (nums[0], nums[-1]) if len(nums) == 2 else (nums[0], nums[0])
    if len(nums) == 2 and not re.search(r"\d\s*[-–—]\s*\d", s):
        return None
    if not (0 <= lo <= hi <= 120):
        return None
    return (lo, hi)


_NOTE_AGE_RE = re.compile(
    r"(?:^|[\s,;(])(?:[~≈]\s*(\d{1,3})(?!\d|\s*[./-]\d)"
    r"|(?:вік|возраст|age)\s*[:~≈]?\s*(\d{1,3})(?!\d|\s*[./-]\d)"
    r"|(\d{1,3})\s*(?:лет|года?|років|роки|рік|р\.|years?|yrs?)(?![^\W\d_]))"
)


def age_from_note(text: str | None) -> tuple[int, int] | None:
    """An age written in a note (``~50 лет``, ``вік 45``, ``~55``) when the
    journal has no age column: one number, read as :func:`parse_age` reads
    it. None when the note has no age or more than one."""
    if not text:
        return None
    s = nfc(text).casefold()
    found = [m[1] or m[2] or m[3] for m in _NOTE_AGE_RE.finditer(s)]
    if len(found) != 1:
        return None
    return parse_age(found[0])


_WRITTEN_TWICE_RE = (
    ("temporary", re.compile(r"тимчасово|временно(?!\w)")),
    ("reburial", re.compile(r"перезахор|перепохов|ексгум|эксгум|перенес[ен]|reburi|exhum")),
    ("correction", re.compile(
        r"исправл|виправл|уточн|повторн|дублик|дублік|ошибочн|помилков"
        r"|см\.?\s*(?:запис|выше)|див\.?\s*(?:запис|вище)|correct|duplicate"
    )),
)  # fmt: skip


def written_twice_note(text: str | None) -> str:
    """What a note says when the entry is one of two for the same person:
    ``"temporary"`` (a temporary burial, to be moved: временно во дворе,
    тимчасово), ``"reburial"`` (перезахоронение, перепоховано, ексгумовано),
    ``"correction"`` (исправлено, виправлено, уточнено дані, повторно,
    дублікат, см. выше); ``""`` otherwise. A reburial note wins over a temporary one."""
    if not text:
        return ""
    s = nfc(text).casefold().replace("ё", "е")
    kinds = [kind for kind, rx in _WRITTEN_TWICE_RE if rx.search(s)]
    if "reburial" in kinds:
        return "reburial"
    return kinds[0] if kinds else ""


def birth_year_range_from_age(
    age: int | tuple[int, int], reference: PartialDate | dt.date
) -> tuple[int, int]:
    """Birth years compatible with ``age`` at ``reference`` (death or burial).

    Someone aged A on a date in year Y was born in Y-A-1 or Y-A."""
    lo, hi = (age, age) if isinstance(age, int) else age
    year = reference.year
    return (year - hi - 1, year - lo)


# -------------------------------------------------------------------- grave numbers

_UNNUMBERED_RE = re.compile(
    r"^(?:бн|б/н|б\\н|б\.н\.?|без\s*номер[ау]?|н/д|нд|n/a|na|none|-|—|\?)$"
)
_SUFFIX_LAT_TO_CYR = {"a": "а", "b": "б", "v": "в", "c": "с", "e": "е", "g": "г",
                      "d": "д", "o": "о", "k": "к", "h": "н", "p": "р", "x": "х"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class GraveNumber:
    """A normalised grave number: digits, optional letter or /n suffix."""

    number: int
    suffix: str = ""
    prefix: str = ""  # "бм" for a mass (братська/братская) grave

    @property
    def key(self) -> str:
        return f"{self.prefix}{self.number}{self.suffix}"

    @property
    def is_mass(self) -> bool:
        return self.prefix == "бм"

    @property
    def digits(self) -> str:
        return str(self.number)

    def __str__(self) -> str:
        return self.key


def is_unnumbered_grave(value: str | None) -> bool:
    """True for an explicit 'no number' marker (БН, б/н, без номера, н/д)."""
    if value is None:
        return False
    s = nfc(str(value)).strip().casefold().replace(" ", "")
    s = s.lstrip("№#")
    return bool(s) and bool(_UNNUMBERED_RE.match(s))


def parse_grave_number(value: object) -> GraveNumber | None:
    """Normalise a grave number; None if empty, unnumbered (БН) or unparseable.

    ``№12``, ``№ 12``, ``12`` -> 12; ``12а``, ``12-a``, ``12 A`` -> 12а;
    ``12/2`` -> 12/2; ``могила 7`` -> 7. Latin suffix letters become
    Cyrillic (a->а, b->б). Transposed digits are *not* corrected here: see
    :func:`grave_numbers_transposed`."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return GraveNumber(int(value)) if float(value).is_integer() else None
    return _parse_grave_text(str(value))


@lru_cache(maxsize=200_000)
def _parse_grave_text(value: str) -> GraveNumber | None:
    s = nfc(value).strip().casefold()
    if not s or is_unnumbered_grave(s):
        return None
    prefix = ""
    mass = re.match(
        r"^(?:бм|б\.м\.?|братськ\w*|братск\w*|mass)(?:\s*(?:могил\w*|мог\.?))?[\s№#.-]*",
        s,
    )
    if mass:
        prefix, s = "бм", s[mass.end() :]
    s = re.sub(r"^(?:№|#|no\.?|nr\.?|n|мог(?:ила|ыла)?\.?|grave)\s*", "", s)
    s = s.lstrip("№# ").strip()
    # "214." as a list is numbered (volunteers' registers)
    s = re.sub(r"(?<=\w)\.$", "", s)
    m = re.fullmatch(r"(\d{1,6})(?:\.0)?", s)
    if m:
        return GraveNumber(int(m[1]), "", prefix)
    m = re.fullmatch(r"(\d{1,6})\s*[-/\\ ]?\s*([^\W\d_])", s)
    if m:
        letter = _SUFFIX_LAT_TO_CYR.get(m[2], m[2])
        return GraveNumber(int(m[1]), letter, prefix)
    m = re.fullmatch(r"(\d{1,6})\s*[/\\]\s*(\d{1,3})", s)
    if m:
        return GraveNumber(int(m[1]), f"/{int(m[2])}", prefix)
    return None


def grave_numbers_transposed(a: object, b: object) -> bool:
    """True if two grave numbers differ by one swap of adjacent digits
    (``123`` / ``132``, ``12а`` / ``21а``); used as a comparison level."""
    ga = a if isinstance(a, GraveNumber) else parse_grave_number(a)
    gb = b if isinstance(b, GraveNumber) else parse_grave_number(b)
    if ga is None or gb is None or (ga.suffix, ga.prefix) != (gb.suffix, gb.prefix):
        return False
    da, db = ga.digits, gb.digits
    if len(da) != len(db) or da == db:
        return False
    diff = [i for i in range(len(da)) if da[i] != db[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and da[diff[0]] == db[diff[1]]
        and da[diff[1]] == db[diff[0]]
    )


def transposition_key(g: GraveNumber | None) -> str:
    """Sorted digits + suffix: equal for numbers that are anagrams."""
    if g is None:
        return ""
    return g.prefix + "".join(sorted(g.digits)) + g.suffix
