"""A liaison officer files a report with a reference sample, then finds it."""

from __future__ import annotations

import pytest

from conftest import browser_login
from imena.accounts.models import Role
from imena.missing.models import ReferenceSample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GENEMAPPER = (
    "Sample Name,Marker,Allele 1,Allele 2\n"
    "REF-B1,D3S1358,15,16\nREF-B1,TH01,6,9.3\nREF-B1,FGA,20,22\nREF-B1,AMEL,X,Y\n"
)


def test_liaison_files_a_report_with_a_reference_and_finds_it_in_latin(
    page, users, tmp_path
) -> None:
    browser_login(page, users[Role.FAMILY_LIAISON].username)
    page.goto(page.base_url + "/missing/new/")
    page.fill("#id_family_name", "Шевченко")
    page.fill("#id_given_names", "Олександр")
    page.fill("#id_patronymic", "Іванович")
    page.select_option("#id_sex", "male")
    page.fill("#id_date_of_birth", "1975-03-14")
    page.fill("#id_reporter_name", "Шевченко Марія")
    # The reporter agrees that the family search may say that the report exists.
    page.check("#id_consent_publication")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#pedigree")
    assert "Shevchenko Oleksandr Ivanovych" in page.content()

    # Place the brother on the pedigree, then record his sample with a GeneMapper file.
    page.click("#add-member summary")
    page.fill("#add-member #id_name", "Шевченко Петро")
    page.select_option("#add-member #id_sex", "1")
    page.select_option("#add-member #id_relationship", "full_sibling")
    page.click("#add-member button[type=submit]")
    page.wait_for_selector("text=Relative placed on the pedigree.")
    csv = tmp_path / "ref-b1.csv"
    csv.write_text(GENEMAPPER)
    page.click("#add-sample summary")
    page.select_option("#add-sample #id_member", index=1)
    page.fill("#add-sample #id_sample_id", "REF-B1")
    page.check("#add-sample input[name=consent_scope][value=dna]")
    page.fill("#add-sample #id_consent_date", "2023-02-01")
    page.set_input_files("#add-sample #id_profile_file", str(csv))
    page.click("#add-sample button[type=submit]")
    page.wait_for_selector("text=Reference sample REF-B1 recorded.")
    assert page.locator("svg.pedigree .typed").count() == 1
    assert page.locator("svg.pedigree .missing").count() == 1
    assert ReferenceSample.objects.get().profile.loci_typed == 3  # type: ignore[union-attr]

    # The list finds the report by a Latin spelling.
    page.goto(page.base_url + "/missing/")
    page.fill("#id_q", "Oleksandr Shevchenko")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Шевченко Олександр" in page.content()

    # So does the public family search, which says only that a report exists.
    page.goto(page.base_url + "/missing/family/")
    page.fill("#id_name", "Oleksandr Shevchenko")
    page.fill("#id_date_of_birth", "14.03.1975")
    page.click("#family-search button.primary")
    page.wait_for_selector("#search-result")
    text = page.inner_text("#search-result")
    assert "A report with these details exists." in text
    assert "Шевченко" not in page.content()
