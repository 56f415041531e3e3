from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imena.simulation.names import (
    FEMALE,
    MALE,
    SURNAMES,
    kmu2010,
    ru_patronymic,
    uk_patronymic,
)

FDI = {q * 10 + p for q in (1, 2, 3, 4) for p in range(1, 9)}
HAIR = {
    "black",
    "dark_brown",
    "brown",
    "light_brown",
    "blond",
    "red",
    "grey",
    "white",
    "dyed",
    "bald",
}
EYES = {"blue", "grey", "green", "hazel", "brown", "black"}
CIRCUMSTANCES = {
    "detained",
    "abducted",
    "combat",
    "shelling",
    "displacement",
    "unknown",
}


def test_name_lists_are_large_enough() -> None:
    assert len(MALE) >= 80 and len(FEMALE) >= 80
    assert len(SURNAMES) >= 200
    assert ("Олександр", "Александр") in MALE and ("Ганна", "Анна") in FEMALE


@pytest.mark.parametrize(
    ("father", "sex", "expected"),
    [
        ("Олександр", "male", "Олександрович"),
        ("Олександр", "female", "Олександрівна"),
        ("Сергій", "female", "Сергіївна"),
        ("Микола", "male", "Миколайович"),
        ("Василь", "female", "Василівна"),
        ("Петро", "male", "Петрович"),
        ("Ілля", "male", "Ілліч"),
        ("Григорій", "female", "Григорівна"),
    ],
)
def test_ukrainian_patronymics(father: str, sex: str, expected: str) -> None:
    assert uk_patronymic(father, sex) == expected


@pytest.mark.parametrize(
    ("father", "sex", "expected"),
    [
        ("Александр", "male", "Александрович"),
        ("Сергей", "female", "Сергеевна"),
        ("Николай", "male", "Николаевич"),
        ("Юрий", "male", "Юрьевич"),
        ("Игорь", "female", "Игоревна"),
        ("Михаил", "male", "Михайлович"),
    ],
)
def test_russian_patronymics(father: str, sex: str, expected: str) -> None:
    assert ru_patronymic(father, sex) == expected


def test_kmu2010_romanisation() -> None:
    assert kmu2010("Олександр Шевченко") == "Oleksandr Shevchenko"
    assert kmu2010("Юрій Згурський") == "Yurii Zghurskyi"
    assert kmu2010("Мар'яна Єрмоленко") == "Mariana Yermolenko"


def test_names_agree_with_sex(truth: dict[str, Any]) -> None:
    males = {m for m, _ in MALE}
    females = {f for f, _ in FEMALE}
    for p in truth["persons"].values():
        if p["sex"] == "male":
            assert p["given_name"] in males
            assert p["patronymic"].endswith(("ович", "ич", "іч"))
            assert p["patronymic_ru"].endswith(("вич", "ич"))
            assert not p["family_name"].endswith(("ська", "цька", "ова", "іна"))
        else:
            assert p["given_name"] in females
            assert p["patronymic"].endswith("івна") or p["patronymic"].endswith("ївна")
            assert p["patronymic_ru"].endswith(("вна", "ична"))
            assert not p["family_name"].endswith(("ський", "ов", "ій", "ий"))


def test_soldiers_are_men_of_fighting_age(truth: dict[str, Any]) -> None:
    for p in truth["persons"].values():
        if p["category"] == "soldier" and p["at_site"]:
            assert p["sex"] == "male"
            born = int(p["date_of_birth"][:4])
            assert 20 <= int(p["date_of_death"][:4]) - born <= 56


def test_reports_use_the_vocabulary(out: Path, truth: dict[str, Any]) -> None:
    reports = json.loads((out / "missing/reports.json").read_text("utf-8"))["reports"]
    assert reports
    at_site = {
        am
        for am, r in truth["reports"].items()
        if truth["persons"][r["person_id"]]["at_site"]
    }
    assert at_site and len(at_site) < len(reports)  # some reported people are elsewhere
    assert any(r["duplicate_of"] for r in truth["reports"].values())
    for r in reports:
        assert r["sex"] in {"male", "female"}
        assert r["circumstances"] in CIRCUMSTANCES
        assert r["hair_colour"] in HAIR | {None}
        assert r["eye_colour"] in EYES | {None}
        assert r["date_of_birth_precision"] in {"Y", "YMD"}
        if r["dental"]:
            assert all(t["tooth"] in FDI for t in r["dental"]["chart"])
        assert r["reporting_person"]["contact"].startswith("+380 (00)")
    assert any(r["date_of_birth_precision"] == "Y" for r in reports)


