"""Risk factors, the social index, resilience, clusters, deficits and the questionnaire."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from django.test import Client
from django.urls import reverse
from docx import Document
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from shnor.core.importing import importer_for
from shnor.risks.catalogue import LEVELS, factors, questionnaire
from shnor.risks.clusters import FEATURES, K_RANGE, RANDOM_STATE, cluster, feature_matrix
from shnor.risks.deficits import deficit_table, eliminated_share
from shnor.risks.facts import facts
from shnor.risks.models import SurveyAnswer
from shnor.risks.profile import evaluate_profiles
from shnor.risks.reports import clustering_docx
from shnor.risks.resilience import PREDICTION_ALPHA, fit
from shnor.risks.social import INDEX_FACTS, shnsu, social_index
from shnor.support.library import for_factor
from tests.tables import write_table

ALL_FACTS = sorted({c["fact"] for f in factors() for c in f["conditions"]})


def facts_row(**values: float | None) -> pl.DataFrame:
    row = {"school_id": 1, "year": 2025, **dict.fromkeys(ALL_FACTS), **values}
    return pl.DataFrame(
        [row],
        schema={"school_id": pl.Int64, "year": pl.Int32, **dict.fromkeys(ALL_FACTS, pl.Float64)},
    )


def rank_of(factor: str, frame: pl.DataFrame) -> int | None:
    levels = evaluate_profiles(frame).filter(pl.col("factor") == factor)
    return levels["rank"][0]


CASES = [(factor["code"], condition) for factor in factors() for condition in factor["conditions"]]


@pytest.mark.parametrize("code,condition", CASES, ids=[f"{c}-{cond['fact']}" for c, cond in CASES])
def test_every_factor_rule(code: str, condition: dict[str, Any]) -> None:
    fact = condition["fact"]
    if "equals" in condition:
        expected = LEVELS.index(condition["level"])
        assert rank_of(code, facts_row(**{fact: condition["equals"]})) == expected
        assert rank_of(code, facts_row(**{fact: 1 - condition["equals"]})) == 0
    else:
        thresholds = condition["above"]
        for level, threshold in thresholds.items():
            assert rank_of(code, facts_row(**{fact: threshold})) >= LEVELS.index(level)
        lowest = min(thresholds.values())
        assert rank_of(code, facts_row(**{fact: lowest * 0.99 - 0.001})) == 0
    assert rank_of(code, facts_row()) is None  # nothing known: no level, not «none»


def test_a_factor_takes_its_highest_condition_and_explains_it() -> None:
    levels = evaluate_profiles(facts_row(stable_internet=1, students_per_computer=16))
    row = levels.filter(pl.col("factor") == "material_base").row(0, named=True)
    assert (row["level"], row["rank"]) == ("high", 3)
    assert row["evidence"] == "устойчивый интернет: да; обучающихся на один компьютер: 16,0"


def test_the_catalogue_covers_seed_000_and_003() -> None:
    codes = {f["code"] for f in factors()}
    assert {
        "remoteness",
        "limited_resources",
        "material_base",
        "staff_shortage",
        "difficult_contingent",
        "school_climate",
        "management",
    } <= codes
    assert {
        "low_motivation",
        "discipline",
        "wellbeing",
        "parents",
        "ovz",
        "language",
        "professional_deficits",
        "weak_vsoko",
    } <= codes
    assert all(for_factor(f["code"]) for f in factors())
    fed = {q["factor"] for q in questionnaire()["questions"]}
    assert fed <= codes


def test_the_social_index_and_shnsu() -> None:
    frame = pl.DataFrame(
        {
            "school_id": [1, 2, 3, 4, 5],
            "low_income_pct": [10.0, 20.0, 30.0, 40.0, 50.0],
            "single_parent_pct": [10.0, 20.0, 30.0, 40.0, 50.0],
            "non_native_pct": [0.0, 0.0, 0.0, 0.0, None],
            "ovz_share": [5.0, 5.0, 5.0, 5.0, 5.0],
        }
    )
    indexed = social_index(frame)
    z = (np.array([10, 20, 30, 40, 50]) - 30) / np.std([10, 20, 30, 40, 50], ddof=1)
    # constant columns give no z-score (std 0 → NaN/null), so the index is the mean of two
    assert indexed["social_index"].to_list()[0] == pytest.approx(z[0])
    flagged = shnsu(frame)
    assert flagged.filter(pl.col("shnsu"))["school_id"].to_list() == [5]
    assert INDEX_FACTS == ["low_income_pct", "single_parent_pct", "non_native_pct", "ovz_share"]


def synthetic_region(n: int = 60) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(3)
    index = rng.normal(size=n)
    result = 90 - 4 * index + rng.normal(scale=3, size=n)
    result[[5, 17]] = [99.5, 99.9]  # two clearly resilient schools in hard conditions
    index[[5, 17]] = [1.8, 2.1]
    indexed = pl.DataFrame(
        {
            "school_id": range(1, n + 1),
            "social_index": index,
            "name": [f"Школа {i}" for i in range(1, n + 1)],
        }
    )
    scores = pl.DataFrame(
        {"school_id": range(1, n + 1), "participants": [40] * n, "below": [0] * n, "result": result}
    )
    return indexed, scores


def test_resilience_is_statsmodels_on_the_same_data() -> None:
    indexed, scores = synthetic_region()
    model = fit(indexed.join(scores, on="school_id"))
    x = sm.add_constant(indexed["social_index"].to_numpy())
    direct = sm.OLS(scores["result"].to_numpy(), x).fit()
    assert np.allclose(model.model.params, direct.params)
    assert np.allclose(model.schools["residual"].to_numpy(), direct.resid)
    upper = direct.get_prediction(x).summary_frame(alpha=PREDICTION_ALPHA)["obs_ci_upper"]
    cutoff = np.quantile(indexed["social_index"].to_numpy(), 2 / 3)
    expected = (indexed["social_index"].to_numpy() >= cutoff) & (
        scores["result"].to_numpy() > upper.to_numpy()
    )
    assert model.schools["resilient"].to_list() == expected.tolist()
    assert {6, 18} <= set(model.schools.filter(pl.col("resilient"))["school_id"])


def test_clusters_are_scikit_learn_on_the_same_data() -> None:
    rng = np.random.default_rng(5)
    n = 40
    centres = np.where(np.arange(n) < 20, 0.0, 30.0)
    data = pl.DataFrame(
        {
            "school_id": range(1, n + 1),
            "name": [f"Школа {i}" for i in range(1, n + 1)],
            **{f: centres + rng.normal(size=n) for f in FEATURES if f != "log_students"},
            "students": np.exp(rng.normal(5, 0.2, size=n)),
        }
    )
    result = cluster(data)
    rows, matrix = feature_matrix(data)
    expected_matrix = StandardScaler().fit_transform(rows.select(FEATURES).to_numpy())
    assert np.allclose(matrix, expected_matrix)
    scores = {}
    for k in K_RANGE:
        labels = KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE).fit(matrix).labels_
        scores[k] = silhouette_score(matrix, labels)
    best = max(scores, key=lambda k: scores[k])
    assert result.k == best == 2
    direct = KMeans(n_clusters=best, n_init=10, random_state=RANDOM_STATE).fit(matrix).labels_
    assert (result.schools["cluster"].to_numpy() - 1).tolist() == direct.tolist()
    assert result.profiles["size"].to_list() == [20, 20]
    document = Document(io.BytesIO(clustering_docx(result, "Тестовый район", 2025)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Аналитическая справка об итогах кластеризации" in text
    assert "число групп — 2" in text and "силуэт" not in text
    assert len(document.tables[0].rows) == 3
    # the groups are named by what sets them apart: one above, one below on every feature
    names = result.profiles["name"].to_list()
    assert names[0] != names[1] and all(n and n[0].isupper() for n in names)
    assert document.sections[0].page_width > document.sections[0].page_height


def test_deficits_and_their_elimination() -> None:
    frame = pl.DataFrame(
        {
            "school_id": [1, 1, 2, 2, 3, 3],
            "year": [2024, 2025] * 3,
            "stable_internet": [0, 1, 0, 0, 1, 1],
            "students_per_computer": [12.0, 8, 5, 5, 5, 12],
            "vacancies": [1, 0, 0, 0, 0, 0],
        }
    )
    table = deficit_table(frame, 2025).sort("school_id")
    assert table["had"].to_list() == [3, 1, 0] and table["has"].to_list() == [0, 1, 1]
    assert table["all_eliminated"].to_list() == [True, False, False]
    assert eliminated_share(table, {1, 2, 3}) == (1, 2)
    assert eliminated_share(table, {2}) == (0, 1)


def test_survey_answers_import_and_feed_the_profile(world: dict[str, Any], tmp_path: Path) -> None:
    codes = [q["code"] for q in questionnaire()["questions"]]
    climate = [q for q in questionnaire()["questions"] if q["factor"] == "school_climate"]
    answers = {q["code"]: 3 for q in questionnaire()["questions"]}
    answers[climate[0]["code"]] = 1  # positive statement answered «совсем не так»
    answers[climate[1]["code"]] = 2  # negative statement: a favourable answer
    rows = [
        ["Код ОО", "Год", *codes],
        ["100", 2025, *(answers[c] for c in codes)],
        ["200", 2025, *([5] + [3] * (len(codes) - 1))],
    ]
    report = importer_for("survey", world["users"]["region"]).run(
        write_table(tmp_path / "survey.xlsx", rows)
    )
    assert [p.column for p in report.problems] == [codes[0]]
    report = importer_for("survey", world["users"]["region"]).run(
        write_table(tmp_path / "survey.xlsx", rows[:2])
    )
    assert report.ok and SurveyAnswer.objects.count() == len(codes)
    frame = facts(world["region"].pk, [2025]).filter(
        pl.col("school_id") == world["schools"]["a"].pk
    )
    assert frame["survey_school_climate"][0] == pytest.approx(0.5)
    again = importer_for("survey", world["users"]["region"]).run(
        write_table(tmp_path / "survey.xlsx", rows[:2])
    )
    assert again.summary.endswith("Изменений нет.")


def test_a_school_fills_in_its_self_diagnosis_on_the_page(world: dict[str, Any]) -> None:
    from shnor.registry.models import SchoolContext

    school = world["schools"]["a"]
    SchoolContext.objects.create(school=school, year=2025, students=100, teachers=10)
    questions = questionnaire()["questions"]
    climate = [q["code"] for q in questions if q["factor"] == "school_climate"]
    answers = {q["code"]: "3" for q in questions}
    answers[climate[0]] = "1"  # «Обучающиеся чувствуют себя в школе в безопасности»: совсем не так
    answers[climate[1]] = "2"  # «Конфликты … случаются часто»: скорее не так, a favourable answer
    url = reverse("risks:questionnaire")
    client = Client()
    client.force_login(world["users"]["school"])
    page = client.get(url).content.decode()
    assert "Сохранить ответы" in page and school.short_name in page
    incomplete = client.post(f"{url}?year=2025", {**answers, climate[1]: ""})
    assert "Ответьте на все утверждения" in incomplete.content.decode()
    assert client.post(f"{url}?year=2025", {**answers, climate[1]: "9"}).status_code == 200
    assert not SurveyAnswer.objects.exists()  # nothing half-written
    response = client.post(f"{url}?year=2025", answers)
    assert response.status_code == 302
    assert SurveyAnswer.objects.filter(school=school, year=2025).count() == len(questions)
    frame = facts(world["region"].pk, [2025]).filter(pl.col("school_id") == school.pk)
    assert frame["survey_school_climate"][0] == pytest.approx(0.5)
    # another school's answers cannot be given, and the region only reads the questionnaire
    other = world["schools"]["b"]
    assert client.get(f"{url}?school={other.pk}").status_code == 404
    region = Client()
    region.force_login(world["users"]["region"])
    assert "Сохранить ответы" not in region.get(url).content.decode()
    region.post(f"{url}?school={school.pk}&year=2025", {**answers, climate[0]: "4"})
    assert SurveyAnswer.objects.get(school=school, question=climate[0]).value == 1


def test_risk_pages_on_the_demo_region(db: Any) -> None:
    from shnor.demo.generator import YEARS, DemoRegion
    from shnor.identification.actions import do_run_identification
    from shnor.identification.models import Methodology
    from shnor.registry.models import School

    DemoRegion(seed=11).build()
    from shnor.core.system import SystemUser

    do_run_identification(
        Methodology.objects.get(code="federal"), YEARS[-1], acting_user=SystemUser()
    )
    region, school = Client(), Client()
    region.login(username="region", password="demo")
    school.login(username="school", password="demo")
    for name in ("heatmap", "social", "resilience", "clusters", "deficits", "questionnaire"):
        response = region.get(reverse(f"risks:{name}"))
        assert response.status_code == 200, name
    page = region.get(reverse("risks:resilience")).content.decode()
    # the model told in Russian figures, not statsmodels' English summary
    assert "R² = 0," in page and "Резильентные школы" in page and "OLS" not in page
    docx = region.get(reverse("risks:clusters") + "?format=docx")
    assert Document(io.BytesIO(docx.content)).paragraphs[0].text.startswith("Аналитическая")
    own = School.objects.get(pk=school.get("/").url.split("/")[-2])
    heat = school.get(reverse("risks:heatmap")).content.decode()
    assert len(re.findall(r'href="/schools/\d+/"', heat)) == 1 and own.name in heat
    card = region.get(reverse("school", args=[own.pk])).content.decode()
    assert "Профиль рисков" in card and "profile-chart" in card
    assert "социальный индекс" in card and "справились с ВПР/ГИА" in card


def test_a_school_without_computers_is_one_fact_everywhere() -> None:
    """Students per computer is one definition: no computer at all is the worst case for the
    engine, the risk factor and the card alike; a missing figure stays missing."""
    from shnor.identification.engine.blocks import CONTEXT_EXPRESSIONS
    from shnor.registry.context_facts import FACTS, fact_value
    from shnor.registry.models import SchoolContext

    context = pl.DataFrame(
        {"students": [200.0, 200.0, 200.0], "computers": [20.0, 0.0, None]},
        schema={"students": pl.Float64, "computers": pl.Float64},
    )
    engine = context.select(CONTEXT_EXPRESSIONS["students_per_computer"])[:, 0].to_list()
    risks = context.select(FACTS["students_per_computer"].expression)[:, 0].to_list()
    card = [fact_value("students_per_computer", students=200, computers=c) for c in (20, 0, None)]
    assert engine == risks == card == [10.0, 200.0, None]
    assert SchoolContext(students=200, computers=0).students_per_computer == 200.0
    # the material-base factor sees the school without computers as a high risk
    assert rank_of("material_base", facts_row(stable_internet=1, students_per_computer=200.0)) == (
        LEVELS.index("high")
    )
