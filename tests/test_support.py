"""Support: programmes and their versions, the builder, imports of existing programmes,
curators and visits, partners, deadlines, documents and who may do what."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from shnor.core.system import SystemUser
from shnor.indicators.measures import support_measures
from shnor.registry.models import School, SchoolContext
from shnor.support.actions import (
    do_add_measure,
    do_add_partnership,
    do_approve_programme,
    do_assign_curator,
    do_create_programme,
    do_end_assignment,
    do_record_execution,
    do_record_visit,
    do_revise_programme,
    do_update_measure,
)
from shnor.support.choices import MeasureStatus, ProgrammeKind, ProgrammeStatus, VisitKind
from shnor.support.documents import partner_list, partner_list_report, programme_report
from shnor.support.importers import ProgrammeImportError, parse_programme
from shnor.support.library import library
from shnor.support.models import Programme
from shnor.support.partners import suggest_partners
from shnor.support.programmes import changes_since_previous, proposals
from shnor.support.schedule import deadlines, overdue_count, parse_deadline
from tests.conftest import add_results
from tests.tables import write_table

SEED_004 = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_f4ffef623ee3ece4.txt"
TODAY = date.today()


def measure(text: str, days: int, **fields: Any) -> dict[str, Any]:
    return {"text": text, "deadline": TODAY + timedelta(days=days), **fields}


@pytest.fixture
def programme(world: dict[str, Any]) -> Programme:
    school = world["schools"]["a"]
    return do_create_programme(
        kind=ProgrammeKind.SCHOOL,
        title="Программа школы № 1",
        municipality=school.municipality,
        school=school,
        year_from=TODAY.year,
        year_to=TODAY.year + 1,
        measures=[
            measure("Диагностика дефицитов педагогов", -20, direction="Кадры"),
            measure("Пробные экзамены", 10),
            measure("Родительский всеобуч", 90),
        ],
        source="тест",
        acting_user=world["users"]["school"],
    )


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("май-июнь 2021", date(2021, 6, 30)),
        ("2021-2024", date(2024, 12, 31)),
        ("Декабрь 2021-2024г.", date(2024, 12, 31)),
        ("Январь 2020г.", date(2020, 1, 31)),
        ("до 15.03.2024", date(2024, 3, 15)),
        ("2021 – 2022 учебный год", date(2022, 5, 31)),
        ("в течение года", None),
        ("по графику", None),
        ("сентябрь", date(2025, 9, 30)),  # a month alone takes the programme's year
        ("Май, ноябрь 2020г., 2021г.", date(2021, 11, 30)),
    ],
)
def test_periods_become_deadlines(period: str, expected: date | None) -> None:
    assert parse_deadline(period, 2025) == expected


def seed_004_docx(path: Path) -> Path:
    """The roadmap table of seed 004 as a Word table: section rows merged across the table."""
    if not SEED_004.exists():
        pytest.skip("the seeds folder (../shared) is not beside this clone")
    lines = SEED_004.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("№п/п\tМероприятия"))
    document = Document()
    document.add_paragraph("План мероприятий «дорожная карта»")
    rows = [
        [re.sub(r"<[^>]+>", " ", cell).strip() for cell in line.split("\t")]
        for line in lines[start:]
        if line.strip()
    ]
    table = document.add_table(rows=0, cols=5)
    for cells in rows:
        row = table.add_row()
        if cells[0] and not any(cells[1:]):
            merged = row.cells[0].merge(row.cells[4])
            merged.text = cells[0]
        else:
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    document.save(str(path))
    return path


def test_the_seed_004_roadmap_imports_with_deadlines_and_owners(tmp_path: Path) -> None:
    measures = parse_programme(seed_004_docx(tmp_path / "roadmap.docx"), "roadmap.docx", 2021)

    def find(start: str) -> dict[str, Any]:
        (found,) = [m for m in measures if m["text"].startswith(start)]
        return found

    roadmap = find("Формирование муниципальной дорожной карты")
    assert roadmap["period"] == "май-июнь 2021"
    assert roadmap["deadline"] == date(2021, 6, 30)
    assert roadmap["executors"].startswith("МКУ «Управление образования», муниципальн")
    assert roadmap["direction"] == (
        "Организация работы со школами, имеющими низкие образовательные результаты обучения"
    )
    curators = find("Назначение кураторов для сопровождения")
    assert curators["deadline"] == date(2024, 12, 31)
    assert curators["expected_result"].startswith("Приказ МКУ «Управление образования»")
    assert find("Анализ эффективности принятых мер")["deadline"] == date(2024, 12, 31)
    assert find("Разработка заданий школьного этапа")["deadline"] == date(2021, 9, 30)
    assert len({m["direction"] for m in measures}) == 8
    assert len(measures) >= 60
    # no section heading is taken for a measure
    assert not any(m["text"].startswith(("1. Организация", "8. Материально")) for m in measures)


def test_a_seed_000_table_imports_from_excel(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "mppko.xlsx",
        [
            ["Комплекс мер"],
            [
                "№ п/п",
                "Мероприятие",
                "Срок исполнения",
                "Ожидаемые результаты",
                "Исполнители",
                "Документ закрепляющий результат",
            ],
            [1, 2, 3, 4, 5, None],
            [1, "Функционирование структур управления", None, None, None, None],
            [
                "1.1",
                "Работа муниципальной команды",
                "2020-2024г.",
                "Команда работает",
                "УО",
                "Приказ",
            ],
            ["3.1", "Разработка МППКО", "Август 2020г.", "Разработана МППКО", "УО", "Приказ УО"],
        ],
    )
    measures = parse_programme(path, "mppko.xlsx", 2020)
    assert [m["text"] for m in measures] == ["Работа муниципальной команды", "Разработка МППКО"]
    assert measures[0]["direction"] == "Функционирование структур управления"
    assert measures[1]["deadline"] == date(2020, 8, 31)
    assert measures[1]["document"] == "Приказ УО"


def test_an_unknown_layout_names_the_columns_found(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "plan.xlsx", [["Что", "Когда", "Кто"], ["Совещание", "май", "УО"]]
    )
    with pytest.raises(ProgrammeImportError) as error:
        parse_programme(path, "plan.xlsx", 2025)
    message = str(error.value)
    assert "plan.xlsx" in message and "«Что» / «Когда» / «Кто»" in message
    assert "«Мероприятие»" in message


def test_a_too_long_cell_is_named_and_nothing_is_written(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = write_table(
        tmp_path / "p.csv",
        [["Мероприятие", "Сроки", "Ответственные"], ["Семинар", "x" * 300, "УО"]],
    )
    client = Client()
    client.login(username="mun", password="x")
    with path.open("rb") as upload:
        response = client.post(
            reverse("support:import"),
            {"file": upload, "school": world["schools"]["a"].pk, "kind": "roadmap"},
        )
    assert response.status_code == 400
    assert "строка 2, столбец «Сроки»" in response.content.decode()
    assert not Programme.objects.exists()


def test_an_approved_programme_is_frozen_and_corrected_by_a_new_version(
    world: dict[str, Any], programme: Programme
) -> None:
    mun, school_user = world["users"]["municipality"], world["users"]["school"]
    do_approve_programme(programme, acting_user=mun)
    first = programme.measures.get(text="Диагностика дефицитов педагогов")
    with pytest.raises(ValidationError):
        do_update_measure(first, {"text": "Другое"}, acting_user=school_user)
    do_record_execution(
        first,
        status=MeasureStatus.DONE,
        acting_user=school_user,
        may_confirm=False,
        text="Проведена",
        file=ContentFile(b"protocol", name="protocol.txt"),
    )
    draft = do_revise_programme(programme, acting_user=school_user)
    assert do_revise_programme(programme, acting_user=school_user) == draft  # one draft at a time
    assert draft.version == 2 and draft.status == ProgrammeStatus.DRAFT
    copy = draft.measures.get(origin=first)
    do_update_measure(copy, {"deadline": TODAY + timedelta(days=5)}, acting_user=school_user)
    do_add_measure(draft, measure("Стажировка", 40), acting_user=school_user)
    draft.measures.get(text="Родительский всеобуч").delete()
    changes = changes_since_previous(draft)
    assert [m.text for m in changes.added] == ["Стажировка"]
    assert [m.text for m in changes.removed] == ["Родительский всеобуч"]
    ((changed, diffs),) = changes.changed
    assert changed == copy and diffs[0][0] == "срок исполнения"
    # execution recorded on the approved version meanwhile follows the measure
    do_record_execution(
        programme.measures.get(text="Пробные экзамены"),
        status=MeasureStatus.IN_PROGRESS,
        acting_user=school_user,
        may_confirm=False,
    )
    do_approve_programme(draft, acting_user=mun)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SUPERSEDED
    copy.refresh_from_db()
    assert copy.status == MeasureStatus.DONE and copy.confirmed_by is None
    assert copy.notes.get().file_name == "protocol.txt"
    assert draft.measures.get(text="Пробные экзамены").status == MeasureStatus.IN_PROGRESS
    assert list(Programme.objects.current()) == [draft]


def test_a_visit_adds_follow_up_measures_to_a_correction(
    world: dict[str, Any], programme: Programme
) -> None:
    mun, curator = world["users"]["municipality"], world["users"]["curator"]
    do_approve_programme(programme, acting_user=mun)
    school = programme.school
    do_assign_curator(school, curator, starts=TODAY, order="приказ № 1", acting_user=mun)
    visit = do_record_visit(
        school,
        kind=VisitKind.FIELD_DAY,
        on=TODAY,
        topic="Подготовка к ВПР",
        held=True,
        findings="Нет анализа ВПР",
        follow_ups=[{"text": "Анализ ВПР на ШМО", "deadline": TODAY + timedelta(days=30)}],
        acting_user=curator,
    )
    follow_up = visit.follow_ups.get()
    assert visit.curator == curator
    assert follow_up.programme.previous == programme
    assert follow_up.programme.status == ProgrammeStatus.DRAFT
    assert programme.measures.count() == 3  # the approved version stays as approved
    with pytest.raises(ValidationError):
        do_record_visit(
            school,
            kind=VisitKind.LANDING,
            on=TODAY,
            topic="План",
            held=False,
            follow_ups=[{"text": "x"}],
            acting_user=curator,
        )


def test_curator_assignment_opens_and_closes_the_school(world: dict[str, Any]) -> None:
    mun, curator = world["users"]["municipality"], world["users"]["curator"]
    school = world["schools"]["a"]
    curated = School.objects.restrict(curator)
    assert school not in curated
    started = TODAY - timedelta(days=10)
    assignment = do_assign_curator(school, curator, starts=started, order="", acting_user=mun)
    assert school in curated.all()
    with pytest.raises(ValidationError):
        do_assign_curator(school, curator, starts=TODAY, order="", acting_user=mun)
    do_end_assignment(assignment, ends=TODAY - timedelta(days=1), acting_user=mun)
    assert school not in curated.all()
    with pytest.raises(ValidationError):
        do_assign_curator(school, world["users"]["school"], starts=TODAY, order="", acting_user=mun)


def test_deadlines_show_what_is_overdue_and_due(
    world: dict[str, Any], programme: Programme
) -> None:
    school_user = world["users"]["school"]
    due = deadlines(school_user)
    assert [m.text for m in due.overdue] == ["Диагностика дефицитов педагогов"]
    assert [m.text for m in due.soon] == ["Пробные экзамены"]
    assert due.overdue[0].state(TODAY) == MeasureStatus.OVERDUE
    assert overdue_count(world["users"]["outsider"]) == 0
    do_record_execution(
        due.overdue[0], status=MeasureStatus.DONE, acting_user=school_user, may_confirm=False
    )
    assert overdue_count(school_user) == 0
    client = Client()
    client.login(username="school", password="x")
    page = client.get(reverse("support:index")).content.decode()
    assert "Пробные экзамены" in page and "Просроченных мероприятий нет" in page
    client.login(username="mun", password="x")
    page = client.get(reverse("support:index")).content.decode()
    assert 'id="drafts"' in page and "Программа школы № 1" in page  # awaiting approval


def test_who_may_do_what_with_a_programme(world: dict[str, Any], programme: Programme) -> None:
    url = reverse("support:programme", args=[programme.pk])
    add = {"action": "add", "text": "Новое мероприятие", "period": "май 2026"}

    def post(username: str, data: dict[str, Any]) -> int:
        client = Client()
        client.login(username=username, password="x")
        return client.post(url, data).status_code

    assert post("outsider", add) == 404
    assert post("curator", add) == 404  # school b's curator: not this school
    assert post("region", add) == 404  # the region reads
    assert post("observer", {"action": "approve"}) == 404
    assert post("school", {"action": "approve"}) == 404  # the school does not approve itself
    assert post("school", add) == 302
    added = programme.measures.get(text="Новое мероприятие")
    assert added.deadline == date(2026, 5, 31)
    assert post("mun", {"action": "approve"}) == 302
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.APPROVED
    client = Client()
    client.login(username="region", password="x")
    assert client.get(url).status_code == 200
    measure_url = reverse("support:measure", args=[added.pk])
    assert client.post(measure_url, {"action": "status", "status": "done"}).status_code == 404
    do_assign_curator(
        programme.school,
        world["users"]["curator"],
        starts=TODAY,
        order="",
        acting_user=world["users"]["municipality"],
    )
    client.login(username="curator", password="x")
    client.post(measure_url, {"action": "status", "status": "done", "text": "Сделано"})
    added.refresh_from_db()
    assert added.status == MeasureStatus.DONE and added.confirmed_by.username == "curator"
    assert added.notes.get().text == "Сделано"


def test_the_builder_proposes_measures_for_the_risk_profile(world: dict[str, Any]) -> None:
    school = world["schools"]["a"]
    SchoolContext.objects.create(
        school=school, year=2025, students=300, stable_internet=False, computers=10
    )
    offered = {p.measure.code: p for p in proposals(school, 2025)}
    assert {"internet_connection", "computers"} <= set(offered)
    material = "Дефицит материальной базы и инфраструктуры"  # no internet: a high risk
    assert any(p.preselected for p in offered.values() if material in p.factors)
    assert "Дефицит материальной базы и инфраструктуры" in offered["computers"].factors
    client = Client()
    client.login(username="school", password="x")
    url = reverse("support:builder") + f"?school={school.pk}"
    assert "Заявка и подключение к устойчивому интернету" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "kind": ProgrammeKind.ANTIRISK,
            "pick": ["internet_connection"],
            "m-internet_connection-text": "Подключить интернет до весны",
            "new-0-text": "Своё мероприятие",
            "new-0-deadline": "2026-04-01",
            "year_from": "2026",
            "year_to": "2027",
        },
    )
    created = Programme.objects.get()
    assert response.url == reverse("support:programme", args=[created.pk])
    texts = list(created.measures.values_list("text", "deadline"))
    assert texts[0][0] == "Подключить интернет до весны" and texts[0][1] is not None
    assert texts[1] == ("Своё мероприятие", date(2026, 4, 1))
    assert created.measures.first().factors == ["material_base"]
    assert (
        client.get(reverse("support:builder") + f"?school={world['schools']['b'].pk}").status_code
        == 404
    )


def test_every_factor_has_typical_measures_from_the_seeds() -> None:
    measures = library().values()
    # each measure cites the programme it comes from by the programme's own name
    assert all(m.source.startswith(("Программа", "Дорожная карта")) for m in measures)
    assert not any("seeds/" in m.source for m in measures)
    assert {m.level for m in measures} == {"school", "municipality"}


def test_partners_are_suggested_with_reasons(world: dict[str, Any]) -> None:
    low, strong, other = world["schools"]["c"], world["schools"]["a"], world["schools"]["b"]
    for school, below in ((low, 12), (strong, 1), (other, 4)):
        add_results(
            school,
            [
                (2025, "ОГЭ", "Математика", 9, 30, below),
                (2024, "ОГЭ", "Математика", 30, 30, below)[:0]
                or (2024, "ОГЭ", "Математика", 9, 30, below),
            ],
        )
    suggestions = suggest_partners(low, 2025, SystemUser())
    assert [s.school for s in suggestions] == [strong, other]
    assert suggestions[0].subjects == ["Математика"]
    assert "«2» / ниже порога 3,3% против 40,0% у школы" in suggestions[0].reasons[0]
    assert "другой муниципалитет" in suggestions[0].reasons[-1]


def test_partner_documents_hide_mentors_from_those_without_personal_data(
    world: dict[str, Any],
) -> None:
    mun = world["users"]["municipality"]
    school = world["schools"]["a"]
    for partner, mentor in ((world["schools"]["b"], ""), (None, "Иванова А. А., учитель")):
        do_add_partnership(
            school,
            partner=partner,
            mentor=mentor,
            grades="5–9",
            subjects="математика",
            help="методическая помощь",
            agreement_number="7",
            agreement_date=TODAY,
            starts=TODAY,
            acting_user=mun,
        )
    with pytest.raises(ValidationError):
        do_add_partnership(
            school,
            partner=school,
            mentor="",
            grades="",
            subjects="",
            help="помощь",
            agreement_number="",
            agreement_date=None,
            starts=TODAY,
            acting_user=mun,
        )
    region = world["users"]["region"]
    rows = partner_list_report(partner_list(region, TODAY), "область", region, TODAY)
    table = rows.sections[0].table
    assert table.headers[1] == "Наименование школ-сетевых партнеров"
    assert [r[1] for r in table.rows] == ["МБОУ СОШ № 2", "педагог-наставник (ФИО не показывается)"]
    client = Client()
    client.login(username="mun", password="x")
    response = client.get(reverse("support:partners_document", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content))["Таблица 1"]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Иванова А. А., учитель" in values
    assert any("соглашение № 7" in str(v) for v in values)


def test_documents_of_a_programme(world: dict[str, Any], programme: Programme) -> None:
    report = programme_report(programme, TODAY)
    assert report.sections[0].heading == "Кадры"
    assert report.sections[0].table.rows[0][-1] == "просрочено"
    client = Client()
    client.login(username="school", password="x")
    response = client.get(reverse("support:document", args=[programme.pk, "docx"]))
    document = Document(io.BytesIO(response.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Пробные экзамены" in cells
    curators = client.get(reverse("support:curators_document", args=["docx"]))
    assert curators.status_code == 200


def test_support_feeds_the_indicators(world: dict[str, Any], programme: Programme) -> None:
    region = world["region"].pk
    frame = support_measures(region, [TODAY.year - 1, TODAY.year - 2])
    rows = {(r["school_id"], r["year"]): r for r in frame.iter_rows(named=True)}
    school = programme.school_id
    assert (
        rows[(school, TODAY.year - 1)]["with_programme"] == 1.0
    )  # the list of Y, supported in Y+1
    assert (school, TODAY.year - 2) not in rows


def test_evidence_files_are_served_within_scope(
    world: dict[str, Any], programme: Programme
) -> None:
    first = programme.measures.first()
    do_record_execution(
        first,
        status=MeasureStatus.DONE,
        acting_user=world["users"]["school"],
        may_confirm=False,
        file=ContentFile(b"evidence", name="akt.txt"),
    )
    note = first.notes.get()
    url = reverse("support:note_file", args=[note.pk])
    client = Client()
    client.login(username="school", password="x")
    assert b"".join(client.get(url).streaming_content) == b"evidence"
    client.login(username="outsider", password="x")
    assert client.get(url).status_code == 404


def test_the_console_imports_and_exports_a_programme(world: dict[str, Any], tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    source = seed_004_docx(tmp_path / "roadmap.docx")
    out = io.StringIO()
    call_command(
        "programme", "import", str(source), "--school", "100", "--years", "2021-2024", stdout=out
    )
    programme = Programme.objects.get()
    assert programme.school == world["schools"]["a"] and programme.kind == ProgrammeKind.ROADMAP
    assert f"id {programme.pk}" in out.getvalue()
    call_command("programme", "export", str(programme.pk), str(tmp_path / "p.xlsx"), stdout=out)
    assert load_workbook(tmp_path / "p.xlsx")["Справка"]["A1"].value == "roadmap"
    # our own export reads back as the same measures
    call_command("programme", "import", str(tmp_path / "p.xlsx"), "--school", "100", stdout=out)
    again = Programme.objects.latest("pk")
    assert again.measures.count() == programme.measures.count()
    Document().save(str(tmp_path / "empty.docx"))
    with pytest.raises(CommandError, match="Ничего не записано"):
        call_command("programme", "import", str(tmp_path / "empty.docx"), "--school", "100")
    assert Programme.objects.count() == 2


def test_a_planned_visit_is_recorded_as_held(world: dict[str, Any]) -> None:
    curator = world["users"]["curator"]
    school = world["schools"]["b"]  # the curator's school
    planned = do_record_visit(
        school,
        kind=VisitKind.LANDING,
        on=TODAY + timedelta(days=7),
        topic="Формирующее оценивание",
        held=False,
        acting_user=curator,
    )
    client = Client()
    client.login(username="mun", password="x")
    assert "Формирующее оценивание" in client.get(reverse("support:curators")).content.decode()
    client.login(username="curator", password="x")
    client.post(
        reverse("support:visit", args=[school.pk]),
        {
            "visit": planned.pk,
            "kind": VisitKind.LANDING,
            "date": TODAY.isoformat(),
            "topic": "Формирующее оценивание",
            "held": "1",
            "findings": "Обратная связь на уроках не даётся",
        },
    )
    planned.refresh_from_db()
    assert planned.held and planned.findings == "Обратная связь на уроках не даётся"
    assert school.visits.count() == 1
    other = world["schools"]["a"]
    response = client.post(reverse("support:visit", args=[other.pk]), {"topic": "x"})
    assert response.status_code == 404  # not the curator's school


def test_a_partnership_is_ended_by_the_municipality(world: dict[str, Any]) -> None:
    school = world["schools"]["a"]
    partnership = do_add_partnership(
        school,
        partner=world["schools"]["b"],
        mentor="",
        grades="",
        subjects="",
        help="методическая помощь",
        agreement_number="",
        agreement_date=None,
        starts=TODAY - timedelta(days=30),
        acting_user=world["users"]["municipality"],
    )
    url = reverse("support:partners_for", args=[school.pk])
    client = Client()
    client.login(username="school", password="x")
    assert client.post(url, {"action": "end", "id": partnership.pk}).status_code == 404
    client.login(username="mun", password="x")
    client.post(url, {"action": "end", "id": partnership.pk})
    partnership.refresh_from_db()
    assert partnership.ends == TODAY
    assert not partner_list(world["users"]["municipality"], TODAY + timedelta(days=1)).exists()
