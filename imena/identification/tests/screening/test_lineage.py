"""Issue 18, Django side: Y-STR and mtDNA stored with the profiles, a loaded
population table, and lineage LRs in the identification explanation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from imena.audit.services import audit_verify
from imena.dna.models import DNAProfile, LineageTable
from imena.identification import services
from imena.identification.screening import build_case_for_site, load_site_case
from imena.missing.models import ReferenceSample
from kinship import joint
from kinship.lineage import Y_DEFAULT_RATE, clopper_pearson_upper

pytestmark = pytest.mark.django_db

# Body 1 and its father (family 1) share H1; family 2's father has another line.
Y_CSV = (
    "Sample Name,Marker,Allele 1,Allele 2\n"
    "IZM-PM-0001-S1,DYS391,10,\n"
    "IZM-PM-0001-S1,DYS385,14,11\n"  # multi-copy, written in the other order
    "IZM-PM-0001-S1,DYS19,14,\n"
    "IZM-PM-0001-S1,DYS390,24,\n"
    # Body 2 (the mass grave) and family 2: one step at DYS391.
    'IZM-PM-0002-S1,DYS391,12,\nIZM-PM-0002-S1,DYS385,"12,15",\n'
    "IZM-PM-0002-S1,DYS19,14,\nIZM-PM-0002-S1,DYS390,22,\n"
)
Y_REF_CSV = (
    "Sample,DYS391,DYS385,DYS19,DYS390\n"
    'REF-1,10,"11,14",14,24\n'
    'REF-2,11,"12,15",14,22\n'
)


def _table_csv(n: int = 100) -> str:
    rows = ["Sample,DYS391,DYS385,DYS19,DYS390"]
    for k in range(n):  # none is H1 (DYS390 25..)
        rows.append(f'T{k},{9 + k % 4},"11,{13 + k % 3}",{13 + k % 5},{25 + k % 3}')
    return "\n".join(rows) + "\n"


def _import(tmp_path: Path, org: Any, name: str, text: str, *args: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("import", *args[:1], str(path), *args[1:], "--organisation", org.code)


def _load_y(small_case: dict[str, Any], org: Any, tmp_path: Path) -> None:
    _import(
        tmp_path, org, "pm-y.csv", Y_CSV, "profiles", "--kind", "pm", "--no-progress"
    )
    _import(
        tmp_path, org, "ref-y.csv", Y_REF_CSV, "profiles", "--kind", "reference",
        "--no-progress",
    )  # fmt: skip


def test_a_y_str_export_adds_the_haplotype_and_keeps_the_autosomal_profile(
    small_case, org, tmp_path: Path
) -> None:
    sample = small_case["samples"][0]
    old = sample.profile
    _load_y(small_case, org, tmp_path)
    sample.refresh_from_db()
    new = sample.profile
    assert new.supersedes_id == old.pk
    assert new.genotypes == old.genotypes and new.loci_typed == old.loci_typed
    assert new.ystr == {
        "DYS19": ["14"],
        "DYS385": ["11", "14"],
        "DYS390": ["24"],
        "DYS391": ["10"],
    }
    ref = ReferenceSample.objects.get(sample_id="REF-1").profile
    assert ref is not None
    assert ref.ystr["DYS385"] == ["11", "14"] and ref.genotypes
    # An autosomal re-upload keeps the Y haplotype.
    _import(
        tmp_path, org, "auto.csv",
        "Sample Name,Marker,Allele 1,Allele 2\nIZM-PM-0001-S1,TH01,6,7\n",
        "profiles", "--kind", "pm", "--no-progress",
    )  # fmt: skip
    sample.refresh_from_db()
    assert sample.profile.genotypes == {"TH01": ["6", "7"]}
    assert sample.profile.ystr == new.ystr
    assert audit_verify().ok


def test_an_mtdna_export_is_stored_normalised(small_case, org, tmp_path: Path) -> None:
    _import(
        tmp_path, org, "mt.csv",
        "Sample Name,Range,Variants\n"
        "IZM-PM-0002-S1,16024-16569 1-576,a263g 16069T 315.1c 249DEL 16093Y\n",
        "profiles", "--kind", "pm", "--no-progress",
    )  # fmt: skip
    profile = small_case["samples"][1]
    profile.refresh_from_db()
    assert profile.profile.mtdna == {
        "variants": "249del 263G 315.1C 16069T 16093Y",
        "range": "16024-16569 1-576",
    }
    assert profile.profile.genotypes  # the autosomal profile is kept


def test_a_bad_variant_is_refused_and_nothing_is_stored(
    small_case, org, tmp_path: Path
) -> None:
    before = DNAProfile.objects.count()
    with pytest.raises(CommandError, match="not understood"):
        _import(
            tmp_path, org, "mt.csv",
            "Sample Name,Range,Variants\nIZM-PM-0002-S1,1-576,263X\n",
            "profiles", "--kind", "pm", "--no-progress",
        )  # fmt: skip
    assert DNAProfile.objects.count() == before


def test_a_population_table_is_loaded_and_audited(org, tmp_path: Path, capsys) -> None:
    _import(tmp_path, org, "ydb.csv", _table_csv(), "lineage-table", "--kind", "ystr")
    assert "Stored ystr table 'ydb.csv' of 100 haplotypes" in capsys.readouterr().out
    table = LineageTable.objects.get()
    assert table.size == 100 and table.rows[0]["DYS385"] == ["11", "13"]
    _import(
        tmp_path, org, "mt.json",
        json.dumps({"rate": 0.01, "sequences": [{"variants": "A263G", "range": "1-576"}]}),
        "lineage-table", "--kind", "mtdna",
    )  # fmt: skip
    mt = LineageTable.objects.get(kind="mtdna")
    assert mt.rows == [{"variants": "263G", "range": "1-576"}]
    assert mt.rates == {"rate": 0.01}
    assert audit_verify().ok


def _dna_lrs(run: Any) -> dict[tuple[int, int], Any]:
    return {
        (c.analysis.body_id, c.person_id): c
        for c in services.Candidate.objects.of_run(run)
    }


def test_lineage_lrs_multiply_into_the_dna_lr_with_their_own_line(
    small_case, org, site, tmp_path: Path, users
) -> None:
    _load_y(small_case, org, tmp_path)
    actor = users["forensic_examiner"]
    before, _ = services.candidates_compute(actor=actor, site=site)
    _import(tmp_path, org, "ydb.csv", _table_csv(), "lineage-table", "--kind", "ystr")
    after, _ = services.candidates_compute(actor=actor, site=site)
    body, fam1, fam2 = (
        small_case["bodies"][0].pk,
        small_case["families"][0].pk,
        small_case["families"][1].pk,
    )
    old, new = _dna_lrs(before)[(body, fam1)], _dna_lrs(after)[(body, fam1)]
    # Father and son: 1 meiosis; 5 copies unchanged; H1 not in 100 haplotypes.
    expected = (1 - Y_DEFAULT_RATE) ** 5 / (1 - 0.05 ** (1 / 100))
    assert expected == pytest.approx(33.46, abs=0.01)
    assert expected == pytest.approx(
        (1 - Y_DEFAULT_RATE) ** 5 / clopper_pearson_upper(0, 100)
    )
    assert new.lr_dna / old.lr_dna == pytest.approx(expected, rel=1e-6)
    text = json.dumps(new.evidence, ensure_ascii=False)
    assert "Y-STR: 4/4 loci match FA (father), 1 meioses" in text
    assert "not seen in 100 -> LR 33.5" in text
    assert "consistent with the paternal line (every man of that line" in text
    assert "узгоджується з батьківською лінією" in text
    wrong = _dna_lrs(after).get((body, fam2))
    if wrong is not None:  # kept: then the line is flagged as excluded
        assert "excludes the paternal line" in json.dumps(wrong.evidence)


def test_lineage_only_evidence_gives_its_lr_in_the_posterior(
    small_case, org, site, tmp_path: Path, users
) -> None:
    """A body typed only for Y-STRs, and a family whose reference is typed only
    for Y-STRs, get the lineage LR as their DNA LR (no autosomal comparison)."""
    _load_y(small_case, org, tmp_path)
    _import(tmp_path, org, "ydb.csv", _table_csv(), "lineage-table", "--kind", "ystr")
    sample = small_case["samples"][0]
    sample.refresh_from_db()  # the profile with the haplotype
    ref2 = ReferenceSample.objects.get(sample_id="REF-2").profile
    assert ref2 is not None and ref2.ystr and sample.profile.ystr
    DNAProfile.objects.filter(pk__in=[sample.profile.pk, ref2.pk]).update(
        genotypes={}, loci_typed=0
    )
    run, _ = services.candidates_compute(actor=users["forensic_examiner"], site=site)
    lrs = _dna_lrs(run)
    b1, b2 = small_case["bodies"][0].pk, small_case["bodies"][1].pk
    fam1, fam2 = small_case["families"][0].pk, small_case["families"][1].pk
    upper = 1 - 0.05 ** (1 / 100)  # neither haplotype in the 100 of the table
    q = 1 - Y_DEFAULT_RATE
    # Body 1 (Y only) and its father (autosomal + Y): 5 copies unchanged.
    assert lrs[(b1, fam1)].lr_dna == pytest.approx(q**5 / upper, rel=1e-6)
    assert "Y-STR: 4/4 loci match FA (father), 1 meioses" in json.dumps(
        lrs[(b1, fam1)].evidence
    )
    # Body 2 (autosomal + Y) and family 2's father (Y only): 4 copies
    # unchanged, DYS391 one step (12 against 11) in 1 meiosis.
    assert lrs[(b2, fam2)].lr_dna == pytest.approx(
        q**4 * (Y_DEFAULT_RATE / 2) / upper, rel=1e-6
    )
    # Both lineage-only, different lines (4 of 5 copies differ): excluded.
    assert (b1, fam2) not in lrs or lrs[(b1, fam2)].lr_dna < 1e-12


def test_the_grave_joint_case_carries_the_lineage_lines(
    small_case, org, site, tmp_path: Path
) -> None:
    _load_y(small_case, org, tmp_path)
    data = build_case_for_site(site, lineage=True)
    assert "ystr_database" not in data  # no table: not compared
    assert all("ystr" not in v for v in data["pm"].values())
    _import(tmp_path, org, "ydb.csv", _table_csv(), "lineage-table", "--kind", "ystr")
    assert "ystr" not in build_case_for_site(site)["pm"]["IZM-PM-0001"]  # screening
    data = build_case_for_site(site, lineage=True)
    assert data["pm"]["IZM-PM-0001"]["ystr"]["DYS385"] == ["11", "14"]
    case, _notes = load_site_case(data)
    lines = joint(case, top=1).to_json(top=1)["lineage"]["IZM-PM-0001"]
    fam1 = small_case["families"][0].case_no
    missing = next(m for m in lines if m.startswith(f"{fam1}/"))
    assert lines[missing][0].startswith(f"Y-STR: 4/4 loci match {fam1}/FA")


def test_the_dna_pages_show_the_lineage_markers_and_what_they_mean(
    client, small_case, org, site, tmp_path: Path, analyst
) -> None:
    _load_y(small_case, org, tmp_path)
    _import(tmp_path, org, "ydb.csv", _table_csv(), "lineage-table", "--kind", "ystr")
    client.force_login(analyst)
    profile = small_case["samples"][0]
    profile.refresh_from_db()
    html = client.get(
        reverse("dna:profile_detail", args=[profile.profile.pk])
    ).content.decode()
    assert "Y-STR haplotype" in html and "<td>DYS385</td><td>11, 14</td>" in html
    assert "shared by every man of the paternal line" in html
    run = services.screening_run(actor=analyst, site=site, top_k=4)
    page = client.get(reverse("dna:grave_joint", args=[run.pk, small_case["mass"].pk]))
    html = page.content.decode()
    assert "Lineage markers are shared by the whole paternal" in html
    assert "Y-STR: 3/4 loci match" in html
    assert "one locus differs: inconclusive" in html
    client.cookies["django_language"] = "uk"
    html = client.get(
        reverse("dna:grave_joint", args=[run.pk, small_case["mass"].pk]),
        headers={"accept-language": "uk"},
    ).content.decode()
    assert "один локус відрізняється: непереконливо" in html


def test_a_case_family_brings_its_lineage_markers_onto_the_report(org, users) -> None:
    import datetime as dt

    from imena.dna.uploads import ProfileFileError, families_from_case
    from imena.missing import services as missing_services
    from imena.missing.records import family_as_case_dict
    from imena.missing.tests.factories import make_person

    family = {
        "id": ["FA", "UN", "MP"],
        "fid": [None, None, "FA"],
        "mid": [None, None, None],
        "sex": [1, 1, 1],
        "genotypes": {"FA": {"TH01": ["6", "7"]}},
        # UN: typed for mtDNA only (a lineage-only reference).
        "ystr": {"FA": {"DYS391": "10", "DYS385": "14,11"}},
        "mtdna": {"UN": {"variants": "A263G 16069t", "range": "16024-16569 1-576"}},
    }
    (fam,) = families_from_case({"am": {"F": family}, "missing": ["MP"]})
    assert fam.ystr == {"FA": {"DYS385": ["11", "14"], "DYS391": ["10"]}}
    assert fam.typed == ["FA", "UN"]
    person = make_person(org)
    missing_services.family_import_case(
        actor=users["family_liaison"],
        person=person,
        family=fam,
        consent_date=dt.date(2023, 1, 1),
    )
    out = family_as_case_dict(person)
    assert out["genotypes"] == {"FA": {"TH01": ["6", "7"]}}
    assert out["ystr"] == {"FA": {"DYS385": ["11", "14"], "DYS391": ["10"]}}
    assert out["mtdna"] == {
        "UN": {"variants": "263G 16069T", "range": "16024-16569 1-576"}
    }
    family["ystr"] = {"XX": {"DYS391": "10"}}
    with pytest.raises(ProfileFileError, match="XX, not a member"):
        families_from_case({"am": {"F": family}, "missing": ["MP"]})


def test_a_brother_who_is_no_son_of_the_father_is_flagged_on_the_profile_page(
    client, small_case, analyst
) -> None:
    import datetime as dt
    import random

    from imena.identification.tests.screening.factories import (
        child_of,
        random_alleles,
    )
    from imena.missing import services as missing_services

    rng = random.Random(3)
    person = small_case["families"][0]
    father = person.pedigree.get(member_id="FA")
    missing = person.pedigree.get(is_missing=True)
    mother = missing_services.pedigree_member_add(
        actor=None, person=person, sex=2, relationship="mother", member_id="MO",
        audit=False,
    )  # fmt: skip
    missing.mother = mother
    missing.save(update_fields=["mother"])
    fa_genotypes = ReferenceSample.objects.get(sample_id="REF-1").profile.genotypes  # type: ignore[union-attr]

    def brother(member_id: str, genotypes: dict[str, list[str]]) -> Any:
        sib = missing_services.pedigree_member_add(
            actor=None, person=person, sex=1, relationship="full_sibling",
            member_id=member_id, father=father, mother=mother, audit=False,
        )  # fmt: skip
        return missing_services.reference_sample_create(
            actor=None, member=sib, sample_id=f"REF-{member_id}", genotypes=genotypes,
            consent_scope=["dna"], consent_date=dt.date(2023, 1, 1), audit=False,
        )  # fmt: skip

    true_son = brother("S1", child_of(fa_genotypes, rng))
    not_son = brother("S2", random_alleles(rng))
    client.force_login(analyst)

    def page(sample: Any) -> str:
        url = reverse("dna:profile_detail", args=[sample.profile.pk])
        return client.get(url).content.decode()

    html = page(not_son)
    assert "Declared relationships checked" in html
    row = next(r for r in html.split("<tr") if "S2 (" in r and "FA (" in r)
    assert "check the declared relationship" in row
    html = page(true_son)
    row = next(r for r in html.split("<tr") if "S1 (" in r and "FA (" in r)
    assert "check the declared relationship" not in row and "consistent" in row


def test_the_upload_page_stores_an_mtdna_export(client, small_case, analyst) -> None:
    from imena.identification.tests.screening.test_profiles import _upload

    client.force_login(analyst)
    assert "read as mtDNA" in client.get(reverse("dna:profile_upload")).content.decode()
    response = _upload(
        client,
        "pm",
        "mt.csv",
        "Sample Name,Range,Variants\nIZM-PM-0003-S1,16024-16569,16069T 16126c\n",
    )
    assert response.status_code in (200, 302)
    sample = small_case["samples"][2]
    sample.refresh_from_db()
    assert sample.profile.mtdna == {"variants": "16069T 16126C", "range": "16024-16569"}
    assert sample.profile.genotypes  # kept from the superseded profile


def test_the_evaluation_counts_the_bodies_identified_only_thanks_to_lineage(
    small_case, org, site, tmp_path: Path, users
) -> None:
    from imena.identification.commands import lineage_gain

    _load_y(small_case, org, tmp_path)
    _import(
        tmp_path, org, "ydb.csv", _table_csv(3000), "lineage-table", "--kind", "ystr"
    )
    sample = small_case["samples"][0]
    sample.refresh_from_db()
    # Body 1: typed for Y-STRs only (its line matches family 1's father).
    DNAProfile.objects.filter(pk=sample.profile.pk).update(genotypes={}, loci_typed=0)
    results = {site.code: services.candidates_compute(actor=None, site=site)}
    bodies, families = small_case["bodies"], small_case["families"]
    truth = {
        "reports": {f.case_no: {"person_id": f"P{i}"} for i, f in enumerate(families)},
        "bodies": {
            b.pm_number: {"person_id": f"P{i}" if i < 3 else "nobody"}
            for i, b in enumerate(bodies)
        },
    }
    pm_of = {b.pk: b.pm_number for b in bodies}
    case_of = {f.pk: f.case_no for f in families}
    gain = lineage_gain(results, {site.code: site}, truth, pm_of, case_of, None)
    # Body 1 is identified (posterior >= 0.99) with its Y LR (about 1,000:
    # not in 3,000 haplotypes), not without it; body 2 (autosomal) either way.
    assert gain["bodies_with_lineage"] == 2
    assert gain["identified_only_with"] == gain["dna_identified_only_with"] == 1
    assert gain["identified_only_without"] == gain["dna_identified_only_without"] == 0
