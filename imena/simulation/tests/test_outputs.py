from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from imena.simulation import Summary, check_truth, simulate
from imena.simulation.truth import read_journal

CONTRACT_FUNERAL = (
    "№ п/п;№ могилы;Фамилия;Имя;Отчество;Дата рождения;Возраст;Дата смерти;"
    "Дата захоронения;Причина смерти;Кто доставил;Примечание"
)
CONTRACT_VOLUNTEERS = (
    "№,Номер могили,ПІБ,Дата народження,Вік,Дата смерті,Дата поховання,"
    "Причина смерті,Хто привіз,Примітки"
)
FILES = (
    "manifest.json",
    "truth.json",
    "sites.json",
    "journals/funeral_home.csv",
    "journals/volunteers.csv",
    "missing/reports.json",
    "dna/case.json",
    "pm/findings.json",
)


def _bytes(directory: Path) -> dict[str, bytes]:
    return {f: (directory / f).read_bytes() for f in FILES}


def test_it_writes_the_contract_layout(out: Path) -> None:
    for f in FILES:
        assert (out / f).is_file(), f


def test_same_seed_gives_identical_bytes(out: Path, tmp_path: Path) -> None:
    simulate(7, tmp_path / "again")
    assert _bytes(tmp_path / "again") == _bytes(out)


def test_another_seed_gives_other_files(out: Path, tmp_path: Path) -> None:
    simulate(8, tmp_path / "other")
    other = _bytes(tmp_path / "other")
    mine = _bytes(out)
    assert all(other[f] != mine[f] for f in FILES)


def test_truth_is_consistent(out: Path) -> None:
    assert check_truth(out) == []


def test_check_truth_notices_a_tampered_journal(tmp_path: Path) -> None:
    d = tmp_path / "t"
    simulate(1, d, graves=40)
    path = d / "journals/volunteers.csv"
    path.write_bytes(path.read_bytes() + "999,1,Хтось,,,,,,,\r\n".encode())
    assert check_truth(d)


def test_journal_encodings_and_headers(out: Path) -> None:
    raw = (out / "journals/funeral_home.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp1251").split("\r\n", 1)[0] == CONTRACT_FUNERAL
    vol = (out / "journals/volunteers.csv").read_bytes()
    assert vol.startswith(b"\xef\xbb\xbf")
    assert vol.decode("utf-8-sig").split("\r\n", 1)[0] == CONTRACT_VOLUNTEERS


def test_every_journal_row_is_in_truth(out: Path, truth: dict[str, Any]) -> None:
    for rel in ("journals/funeral_home.csv", "journals/volunteers.csv"):
        _, rows = read_journal(out, rel)
        numbers = sorted(r["row"] for r in truth["journal_rows"] if r["file"] == rel)
        assert numbers == list(range(1, len(rows) + 1))


def test_default_site_has_one_mass_grave_of_17(
    out: Path, truth: dict[str, Any]
) -> None:
    sites = json.loads((out / "sites.json").read_text("utf-8"))["sites"]
    assert len(sites) == 1
    graves = sites[0]["graves"]
    assert len(graves) == 445
    mass = [g for g in graves if g["kind"] == "mass"]
    assert len(mass) == 1
    assert len(truth["graves"][mass[0]["id"]]["bodies"]) == 17
    assert all(
        truth["persons"][truth["bodies"][pm]["person_id"]]["category"] == "soldier"
        for pm in truth["graves"][mass[0]["id"]]["bodies"]
    )
    markers = {g["marker"] for g in graves}
    assert "БН" in markers
    assert any(m.endswith("а") for m in markers)
    assert any("/" in m for m in markers)
    assert any(m.startswith("№ ") for m in markers)
    assert 49.1 < graves[0]["lat"] < 49.3 and 37.2 < graves[0]["lon"] < 37.4


def test_every_body_lies_in_exactly_one_grave(truth: dict[str, Any]) -> None:
    listed = [pm for g in truth["graves"].values() for pm in g["bodies"]]
    assert sorted(listed) == sorted(truth["bodies"])


