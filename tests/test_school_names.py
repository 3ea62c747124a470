"""Schools named by their legal names: matched exactly, once normalised, by a confirmed alias,
or proposed by similarity for a coordinator to confirm. The pairs are taken from the two years
of the real Забайкальский край workbook (../shared/realdata), whose 2023 names are the
registry here and whose 2022 names are the file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from shnor.assessments.actions import do_confirm_school_aliases
from shnor.assessments.models import SchoolAlias
from shnor.assessments.school_names import How, SchoolNames, match_names, normalise
from shnor.core.system import SystemUser
from shnor.registry.models import Municipality, Region, School

CSV_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "realdata"
    / ("ege_school_results_zabaikalsky_eao_2022_2023.csv")
)
REGION = "Забайкальский край"
LEGAL = "Муниципальное бюджетное общеобразовательное учреждение"
# 2022's name → the same school in 2023, as the workbook writes them
EXACT = f'{LEGAL} "Средняя общеобразовательная школа №2"'
NORMALISED = (
    f'{LEGAL} Средняя общеобразовательная школа с.Илим"',
    f"{LEGAL} средняя общеобразовательная школа с.Илим",
)
PROPOSED = (
    f'{LEGAL} "Бальзинская средняя общеобразовательная школа"',
    'Муниципальное автономное общеобразовательное учреждение "Бальзинская средняя '
    'общеобразовательная школа"',
)


def test_it_normalises_what_people_do_not_mean_as_different() -> None:
    assert normalise('МБОУ "СОШ №5"') == normalise(
        "Муниципальное бюджетное "
        "общеобразовательное учреждение «Средняя общеобразовательная школа No 5»"
    )
    assert normalise("МОУ – Гимназия № 1") == normalise("моу гимназия №1")
    assert normalise("Хара-Шибирская СОШ") == "хара-шибирская сош"
    assert normalise("МБОУ СОШ № 2") != normalise("МАОУ СОШ № 2")


@pytest.fixture
def real_names() -> dict[int, dict[str, str]]:
    if not CSV_FILE.exists():
        pytest.skip("shared/realdata is not beside the checkout")
    names: dict[int, dict[str, str]] = {2022: {}, 2023: {}}
    with CSV_FILE.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["region"] == REGION:
                names[int(row["year"])][row["school"]] = row["municipality"]
    return names


def registry_of(names: dict[str, str]) -> SystemUser:
    region = Region.objects.create(name=REGION)
    municipalities: dict[str, Municipality] = {}
    for number, (school, municipality) in enumerate(sorted(names.items())):
        place = municipalities.get(municipality.lower()) or municipalities.setdefault(
            municipality.lower(), Municipality.objects.create(region=region, name=municipality)
        )
        School.objects.create(code=f"Z{number}", name=school, municipality=place)
    return SystemUser(region=region)


def test_pairs_of_the_two_years_match_as_people_would(
    db: Any, real_names: dict[int, dict[str, str]]
) -> None:
    user = registry_of(real_names[2023])
    file = real_names[2022]
    assert EXACT in file and EXACT in real_names[2023]
    assert NORMALISED[0] in file and PROPOSED[0] in file
    matches = {m.written: m for m in match_names(user, user.region, file.items())}
    by_name = dict(School.objects.values_list("name", "pk"))

    exact = matches[EXACT]
    assert (exact.how, exact.school_id) == (How.EXACT, by_name[EXACT])
    normalised = matches[NORMALISED[0]]
    assert (normalised.how, normalised.school_id) == (How.NORMALISED, by_name[NORMALISED[1]])
    proposed = matches[PROPOSED[0]]
    assert (proposed.how, proposed.school_id) == (How.PROPOSED, None)
    assert proposed.candidates[0].school_id == by_name[PROPOSED[1]]
    assert proposed.candidates[0].similarity >= 90

    counts = {how: sum(m.how == how for m in matches.values()) for how in How.LABELS}
    # 266 of 314 names of 2022 are written the same in 2023; normalisation finds 13 more
    assert (counts[How.EXACT], counts[How.NORMALISED]) == (266, 13)
    assert counts[How.PROPOSED] + counts[How.NONE] == 314 - 266 - 13


def test_a_confirmed_alias_is_reused_next_time(
    db: Any, real_names: dict[int, dict[str, str]]
) -> None:
    user = registry_of(real_names[2023])
    target = School.objects.get(name=PROPOSED[1])
    key = normalise(PROPOSED[0])
    saved = do_confirm_school_aliases(
        user.region, {key: (PROPOSED[0], target.pk)}, acting_user=user
    )
    assert saved == 1
    again = SchoolNames(user, user.region).match(PROPOSED[0])
    assert (again.how, again.school_id) == (How.ALIAS, target.pk)
    assert SchoolAlias.objects.get().written == PROPOSED[0]


def test_an_alias_for_a_school_outside_the_scope_is_not_saved(world: dict[str, Any]) -> None:
    user = world["users"]["municipality"]
    outside = world["schools"]["c"]  # south: not the municipal coordinator's
    saved = do_confirm_school_aliases(
        world["region"], {"какая-то школа": ("Какая-то школа", outside.pk)}, acting_user=user
    )
    assert saved == 0 and not SchoolAlias.objects.exists()
