"""A small, deterministic two-journal fixture (no simulator needed)."""

from __future__ import annotations

import datetime as dt
import random

from linkage.io import ParsedRow, RawRow, guess_mapping, parse_row

GIVEN = [("Олександр", "Александр", "Олександрович", "Александрович"),
         ("Сергій", "Сергей", "Сергійович", "Сергеевич"),
         ("Микола", "Николай", "Миколайович", "Николаевич"),
         ("Іван", "Иван", "Іванович", "Иванович"),
         ("Петро", "Петр", "Петрович", "Петрович"),
         ("Василь", "Василий", "Васильович", "Васильевич")]  # fmt: skip
SURNAMES = ["Шевченко", "Коваленко", "Бондаренко", "Ткачук", "Кравчук", "Мельник",
            "Олійник", "Лисенко", "Гончар", "Руденко", "Савчук", "Марченко"]  # fmt: skip

FH = ["№ п/п", "№ могилы", "Фамилия", "Имя", "Отчество", "Дата рождения",
      "Возраст", "Дата смерти", "Дата захоронения"]  # fmt: skip
VOL = ["№", "Номер могили", "ПІБ", "Дата народження", "Вік", "Дата смерті",
       "Дата поховання"]  # fmt: skip


def journals(
    n: int, seed: int = 0
) -> tuple[list[ParsedRow], dict[tuple[str, int], int]]:
    """``n`` people buried in graves 1..n; both journals list everyone, with
    Russian spelling in the funeral home's, a few swapped names, a transposed
    grave number and a duplicate. Returns rows and truth (row -> person)."""
    rng = random.Random(seed)
    fh_map, vol_map = guess_mapping(FH), guess_mapping(VOL)
    rows: list[ParsedRow] = []
    truth: dict[tuple[str, int], int] = {}
    start = dt.date(2022, 3, 1)
    for k in range(n):
        g = rng.choice(GIVEN)
        s = rng.choice(SURNAMES)
        dob = dt.date(rng.randint(1930, 2000), rng.randint(1, 12), rng.randint(1, 28))
        dod = start + dt.timedelta(days=rng.randint(0, 150))
        bur = dod + dt.timedelta(days=rng.randint(1, 5))
        grave = str(k + 10)
        fh_cells = [str(k + 1), grave, s, g[1], g[3], dob.strftime("%d.%m.%Y"), "",
                    dod.strftime("%d.%m.%Y"), bur.strftime("%d.%m.%Y")]  # fmt: skip
        vgrave = grave[::-1] if k == 3 else grave  # one transposition
        pib = f"{g[0]} {g[2]} {s}" if k % 7 == 0 else f"{s} {g[0]} {g[2]}"
        vol_cells = [str(k + 1), vgrave, pib, dob.isoformat(), "",
                     dod.strftime("%d/%m/%y"), bur.strftime("%d.%m.%Y")]  # fmt: skip
        for src, header, cells, mp in (("funeral_home", FH, fh_cells, fh_map),
                                       ("volunteers", VOL, vol_cells, vol_map)):  # fmt: skip
            rn = k + 2
            rows.append(
                parse_row(RawRow(rn, dict(zip(header, cells, strict=True))), mp, src)
            )
            truth[(src, rn)] = k
    # a duplicate entry in the volunteers' journal
    dup = rows[1]
    rows.append(
        ParsedRow(
            **{**{f: getattr(dup, f) for f in dup.__slots__}, "row_number": n + 2}
        )
    )
    truth[("volunteers", n + 2)] = 0
    return rows, truth
