"""Two journals written the way people really write them (#15), with truth.

``write(directory)`` writes ``funeral.csv`` (a Russian funeral-home register,
cp1251, name in three columns), ``volunteers.csv`` (a Ukrainian volunteers'
register, UTF-8, the whole name in one cell) and ``truth.csv`` (file, row,
person, habit). All names are synthetic combinations of common name parts.

Every person is in the funeral home's register with a grave number (a few
rows without one); the volunteers write each person with one habit:

* ``plain``: grave number and dates as the funeral home has them;
* ``no_grave``: no grave number, name and dates agree (dates like ``7/2/79``);
* ``plank``: the neighbouring plank's number (``289`` for ``288``);
* ``wrong_grave``: another grave's number, name and dates agree;
* ``initials``: ``Руденко О.В.``, the birth date in words
  (``14 березня 1957``);
* ``latin``: passport spelling, ``Marchenko Yurii`` or ``LEVCHENKO IHOR``;
* ``caps_typo``: capitals with a typo, ``ТКАЧЕНКО ОЛЕКСАНДЕР``;
* ``age_only``: the age at death instead of the birth date;
* ``unnamed``: "невідомий" (the funeral home: "Неизвестный") at the same grave.

Some people are written twice by the volunteers (``duplicate``: a reburial
or a corrected entry, surname and given name with the age and death date
only), and some pairs of different people share a surname and given name
(``namesake``: relatives or namesakes, other dates and graves) so that
precision is tested too.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from linkage.evaluate import PairwiseScores, pairwise_scores, pairwise_scores_by_class
from linkage.io import ParsedRow, read_journal
from linkage.normalize import translit_kmu

DATA = Path(__file__).parent / "data" / "habits"

# (Ukrainian, Russian, patronymic root uk, patronymic root ru)
GIVEN = [
    ("Олександр", "Александр", "Олександрович", "Александрович"),
    ("Сергій", "Сергей", "Сергійович", "Сергеевич"),
    ("Микола", "Николай", "Миколайович", "Николаевич"),
    ("Іван", "Иван", "Іванович", "Иванович"),
    ("Петро", "Петр", "Петрович", "Петрович"),
    ("Василь", "Василий", "Васильович", "Васильевич"),
    ("Андрій", "Андрей", "Андрійович", "Андреевич"),
    ("Юрій", "Юрий", "Юрійович", "Юрьевич"),
    ("Ігор", "Игорь", "Ігорович", "Игоревич"),
    ("Євген", "Евгений", "Євгенович", "Евгеньевич"),
    ("Степан", "Степан", "Степанович", "Степанович"),
    ("Дмитро", "Дмитрий", "Дмитрович", "Дмитриевич"),
    ("Володимир", "Владимир", "Володимирович", "Владимирович"),
    ("Віктор", "Виктор", "Вікторович", "Викторович"),
    ("Григорій", "Григорий", "Григорович", "Григорьевич"),
    ("Анатолій", "Анатолий", "Анатолійович", "Анатольевич"),
]
SURNAMES = [
    "Гончаренко", "Ковальчук", "Руденко", "Савченко", "Марченко", "Левченко",
    "Яковенко", "Ткаченко", "Шевчук", "Бондар", "Кравець", "Мельничук",
    "Олійник", "Лисенко", "Гребенюк", "Поліщук", "Кушнір", "Литвиненко",
    "Тимошенко", "Захарчук", "Панченко", "Гаврилюк", "Федоренко", "Кузьменко",
    "Остапчук", "Дорошенко", "Білоус", "Пономаренко", "Симоненко", "Костенко",
    "Нестеренко", "Осадчий", "Вакуленко", "Присяжнюк", "Головко", "Дяченко",
    "Стасюк", "Гуменюк", "Сидоренко", "Карпенко",
]  # fmt: skip
UK_MONTHS = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня",
             "серпня", "вересня", "жовтня", "листопада", "грудня"]  # fmt: skip

HABITS = ("plain", "no_grave", "plank", "wrong_grave", "initials", "latin",
          "caps_typo", "age_only", "unnamed")  # fmt: skip

FUNERAL_HEADER = ["№ п/п", "№ могилы", "Фамилия", "Имя", "Отчество",
                  "Дата рождения", "Дата смерти", "Дата захоронения"]  # fmt: skip
VOLUNTEER_HEADER = ["№", "Номер могили", "ПІБ", "Дата народження", "Вік",
                    "Дата смерті", "Дата поховання"]  # fmt: skip


def _typo(word: str, rng: random.Random) -> str:
    """One letter doubled, dropped or changed, not the first."""
    i = rng.randrange(2, len(word) - 1)
    kind = rng.choice(("double", "drop", "vowel"))
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    vowels = "АЕИОУ"
    j = next((k for k in range(i, len(word)) if word[k] in vowels), i)
    return word[:j] + rng.choice([v for v in vowels if v != word[j]]) + word[j + 1 :]


def _age(birth: dt.date, death: dt.date) -> int:
    return (
        death.year - birth.year - ((death.month, death.day) < (birth.month, birth.day))
    )


def _words(d: dt.date) -> str:
    return f"{d.day} {UK_MONTHS[d.month - 1]} {d.year}"


def write(directory: str | Path, n: int = 270, seed: int = 15) -> None:
    """Write the two journals and the truth for ``n`` people."""
    rng = random.Random(seed)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    start = dt.date(2022, 3, 1)
    funeral: list[list[str]] = []
    volunteers: list[list[str]] = []
    truth: list[tuple[str, int, str, str]] = []
    people: list[tuple[str, int]] = []
    used: set[tuple[str, int]] = set()
    for _ in range(n):
        while True:
            pair = (rng.choice(SURNAMES), rng.randrange(len(GIVEN)))
            if pair not in used:
                break
        used.add(pair)
        people.append(pair)
    # namesakes: every 15th person shares surname and given name with the
    # person before (another patronymic, other dates, another grave)
    for k in range(15, n, 15):
        people[k] = people[k - 1]
    habits = [HABITS[k % len(HABITS)] for k in range(n)]
    for k, (s, gi) in enumerate(people):
        g = GIVEN[gi]
        pat = GIVEN[(gi + 1 + k) % len(GIVEN)]
        birth = dt.date(rng.randint(1935, 2003), rng.randint(1, 12), rng.randint(1, 28))
        death = start + dt.timedelta(days=rng.randint(0, 400))
        burial = death + dt.timedelta(days=rng.randint(1, 6))
        grave = 100 + 2 * k  # a plank's neighbours are not used by anyone
        habit = habits[k]
        pid = f"P{k:04d}"
        unnamed = habit == "unnamed"
        fh_grave = "" if k % 23 == 5 and not unnamed else str(grave)
        funeral.append([
            str(len(funeral) + 1), fh_grave,
            "Неизвестный" if unnamed else s, "" if unnamed else g[1],
            "" if unnamed else pat[3], "" if unnamed else f"{birth:%d.%m.%Y}",
            f"{death:%d.%m.%Y}", f"{burial:%d.%m.%Y}",
        ])  # fmt: skip
        truth.append(("funeral.csv", len(funeral) + 1, pid, habit))
        v_grave = str(grave)
        full = f"{s} {g[0]} {pat[2]}"
        v_birth, v_age = f"{birth:%d.%m.%Y}", ""
        v_death, v_burial = f"{death:%d.%m.%Y}", f"{burial:%d.%m.%Y}"
        if habit == "no_grave":
            v_grave = ""
            v_birth = f"{birth.day}/{birth.month}/{birth:%y}"
            v_death = f"{death.day}/{death.month}/{death:%y}"
        elif habit == "plank":
            v_grave = str(grave + rng.choice((-1, 1)))
        elif habit == "wrong_grave":
            v_grave = str(100 + 2 * rng.randrange(n))
            if v_grave == str(grave):
                v_grave = str(grave + 40)
        elif habit == "initials":
            full = f"{s} {g[0][0]}.{pat[2][0]}."
            v_birth = _words(birth)
        elif habit == "latin":
            lat = f"{translit_kmu(s)} {translit_kmu(g[0])}"
            full = lat.upper() if k % 2 else lat
        elif habit == "caps_typo":
            full = f"{s.upper()} {_typo(g[0].upper(), rng)}"
        elif habit == "age_only":
            v_birth, v_age = "", str(_age(birth, death))
        elif habit == "unnamed":
            full, v_birth = "невідомий", ""
        volunteers.append([str(len(volunteers) + 1), v_grave, full, v_birth, v_age,
                           v_death, v_burial])  # fmt: skip
        truth.append(("volunteers.csv", len(volunteers) + 1, pid, habit))
        if k % 11 == 3 and not unnamed:
            # written twice: a reburial or a corrected entry
            volunteers.append([str(len(volunteers) + 1), str(grave),
                               f"{s} {g[0]}", "", f"{_age(birth, death)} (вік)",
                               f"{death:%d.%m.%Y}", ""])  # fmt: skip
            truth.append(("volunteers.csv", len(volunteers) + 1, pid, "duplicate"))
    with (out / "funeral.csv").open("w", encoding="cp1251", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(FUNERAL_HEADER)
        w.writerows(funeral)
    with (out / "volunteers.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(VOLUNTEER_HEADER)
        w.writerows(volunteers)
    with (out / "truth.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "row", "person", "habit"])
        w.writerows(truth)


def score(directory: str | Path, clusters_csv: str | Path) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of ``imena reconcile``'s clusters
    CSV against the truth: overall, by class of difficulty and by habit (a
    pair counts under each habit of its two rows other than ``plain``)."""
    d = Path(directory)
    rows = []
    for f in ("funeral.csv", "volunteers.csv"):
        rows += read_journal(d / f, source=f).rows
    with Path(clusters_csv).open(encoding="utf-8") as fh:
        predicted = {(r["file"], int(r["row"])): r["cluster_id"]
                     for r in csv.DictReader(fh)}  # fmt: skip
    with (d / "truth.csv").open(encoding="utf-8") as fh:
        recs = list(csv.DictReader(fh))
    truth = {(r["file"], int(r["row"])): r["person"] for r in recs}
    habit = {(r["file"], int(r["row"])): r["habit"] for r in recs}

    def by_habit(a: ParsedRow, b: ParsedRow) -> str:
        hs = sorted({habit[(x.source, x.row_number)] for x in (a, b)} - {"plain"})
        return "+".join(hs) or "plain"

    return {
        "all": pairwise_scores(predicted, truth),
        "class": pairwise_scores_by_class(rows, predicted, truth),
        "habit": pairwise_scores_by_class(rows, predicted, truth, by_habit),
        "rows": len(rows),
    }


def report(result: dict[str, Any]) -> str:
    def line(name: str, s: PairwiseScores) -> str:
        return (f"{name:<24} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} "
                f"(tp {s.true_positives}, fp {s.false_positives}, "
                f"fn {s.false_negatives})")  # fmt: skip

    out = [f"rows={result['rows']}", line("all pairs", result["all"])]
    for key in ("class", "habit"):
        out += [line(k, v) for k, v in sorted(result[key].items())]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    import sys
    import tempfile

    from linkage.cli import main

    d = Path(sys.argv[1] if len(sys.argv) > 1 else DATA)
    if not (d / "truth.csv").exists():
        write(d)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clusters.csv"
        main([str(d / "funeral.csv"), str(d / "volunteers.csv"), "--out", str(out)])
        print(report(score(d, out)))
