"""The two burial journals: the funeral home's (Russian, cp1251) and the volunteers'."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from typing import Any

from .names import LATIN_SCHEMES, kmu2010, latin_spelling
from .noise import (
    apostrophe_variant,
    date_variant,
    ddmmyyyy,
    lookalike,
    transpose_digits,
    typo,
)
from .world import Body, Person, World

FUNERAL_FILE = "journals/funeral_home.csv"
VOLUNTEERS_FILE = "journals/volunteers.csv"
FUNERAL_HEADER = [
    "№ п/п",
    "№ могилы",
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Возраст",
    "Дата смерти",
    "Дата захоронения",
    "Причина смерти",
    "Кто доставил",
    "Примечание",
]
VOLUNTEERS_HEADER = [
    "№",
    "Номер могили",
    "ПІБ",
    "Дата народження",
    "Вік",
    "Дата смерті",
    "Дата поховання",
    "Причина смерті",
    "Хто привіз",
    "Примітки",
]

_CAUSE_RU = {
    "blast": ("осколочное ранение", "минно-взрывная травма", "обстрел"),
    "gunshot": ("огнестрельное ранение", "огнестрельное ранение головы"),
    "blunt_force": ("тупая травма", "травмы"),
    "burns": ("ожоги", "пожар"),
    "asphyxia": ("асфиксия",),
    "natural": ("естественная", "сердечная недостаточность", "болезнь"),
    "undetermined": ("не установлена", ""),
}
_CAUSE_UK = {
    "blast": ("осколкове поранення", "обстріл", "міна"),
    "gunshot": ("вогнепальне поранення", "вогнепальне", "розстріл"),
    "blunt_force": ("травми", "побиття"),
    "burns": ("опіки", "згорів у будинку"),
    "asphyxia": ("задушення",),
    "natural": ("природна", "серце", "хвороба", "без ліків"),
    "undetermined": ("невідомо", "", "?"),
}
_BROUGHT_RU = (
    "родственники",
    "соседи",
    "волонтеры",
    "коммунальная служба",
    "военные",
    "неизвестно",
    "",
)
_BROUGHT_UK = ("родичі", "сусіди", "волонтери", "комунальники", "військові", "", "?")
_NOTE_RU = (
    "",
    "",
    "",
    "без документов",
    "опознан соседями",
    "тело в пакете",
    "документы при теле",
    "со слов родственников",
)
_NOTE_UK = (
    "",
    "",
    "",
    "без документів",
    "впізнали сусіди",
    "на хресті тільки номер",
    "в пакеті",
    "з документами",
    "родичі приходили",
)


@dataclass
class JournalRow:
    cells: list[str]
    truth: dict[str, Any]
    key: tuple[Any, ...]
    noise: list[str] = field(default_factory=list)


def _unnamed_ru(p: Person, rng: random.Random) -> str:
    if p.category == "soldier" and rng.random() < 0.6:
        return "неизвестный военный"
    if p.sex == "male":
        return rng.choice(("неизвестный", "Н/у мужчина", "неизвестный мужчина"))
    return rng.choice(("неизвестная", "Н/у женщина", "неизвестная женщина"))


def _unnamed_uk(p: Person, rng: random.Random) -> str:
    if p.category == "soldier" and rng.random() < 0.6:
        return "невідомий військовий"
    if p.sex == "male":
        return rng.choice(("невідомий", "н/в чоловік", "невідомий чоловік"))
    return rng.choice(("невідома", "н/в жінка", "невідома жінка"))


def _grave_ru(b: Body, world: World) -> str:
    g = world.graves[b.grave]
    if g.kind == "mass":
        return g.number.replace("-", " №") if g.number else ""
    return g.number or "б/н"


def _row_truth(
    file: str, body: Body, name_person: Person | None, written: str | None
) -> dict[str, Any]:
    return {
        "file": file,
        "person_id": body.pid,
        "name_person_id": name_person.pid if name_person else None,
        "grave": body.grave,
        "grave_written": written,
    }


def funeral_rows(
    world: World, entries: list[tuple[Body, Person | None]], rng: random.Random
) -> list[JournalRow]:
    rows: list[JournalRow] = []
    for body, named in entries:
        p = world.persons[body.pid]
        noise: list[str] = []
        grave = _grave_ru(body, world)
        r = rng.random()
        if r < 0.01:
            grave = ""
            noise.append("no_grave")
        elif r < 0.02:
            slip = transpose_digits(grave, rng)
            if slip:
                grave = slip
                noise.append("grave_slip")
        if named is None:
            surname, given, patr = _unnamed_ru(p, rng), "", ""
            noise.append("unnamed")
            dob, age = "", (str(p.age_at(p.dod)) if rng.random() < 0.3 else "")
            if age:
                noise.append("age_estimate")
        else:
            if rng.random() < 0.55:
                surname, given, patr = (
                    named.surname_ru,
                    named.given_ru,
                    named.patronymic_ru,
                )
                noise.append("russian_spelling")
            else:
                surname, given = named.surname_uk, named.given_uk
                patr = named.patronymic_uk
            if rng.random() < 0.05:
                patr = ""
                noise.append("no_patronymic")
            rd = rng.random()
            if rd < 0.8:
                dob = ddmmyyyy(named.dob)
            elif rd < 0.9:
                dob = ""
            elif rd < 0.96:
                dob = str(named.dob.year)
                noise.append("birth_year_only")
            else:
                dob = f"{named.dob.day:02d}.{named.dob.month:02d}.{named.dob.year % 100:02d}"
                noise.append("date_format")
            age = (
                str(named.age_at(named.dod)) if (rng.random() < 0.5 or not dob) else ""
            )
            if not dob and age:
                noise.append("age_only")
        rd = rng.random()
        dod = (
            ddmmyyyy(p.dod)
            if rd < 0.88
            else ("" if rd < 0.96 else f"{p.dod.day}.{p.dod.month}.{p.dod.year}")
        )
        cause = rng.choice(_CAUSE_RU[p.cause])
        note = rng.choice(_NOTE_RU)
        if world.graves[body.grave].kind == "mass":
            note = "братская могила"
        cells = [
            "",
            grave,
            surname,
            given,
            patr,
            dob,
            age,
            dod,
            ddmmyyyy(body.burial),
            cause,
            rng.choice(_BROUGHT_RU),
            note,
        ]
        rows.append(
            JournalRow(
                cells,
                _row_truth(FUNERAL_FILE, body, named, grave or None),
                (body.burial, body.pm),
                noise,
            )
        )
    return rows


def _volunteer_grave(
    body: Body, world: World, rng: random.Random
) -> tuple[str, list[str]]:
    g = world.graves[body.grave]
    if g.kind == "mass":
        return rng.choice(
            (g.number or "", f"братська {(g.number or '').split('-')[-1]}")
        ), []
    if g.number is None:
        return rng.choice(("БН", "", "б/н")), []
    num = g.number
    r = rng.random()
    if r < 0.03:
        return "", ["no_grave"]
    if r < 0.05:
        slip = transpose_digits(num, rng)
        if slip:
            return slip, ["grave_slip"]
    if num.endswith("а"):
        s = rng.random()
        if s < 0.3:
            num = num[:-1] + "a"
            return num, ["grave_latin_suffix"]
        if s < 0.5:
            return num[:-1], ["grave_suffix_dropped"]
    p = rng.random()
    if p < 0.1:
        return f"№{num}", ["grave_prefix"]
    if p < 0.15:
        return f"№ {num}", ["grave_prefix"]
    return num, []


def _pib(named: Person, rng: random.Random, noise: list[str]) -> str:
    surname, given, patr = named.surname_uk, named.given_uk, named.patronymic_uk
    if rng.random() < 0.04:
        noise.append("latin")
        return f"{kmu2010(given)} {kmu2010(surname)}"
    if rng.random() < 0.15:
        patr = ""
        noise.append("no_patronymic")
    words = [surname, given, patr]
    if rng.random() < 0.1:
        i = rng.randrange(3 if patr else 2)
        new, kind = typo(words[i], rng)
        if kind:
            words[i] = new
            noise.append("typo")
    surname, given, patr = words
    r = rng.random()
    if r < 0.08:
        text = " ".join(w for w in (given, patr, surname) if w)
        noise.append("swapped_order")
    elif r < 0.13 and patr:
        text = f"{surname} {given[0]}.{patr[0]}."
        noise.append("initials")
    else:
        text = " ".join(w for w in (surname, given, patr) if w)
    if rng.random() < 0.05:
        text = lookalike(text, rng, rng.randint(1, 2))
        noise.append("lookalike")
    if "'" in text:
        new = apostrophe_variant(text, rng)
        if new != text:
            noise.append("apostrophe")
        text = new
    return text


def volunteer_rows(
    world: World, entries: list[tuple[Body, Person | None]], rng: random.Random
) -> list[JournalRow]:
    rows: list[JournalRow] = []
    for body, named in entries:
        p = world.persons[body.pid]
        grave, noise = _volunteer_grave(body, world, rng)
        if named is None:
            pib = _unnamed_uk(p, rng)
            noise.append("unnamed")
            dob, age = (
                "",
                (str(p.age_at(p.dod) // 10 * 10) + "+" if rng.random() < 0.2 else ""),
            )
        else:
            pib = _pib(named, rng, noise)
            r = rng.random()
            if r < 0.15:
                dob, age = "", str(named.age_at(named.dod))
                noise.append("age_only")
            elif r < 0.25:
                dob, fmt = date_variant(named.dob, rng)
                age = str(named.age_at(named.dod))
            elif r < 0.3:
                dob, age = "", ""
            else:
                dob, fmt = date_variant(named.dob, rng)
                age = ""
        dod = "" if rng.random() < 0.15 else date_variant(p.dod, rng)[0]
        burial = date_variant(body.burial, rng)[0]
        note = rng.choice(_NOTE_UK)
        if world.graves[body.grave].kind == "mass":
            note = "братська могила"
        cells = [
            "",
            grave,
            pib,
            dob,
            age,
            dod,
            burial,
            rng.choice(_CAUSE_UK[p.cause]),
            rng.choice(_BROUGHT_UK),
            note,
        ]
        rows.append(
            JournalRow(
                cells,
                _row_truth(VOLUNTEERS_FILE, body, named, grave or None),
                (body.burial, body.pm),
                noise,
            )
        )
    return rows


def build_journals(
    world: World,
    seed: int,
    *,
    burials: list[Body] | None = None,
    stream: str = "journals",
    files: tuple[str, str] = (FUNERAL_FILE, VOLUNTEERS_FILE),
) -> tuple[list[JournalRow], list[JournalRow]]:
    """Decide coverage and conflicts, then write both journals' rows in burial order.

    ``burials`` (default: every body) are the burials the journals record, drawn
    from the random stream ``f"{seed}:{stream}"``; ``files`` name the funeral
    home's and the volunteers' journal in ``truth.json``.
    """
    rng = random.Random(f"{seed}:{stream}")
    if burials is None:
        burials = list(world.bodies.values())
    ordered = sorted(burials, key=lambda b: (b.burial, b.pm))
    fh_entries: list[tuple[Body, Person | None]] = []
    vol_entries: list[tuple[Body, Person | None]] = []
    fh_extra: set[int] = set()
    vol_extra: dict[int, str] = {}
    for i, b in enumerate(ordered):
        p = world.persons[b.pid]
        named = None if b.unnamed else p
        r = rng.random()
        in_fh = r < 0.93 or world.graves[b.grave].kind == "mass"
        in_vol = 0.05 < r < 0.95 if not in_fh else rng.random() < 0.92
        if in_fh:
            # The funeral home sometimes recorded no name although others knew it.
            fh_named = None if (named is not None and rng.random() < 0.02) else named
            fh_entries.append((b, fh_named))
            if rng.random() < 0.01:
                fh_extra.add(len(fh_entries) - 1)
        if in_vol:
            vol_named = named
            if named is not None and i + 1 < len(ordered) and rng.random() < 0.015:
                # Mix-up: the volunteers wrote the next burial's name on this grave.
                other = world.persons[ordered[i + 1].pid]
                if not ordered[i + 1].unnamed and other.pid != p.pid:
                    vol_named = other
                    vol_extra[len(vol_entries)] = "name_mixup"
            vol_entries.append((b, vol_named))
            if rng.random() < 0.012:
                vol_extra[len(vol_entries) - 1] = (
                    vol_extra.get(len(vol_entries) - 1, "") + "|duplicate"
                )
    fh = funeral_rows(world, fh_entries, rng)
    vol = volunteer_rows(world, vol_entries, rng)
    for i in sorted(vol_extra):
        if "name_mixup" in vol_extra[i]:
            vol[i].noise.append("name_mixup")
    # Duplicates: the same person entered again some days later.
    dups_fh = [
        _duplicate(world, fh_entries[i], rng, funeral=True) for i in sorted(fh_extra)
    ]
    dups_vol = [
        _duplicate(world, vol_entries[i], rng, funeral=False)
        for i in sorted(vol_extra)
        if "duplicate" in vol_extra[i]
    ]
    fh.extend(dups_fh)
    vol.extend(dups_vol)
    # The habits of #15 come from a stream of their own: every other cell is
    # what it was before they were added, for every seed.
    habits = random.Random(f"{seed}:{stream}:habits")
    for row in fh:
        _funeral_habits(world, row, habits)
    for row in vol:
        _volunteer_habits(world, row, habits)
    # Habits seen on journals written apart from this simulator (#15), from a
    # stream of their own again: entries written twice by the volunteers at no
    # common grave number, Latin spellings other than KMU 2010, nameless rows
    # at the neighbouring plank.
    apart = random.Random(f"{seed}:{stream}:apart")
    fresh = _fresh_numbers(world)
    vol.extend(
        [
            _written_apart(world, row, apart, fresh)
            for row in list(vol)
            if apart.random() < 0.015 and _can_write_apart(world, row)
        ]
    )
    for row in vol:
        _other_latin(world, row, apart)
    for row in fh + vol:
        _nameless_plank(world, row, apart)
    for rows, file in ((fh, files[0]), (vol, files[1])):
        rows.sort(key=lambda r: r.key)
        for n, row in enumerate(rows, start=1):
            row.cells[0] = str(n)
            row.truth["row"] = n
            row.truth["file"] = file
            row.truth["noise"] = sorted(set(row.noise))
    return fh, vol


def _neighbouring_plank(
    world: World, row: JournalRow, rng: random.Random, column: int
) -> None:
    """The number of the next or previous plank in the row (single graves only)."""
    grave = world.graves[row.truth["grave"]]
    written = row.cells[column]
    if grave.kind == "mass" or not written or written != grave.number:
        return
    if not written.isdigit() or int(written) < 2:
        return
    row.cells[column] = str(int(written) + rng.choice((-1, 1)))
    row.truth["grave_written"] = row.cells[column]
    row.noise.append("plank")


def _funeral_habits(world: World, row: JournalRow, rng: random.Random) -> None:
    """Neighbouring planks, surnames in capitals, initials instead of names."""
    # Named rows only: the habit is a name and dates that agree beside
    # a neighbour's number; two nameless rows at neighbouring graves are two
    # bodies to any reader, so a plank there would be a pair no one can link.
    plank = rng.random() < 0.012
    if row.truth["name_person_id"] is None:
        return
    if plank:
        _neighbouring_plank(world, row, rng, 1)
    surname, given, patronymic = row.cells[2:5]
    r = rng.random()
    if r < 0.03:
        row.cells[2] = surname.upper()
        row.noise.append("caps")
    elif r < 0.05 and given and patronymic:
        row.cells[3], row.cells[4] = f"{given[0]}.", f"{patronymic[0]}."
        row.noise.append("initials")


def _volunteer_habits(world: World, row: JournalRow, rng: random.Random) -> None:
    """Neighbouring planks, names in capitals, passport (KMU 2010) spelling."""
    plank = rng.random() < 0.012  # named rows only, as in the funeral home's
    pid = row.truth["name_person_id"]
    if pid is not None and plank:
        _neighbouring_plank(world, row, rng, 1)
    # One way of writing the name per row: not over another name habit.
    if pid is None or {"latin", "initials", "swapped_order"} & set(row.noise):
        return
    named = world.persons[pid]
    r = rng.random()
    if r < 0.03:
        row.cells[2] = row.cells[2].upper()
        row.noise.append("caps")
    elif r < 0.045:
        # As in a passport: surname first, often all in capitals.
        text = f"{kmu2010(named.surname_uk)} {kmu2010(named.given_uk)}"
        row.cells[2] = text.upper() if rng.random() < 0.5 else text
        row.noise.append("latin")


def _duplicate(
    world: World,
    entry: tuple[Body, Person | None],
    rng: random.Random,
    *,
    funeral: bool,
) -> JournalRow:
    body, named = entry
    make = funeral_rows if funeral else volunteer_rows
    row = make(world, [entry], rng)[0]
    later = body.burial + dt.timedelta(days=rng.randint(1, 6))
    row.key = (later, body.pm + "~dup")
    row.noise.append("duplicate")
    return row


_REBURIAL_NOTES = ("перепоховано", "перепоховання з двору", "ексгумовано, перепоховано")
_CORRECTED_NOTES = ("уточнено дані", "повторно", "виправлено")


def _fresh_numbers(world: World) -> Any:
    """Grave numbers no grave has (a reburial's new plank), one after another."""
    numbers = [int(g.number) for g in world.graves.values()
               if g.number and g.number.isdigit()]  # fmt: skip
    nxt = max(numbers, default=0)

    def fresh() -> str:
        nonlocal nxt
        nxt += 1
        return str(nxt)

    return fresh


def _can_write_apart(world: World, row: JournalRow) -> bool:
    """A named volunteers' row of the body's own person at a numbered single
    grave, written once."""
    t = row.truth
    grave = world.graves[t["grave"]]
    return (
        t["name_person_id"] is not None
        and t["name_person_id"] == t["person_id"]
        and grave.kind != "mass"
        and bool(grave.number)
        and bool(row.cells[1])
        and not {"duplicate", "name_mixup", "plank"} & set(row.noise)
    )


def _shift_one_digit(year: int, rng: random.Random) -> int:
    """The year with one digit slipped: one year or ten years off."""
    step = rng.choice((1, 10))
    return year + step if (year // step) % 10 < 5 else year - step


def _written_apart(
    world: World, row: JournalRow, rng: random.Random, fresh: Any
) -> JournalRow:
    """The same person written a second time by the volunteers, at no common
    grave number (a reburial, a corrected entry), as journals written apart
    from this simulator have it: the second row written plainly, a note on it
    only sometimes; one row without the grave number (or the reburial at a
    new grave); one of: a typo of transposed letters, no patronymic, no birth
    date or age, the birth year only; a corrected entry's first row with the
    birth year one digit off (one year or ten)."""
    p = world.persons[row.truth["person_id"]]
    kind = rng.choice(("reburial", "corrected"))
    burial: dt.date = row.key[0]
    words = [p.surname_uk, p.given_uk, p.patronymic_uk]
    again = JournalRow(list(row.cells), dict(row.truth), row.key,
                       ["written_apart", kind])  # fmt: skip
    row.noise += ["written_apart", kind]
    # the second entry: the whole name as written in the register, the dates
    # in a format of their own
    if p.dob and rng.random() < 0.7:
        again.cells[3], again.cells[4] = date_variant(p.dob, rng)[0], ""
    else:
        again.cells[3], again.cells[4] = "", str(p.age_at(p.dod))
    again.cells[5] = date_variant(p.dod, rng)[0] if row.cells[5] else ""
    if kind == "reburial":
        later = burial + dt.timedelta(days=rng.randint(7, 60))
        again.cells[6] = date_variant(later, rng)[0]
        again.key = (later, row.key[1] + "~apart")
        r = rng.random()
        if r < 0.4:
            row.cells[1] = ""  # buried first in a yard, no number
        elif r < 0.7:
            again.cells[1] = fresh()  # a new grave
        else:
            again.cells[1] = ""
    else:
        again.key = (burial + dt.timedelta(days=rng.randint(1, 6)),
                     row.key[1] + "~apart")  # fmt: skip
        again.cells[6] = date_variant(burial, rng)[0]
        target = row if rng.random() < 0.5 else again
        target.cells[1] = ""
        # the first entry's birth year slipped by one digit
        if row.cells[3] and p.dob:
            year = _shift_one_digit(p.dob.year, rng)
            day = min(p.dob.day, 28) if p.dob.month == 2 else p.dob.day
            row.cells[3] = date_variant(p.dob.replace(year=year, day=day), rng)[0]
            row.noise.append("birth_year_slip")
        elif row.cells[4].isdigit():
            row.cells[4] = str(_shift_one_digit(int(row.cells[4]), rng))
            row.noise.append("birth_year_slip")
    how = rng.choice(("letters_transposed", "no_patronymic", "no_birth",
                      "birth_year_only", ""))  # fmt: skip
    if how == "letters_transposed":
        i = rng.randrange(2)
        w = words[i]
        if len(w) >= 4:
            k = rng.randrange(1, len(w) - 2)
            words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    elif how == "no_patronymic":
        words[2] = ""
    elif how == "no_birth":
        again.cells[3] = again.cells[4] = ""
    elif how == "birth_year_only" and p.dob:
        again.cells[3], again.cells[4] = str(p.dob.year), ""
    if how:
        again.noise.append(how)
    again.cells[2] = " ".join(w for w in words if w)
    if rng.random() < 0.4:
        notes = _REBURIAL_NOTES if kind == "reburial" else _CORRECTED_NOTES
        again.cells[9] = rng.choice(notes)
    else:
        again.cells[9] = rng.choice(_NOTE_UK)
    for r_ in (row, again):
        r_.truth["grave_written"] = r_.cells[1] or None
        r_.truth["name_person_id"] = p.pid
    return again


def _other_latin(world: World, row: JournalRow, rng: random.Random) -> None:
    """Half of the Latin-written names in a spelling other than KMU 2010
    (``latin_spelling``: Yuriy, Iurii, Sergey), in the same order and case."""
    pid = row.truth["name_person_id"]
    r = rng.random()
    if pid is None or "latin" not in row.noise or r >= 0.5:
        return
    scheme = rng.choice(LATIN_SCHEMES)
    p = world.persons[pid]
    text = row.cells[2]
    given = latin_spelling(p.given_uk, p.given_ru, scheme)
    surname = latin_spelling(p.surname_uk, p.surname_ru, scheme)
    first = kmu2010(p.given_uk).lower()
    words = [given, surname] if text.lower().startswith(first) else [surname, given]
    new = " ".join(words)
    row.cells[2] = new.upper() if text.isupper() else new
    row.noise.append("latin_other")


def _nameless_plank(world: World, row: JournalRow, rng: random.Random) -> None:
    """A nameless body's row with the number of the neighbouring plank (6%)."""
    r = rng.random()
    if row.truth["name_person_id"] is None and r < 0.06:
        _neighbouring_plank(world, row, rng, 1)


def render_csv(header: list[str], rows: list[JournalRow], delimiter: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row.cells)
    return buf.getvalue()