@pytest.mark.parametrize(
    ("graves", "scale", "n_graves", "n_mass"),
    [(40, 1, 40, 1), (40, 3, 120, 3), (10, 1, 10, 0)],
)
def test_graves_and_scale_multiply(
    tmp_path: Path, graves: int, scale: int, n_graves: int, n_mass: int
) -> None:
    summary: Summary = simulate(2, tmp_path / "s", graves=graves, scale=scale)
    assert summary.graves == n_graves
    sites = json.loads((tmp_path / "s/sites.json").read_text("utf-8"))["sites"]
    assert sum(g["kind"] == "mass" for g in sites[0]["graves"]) == n_mass
    assert check_truth(tmp_path / "s") == []


def test_manifest_lists_files_with_rows(out: Path, run: tuple[Path, Summary]) -> None:
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["seed"] == 7
    assert manifest["parameters"] == {"graves": 445, "scale": 1}
    rows = {f["path"]: f["rows"] for f in manifest["files"]}
    assert rows["journals/funeral_home.csv"] == run[1].funeral_rows
    assert rows["journals/volunteers.csv"] == run[1].volunteer_rows


def test_no_timestamps_in_outputs(out: Path) -> None:
    text = (out / "manifest.json").read_text("utf-8")
    assert "2026" not in text and "2025" not in text


def test_conflicts_are_present(out: Path, truth: dict[str, Any]) -> None:
    rows = truth["journal_rows"]
    # One grave, two names.
    names_per_grave: dict[str, set[str]] = defaultdict(set)
    graves_per_name: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["name_person_id"]:
            names_per_grave[r["grave"]].add(r["name_person_id"])
            if r["grave_written"]:
                graves_per_name[r["name_person_id"]].add(
                    r["grave_written"].lstrip("№ ")
                )
    assert any(len(v) > 1 for v in names_per_grave.values())
    assert any(len(v) > 1 for v in graves_per_name.values())
    # Duplicates within one journal.
    for rel in ("journals/funeral_home.csv", "journals/volunteers.csv"):
        seen: set[str] = set()
        dup = False
        for r in rows:
            if r["file"] == rel:
                dup |= r["person_id"] in seen
                seen.add(r["person_id"])
        assert dup, rel
    # People in only one journal, and rows without a grave number.
    fh = {r["person_id"] for r in rows if r["file"].endswith("funeral_home.csv")}
    vol = {r["person_id"] for r in rows if r["file"].endswith("volunteers.csv")}
    assert fh - vol and vol - fh
    assert len(fh & vol) > 0.75 * len(fh | vol)
    assert any(r["grave_written"] is None for r in rows)


def test_noise_classes_show_in_the_cells(out: Path, truth: dict[str, Any]) -> None:
    _, vol = read_journal(out, "journals/volunteers.csv")
    tagged: dict[str, list[tuple[list[str], dict[str, Any]]]] = defaultdict(list)
    for r in truth["journal_rows"]:
        if r["file"] == "journals/volunteers.csv":
            for tag in r["noise"]:
                tagged[tag].append((vol[r["row"] - 1], r))
    for tag in (
        "latin",
        "age_only",
        "swapped_order",
        "typo",
        "lookalike",
        "unnamed",
        "no_patronymic",
        "grave_slip",
        "grave_prefix",
        "duplicate",
        "name_mixup",
    ):
        assert tagged[tag], tag
    for cells, _ in tagged["latin"]:
        assert cells[2].isascii()
    for cells, _ in tagged["age_only"]:
        assert cells[3] == "" and cells[4].isdigit()
    for cells, r in tagged["swapped_order"]:
        assert cells[2].split()[0] == truth["persons"][r["name_person_id"]][
            "given_name"
        ] or ("typo" in r["noise"])
    for cells, _ in tagged["lookalike"]:
        assert any(ch.isascii() and ch.isalpha() for ch in cells[2])
    unnamed = {cells[2] for cells, _ in tagged["unnamed"]}
    assert unnamed & {
        "невідомий",
        "невідома",
        "н/в чоловік",
        "н/в жінка",
        "невідомий військовий",
    }
    dates = "".join(row[3] + row[5] + row[6] for row in vol)
    for mark in ("/", "-", "березня", "."):
        assert mark in dates or mark == "березня" and "ня " in dates