def test_pm_findings_are_close_to_truth(out: Path, truth: dict[str, Any]) -> None:
    findings = json.loads((out / "pm/findings.json").read_text("utf-8"))["findings"]
    age_hits = stature_hits = 0
    for f in findings:
        body = truth["bodies"][f["pm_case_no"]]
        p = truth["persons"][body["person_id"]]
        opposite = "female" if p["sex"] == "male" else "male"
        assert opposite not in f["sex"].split("_")
        age = int(p["date_of_death"][:4]) - int(p["date_of_birth"][:4])
        age_hits += f["age_min"] - 1 <= age <= f["age_max"] + 1
        stature_hits += f["stature_min"] <= p["stature_cm"] <= f["stature_max"]
        assert all(t["tooth"] in FDI for t in f["dental"]["chart"])
        assert f["grave_id"] == body["grave"]
        truth_missing = {
            t["tooth"] for t in p["dental"] if t["status"] == "missing_antemortem"
        }
        pm_missing = {
            t["tooth"]
            for t in f["dental"]["chart"]
            if t["status"] == "missing_antemortem"
        }
        assert truth_missing == pm_missing
    assert age_hits > 0.85 * len(findings)
    assert stature_hits > 0.85 * len(findings)
    assert any(f["torture_indicators"] for f in findings)
    assert any(f["documents"] for f in findings)


def _shares(a: list[str], b: list[str]) -> bool:
    return bool(set(a) & set(b))


def _trio_ok(child: list[str], fa: list[str], mo: list[str]) -> bool:
    x, y = child
    return (x in fa and y in mo) or (y in fa and x in mo)


def test_genotypes_follow_the_pedigrees(out: Path, truth: dict[str, Any]) -> None:
    case = json.loads((out / "dna/case.json").read_text("utf-8"))
    assert len(case["markers"]) == 23
    for mk in case["markers"]:
        assert abs(sum(mk["afreq"]) - 1) < 0.02
        assert len(mk["alleles"]) == len(mk["afreq"])
    checked = 0
    for fid, fam in case["am"].items():
        t = truth["families"][fid]
        assert 1 <= len(fam["genotypes"]) <= 3
        idx = {m: i for i, m in enumerate(fam["id"])}
        for i in range(len(fam["id"])):
            if fam["fid"][i]:
                assert fam["sex"][idx[fam["fid"][i]]] == 1
                assert fam["sex"][idx[fam["mid"][i]]] == 2
        genos = dict(fam["genotypes"])
        pm = truth["persons"][t["person_id"]]["body"]
        if pm and truth["bodies"][pm]["dna_profile"] == "complete":
            genos[t["missing_member"]] = case["pm"][pm]["genotypes"]
        for i, child in enumerate(fam["id"]):
            fa, mo = fam["fid"][i], fam["mid"][i]
            if child not in genos:
                continue
            for locus, g in genos[child].items():
                if fa in genos and mo in genos:
                    assert _trio_ok(g, genos[fa][locus], genos[mo][locus]), (fid, locus)
                    checked += 1
                elif fa in genos:
                    assert _shares(g, genos[fa][locus]), (fid, locus)
                    checked += 1
                elif mo in genos:
                    assert _shares(g, genos[mo][locus]), (fid, locus)
                    checked += 1
    assert checked > 1000


def test_some_pm_profiles_are_degraded(out: Path, truth: dict[str, Any]) -> None:
    case = json.loads((out / "dna/case.json").read_text("utf-8"))
    status = [b["dna_profile"] for b in truth["bodies"].values()]
    assert "degraded" in status and "complete" in status
    degraded = [pm for pm, b in truth["bodies"].items() if b["dna_missing_loci"]]
    assert any(len(case["pm"][pm]["genotypes"]) < 23 for pm in degraded)
    families_with_body = [
        f
        for f in truth["families"].values()
        if truth["persons"][f["person_id"]]["at_site"]
    ]
    assert 0 < len(families_with_body) < len(truth["families"])
    unmatched = set(truth["bodies"]) - {
        truth["persons"][f["person_id"]]["body"] for f in families_with_body
    }
    assert unmatched
