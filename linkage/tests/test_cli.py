from __future__ import annotations

import csv
from pathlib import Path

import pytest

from linkage.cli import main

HEADER = "Номер могили,ПІБ,Дата народження,Дата поховання\n"


def test_cli_writes_one_line_per_row(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(HEADER + "12,Шевченко Іван Петрович,12.03.1950,05.04.2022\n", "utf-8")
    b.write_bytes(
        ("№ могилы;Фамилия;Имя;Отчество;Дата рождения;Дата захоронения\n"
         "12;Шевченко;Иван;Петрович;12.03.1950;05.04.2022\n"
         "13;Коваль;Анна;;;06.04.2022\n").encode("cp1251")
    )  # fmt: skip
    out = tmp_path / "c.csv"
    assert main([str(a), str(b), "--out", str(out)]) == 0
    lines = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(lines) == 3
    assert lines[0]["cluster_id"] == lines[1]["cluster_id"]
    assert lines[0]["proposed_grave"] == "12" and lines[0]["file"] == "a.csv"


@pytest.mark.parametrize("content", [b"1;2;3\n4;5;6\n", b"\x98\x98\x98", b""])
def test_cli_bad_file(tmp_path: Path, content: bytes, capsys) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    assert main([str(f), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("imena reconcile: error: bad.csv") and "\n" not in err
    assert "Traceback" not in err


def test_explain_writes_each_linked_pairs_waterfall(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(HEADER + "12,Шевченко Іван Петрович,12.03.1950,05.04.2022\n"
                 "14,Коваль Анна,,06.04.2022\n", "utf-8")  # fmt: skip
    b.write_text(HEADER + "12,Шевченко Иван Петрович,12.03.1950,05.04.2022\n"
                 "15,Бондар Олег,01.01.1960,07.04.2022\n", "utf-8")  # fmt: skip
    out, pairs = tmp_path / "c.csv", tmp_path / "pairs.csv"
    assert main([str(a), str(b), "--out", str(out), "--explain", str(pairs)]) == 0
    lines = list(csv.DictReader(pairs.open(encoding="utf-8")))
    assert len(lines) == 1  # only the linked pair
    p = lines[0]
    assert (p["file_l"], p["row_l"], p["file_r"], p["row_r"]) == ("a.csv", "2",
                                                                  "b.csv", "2")  # fmt: skip
    assert p["given_level"] == "uk/ru equivalent" and p["grave_level"] == "exact"
    comps = ("surname", "given", "patronymic", "birth", "death_date",
             "burial_date", "grave")  # fmt: skip
    total = float(p["prior_weight"]) + sum(float(p[f"{c}_weight"]) for c in comps)
    assert total == pytest.approx(float(p["match_weight"]), abs=0.01)
    clusters = list(csv.DictReader(out.open(encoding="utf-8")))
    assert p["cluster_id"] == clusters[0]["cluster_id"]
    # the clusters CSV keeps its shape
    assert list(clusters[0]) == ["file", "row", "cluster_id", "proposed_grave",
                                 "match_probability"]  # fmt: skip