def test_funeral_home_uses_russian_spellings(out: Path, truth: dict[str, Any]) -> None:
    _, fh = read_journal(out, "journals/funeral_home.csv")
    given = {row[3] for row in fh}
    assert given & {"Александр", "Сергей", "Николай", "Анна", "Елена", "Наталья"}
    assert any(
        row[4].endswith(("ович", "евич", "овна", "евна")) and "і" not in row[4]
        for row in fh
    )
    assert all(row[8].count(".") == 2 for row in fh)


def test_the_writing_habits_of_issue_15_show_in_both_journals(
    out: Path, truth: dict[str, Any]
) -> None:
    journals = {
        name: read_journal(out, name)[1]
        for name in ("journals/funeral_home.csv", "journals/volunteers.csv")
    }
    tagged: dict[tuple[str, str], list[tuple[list[str], dict[str, Any]]]] = defaultdict(
        list
    )
    for r in truth["journal_rows"]:
        for tag in r["noise"]:
            tagged[(r["file"], tag)].append((journals[r["file"]][r["row"] - 1], r))
    fh, vol = "journals/funeral_home.csv", "journals/volunteers.csv"
    for key in [(fh, "plank"), (vol, "plank"), (fh, "caps"), (vol, "caps"),
                (fh, "initials"), (vol, "latin")]:  # fmt: skip
        assert tagged[key], key
    for file in (fh, vol):
        for cells, r in tagged[(file, "plank")]:
            number = truth["graves"][r["grave"]]["number"]
            assert abs(int(cells[1]) - int(number)) == 1  # the next plank in the row
            assert r["grave_written"] == cells[1]
    for cells, _ in tagged[(fh, "caps")]:
        assert cells[2] == cells[2].upper() and cells[3] != cells[3].upper()
    for cells, _ in tagged[(vol, "caps")]:
        assert cells[2] == cells[2].upper()
    for cells, _ in tagged[(fh, "initials")]:
        assert len(cells[3]) == len(cells[4]) == 2 and cells[3].endswith(".")
    latin = [cells[2] for cells, _ in tagged[(vol, "latin")]]
    assert all(text.isascii() for text in latin)
    assert any(text.isupper() for text in latin)  # LEVCHENKO IHOR, as in a passport


def test_habits_of_journals_written_apart_show_in_the_volunteers_journal(
    out: Path, truth: dict[str, Any]
) -> None:
    # #15: entries written twice at no common grave number, Latin spellings
    # other than KMU 2010, nameless rows at the neighbouring plank
    from imena.simulation.names import kmu2010

    vol_file = "journals/volunteers.csv"
    _, vol = read_journal(out, vol_file)
    rows = [r for r in truth["journal_rows"] if r["file"] == vol_file]
    apart: dict[str, list[list[str]]] = defaultdict(list)
    for r in rows:
        if "written_apart" in r["noise"]:
            apart[r["person_id"]].append(vol[r["row"] - 1])
    assert apart and all(len(v) == 2 for v in apart.values())
    for first, again in apart.values():
        assert not (first[1] and first[1] == again[1])  # no common grave number
    tags = {t for r in rows if "written_apart" in r["noise"] for t in r["noise"]}
    assert {"reburial", "corrected"} <= tags
    other = [(vol[r["row"] - 1][2], r) for r in rows if "latin_other" in r["noise"]]
    assert other
    differ = 0
    for text, r in other:
        p = truth["persons"][r["name_person_id"]]
        kmu = {kmu2010(p["family_name"]).lower(), kmu2010(p["given_name"]).lower()}
        assert text.isascii()
        differ += set(text.lower().split()) != kmu  # Yuriy, Iurii, Sergey
    assert differ
    planks = [r for r in truth["journal_rows"]
              if "plank" in r["noise"] and "unnamed" in r["noise"]]  # fmt: skip
    assert planks
