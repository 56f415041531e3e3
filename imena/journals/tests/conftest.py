from __future__ import annotations

from pathlib import Path

import pytest

from imena.burials import services as burial_services
from imena.burials.tests.factories import SiteFactory
from imena.journals import services

FUNERAL_HOME = (
    "№ п/п;№ могилы;Фамилия;Имя;Отчество;Дата рождения;Возраст;Дата смерти;"
    "Дата захоронения;Причина смерти;Кто доставил;Примечание\n"
    "1;12;Шевченко;Александр;Николаевич;12.03.1950;;10.03.2022;14.03.2022;ранение;соседи;\n"
    "2;13;Коваленко;Анна;Петровна;;71;11.03.2022;14.03.2022;;родные;\n"
    "3;14;Бондаренко;Сергей;Иванович;01.01.1960;;;15.03.2022;;;\n"
    "4;;Мельник;Ольга;;;;;16.03.2022;;;без номера\n"
)
VOLUNTEERS = (
    "№,Номер могили,ПІБ,Дата народження,Вік,Дата смерті,Дата поховання,Причина смерті,"
    "Хто привіз,Примітки\n"
    "1,№12,Шевченко Олександр Миколайович,12.03.1950,,10.03.2022,14.03.2022,поранення,сусіди,\n"
    "2,13,Коваленко Ганна,,71,11/03/22,14.03.2022,,,\n"
    "3,14,Serhii Bondarenko,1960,,,15.03.2022,,,\n"
    "4,15,Ткаченко Іван Петрович,32.13.1970,,,16.03.2022,,,\n"
)


@pytest.fixture
def site(org, examiner):
    site = SiteFactory(organisation=org, code="izm", name="Лісове кладовище")
    for marker in ["№ 12", "13", "14", "15"]:
        burial_services.grave_create(actor=examiner, site=site, marker_text=marker)
    return site


@pytest.fixture
def funeral_home_file(tmp_path: Path) -> Path:
    path = tmp_path / "funeral_home.csv"
    path.write_bytes(FUNERAL_HOME.encode("cp1251"))
    return path


@pytest.fixture
def volunteers_file(tmp_path: Path) -> Path:
    path = tmp_path / "volunteers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + VOLUNTEERS.encode("utf-8"))
    return path


@pytest.fixture
def imported(site, examiner, funeral_home_file, volunteers_file):
    for path, name in [
        (funeral_home_file, "Funeral home"),
        (volunteers_file, "Volunteers"),
    ]:
        journal = services.journal_get_or_create(actor=examiner, site=site, name=name)
        services.journal_import(
            actor=examiner, journal=journal, path=path, filename=path.name
        )
    return site
