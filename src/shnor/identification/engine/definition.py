"""A methodology definition: parameters, indicators built from listed blocks, status bands.

Definitions are plain data (YAML in the repository, JSON in the database). `validate` checks a
definition completely before anything runs; `bind` substitutes `$parameter` references.
"""

from __future__ import annotations

from typing import Any

from shnor.registry.context_facts import FACTS

# The vocabulary of definitions, each word with the Russian a page or a document shows for it.
BLOCKS = {
    "low_procedures": "низкие результаты по процедурам",
    "result_level": "уровень и динамика результата",
    "context": "условия школы",
    "objectivity_sign": "признак необъективности результатов",
}
# Signs of non-objective results (engine/signs.py), each with what it compares.
SIGNS = {
    "top_marks": "доля «5» против региона",
    "boundary_peaks": "пики первичного балла сразу над границами отметок",
    "easy_vs_hard": "базовые задания против заданий повышенного и высокого уровня",
    "history_jump": "скачок против прошлых лет школы",
    "journal_marks": "отметки ВПР против отметок журнала",
    "oge_gap": "ВПР против ОГЭ той же параллели",
}
LOW_MODES = {
    "count_in_year": "число процедур в году",
    "same_procedure_all_years": "одна и та же процедура во все годы",
    "any_procedure_each_year": "хотя бы одна процедура в каждом году",
    "small_pooled": "малочисленные классы объединённо",
}
LEVEL_SPANS = {"year", "window"}
MAX_POOLED_YEARS = 3
METRICS = {"share_low": "доля «2» / ниже порога, %", "mean_score": "средний балл"}
COMPARISONS = {"threshold", "municipality", "region", "russia"}
OPERATORS = {
    ">": ">",
    ">=": "≥",
    "<": "<",
    "<=": "≤",
    "==": "=",
    "is_true": "= да",
    "is_false": "= нет",
}
CONTEXT_FIELDS = {
    "stable_internet": "устойчивый интернет",
    "vacancies": "вакансий педагогов",
    **{name: fact.label for name, fact in FACTS.items()},
    "low_income_pct": "доля малообеспеченных семей, %",
    "single_parent_pct": "доля неполных семей, %",
    "non_native_pct": "доля детей с неродным русским языком, %",
}
COMBINES = {
    "any": "любое из условий",
    "all": "все условия одновременно",
    "at_least": "не меньше {min} условий из",
}
STATUSES = ("low_results", "risk_zone", "none", "insufficient_data", "objectivity")
# The statuses a band may give: a list of ШНОР with its risk zone, or the separate list of
# schools with signs of non-objective results (ФИОКО keeps the two apart).
BAND_STATUSES = ("low_results", "risk_zone", "objectivity")
PARAM_TYPES = {"number", "integer", "boolean", "choice", "list"}
# Exit criteria (`exit` of a definition): a listed school has left the list for good after
# `years_outside` consecutive yearly lists without it and its share of «2» / below the minimum
# down by at least `margin` percentage points from its last listed year. A definition without
# the block (one stored before it existed) is read with these values.
EXIT_DEFAULT: dict[str, Any] = {"years_outside": 2, "margin": 5.0}


def listed_status(definition: dict[str, Any]) -> str:
    """The status that puts a school on this methodology's list: «objectivity» for a list of
    signs of non-objective results, else ШНОР («low_results»)."""
    bands = definition.get("status", {}).get("bands", [])
    return "objectivity" if any(b.get("status") == "objectivity" for b in bands) else "low_results"


class DefinitionError(ValueError):
    """The definition is not valid; the message names the place."""


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise DefinitionError(f"{where}: {message}")


def bind(value: Any, params: dict[str, Any]) -> Any:
    """Replace every "$name" string by the parameter's value, recursively."""
    if isinstance(value, str) and value.startswith("$"):
        return params[value[1:]]
    if isinstance(value, list):
        return [bind(v, params) for v in value]
    if isinstance(value, dict):
        return {k: bind(v, params) for k, v in value.items()}
    return value


def _references(value: Any) -> set[str]:
    if isinstance(value, str) and value.startswith("$"):
        return {value[1:]}
    if isinstance(value, list):
        return set().union(*(_references(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_references(v) for v in value.values())) if value else set()
    return set()


def parameter_values(definition: dict[str, Any]) -> dict[str, Any]:
    return {name: spec["value"] for name, spec in definition.get("parameters", {}).items()}


def check_parameter(name: str, spec: dict[str, Any], value: Any) -> Any:
    """The value coerced to the parameter's type, or DefinitionError naming the parameter."""
    where = f"параметр «{spec.get('label', name)}»"
    kind = spec["type"]
    if kind == "boolean":
        if isinstance(value, str):
            value = value.lower() in {"1", "true", "да", "on", "yes"}
        return bool(value)
    if kind == "choice":
        _require(value in spec["options"], where, "одно из " + ", ".join(map(str, spec["options"])))
        return value
    if kind == "list":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        _require(isinstance(value, list), where, "ожидается список")
        allowed = spec.get("options")
        bad = [v for v in value if allowed and v not in allowed]
        _require(not bad, where, "допустимы только: " + ", ".join(map(str, allowed or [])))
        return value
    try:
        text = str(value).replace(",", ".").strip()
        coerced: float = int(text) if kind == "integer" else float(text)
    except ValueError:
        expected = "целое число" if kind == "integer" else "число"
        raise DefinitionError(f"{where}: ожидается {expected}") from None
    low, high = spec.get("min"), spec.get("max")
    _require(low is None or coerced >= low, where, f"не меньше {low}")
    _require(high is None or coerced <= high, where, f"не больше {high}")
    return coerced


def validate(definition: dict[str, Any]) -> dict[str, Any]:
    """Check a whole definition; return it unchanged or raise DefinitionError."""
    for key in ("code", "version", "name", "source", "parameters", "indicators", "status"):
        _require(key in definition, "методика", f"нет раздела «{key}»")
    params = definition["parameters"]
    for name, spec in params.items():
        _require(
            spec.get("type") in PARAM_TYPES,
            f"параметр {name}",
            "тип одно из " + ", ".join(sorted(PARAM_TYPES)),
        )
        _require("label" in spec and "value" in spec, f"параметр {name}", "нужны label и value")
        _require(isinstance(spec.get("why", ""), str), f"параметр {name}", "why — текст")
        check_parameter(name, spec, spec["value"])
    codes: list[str] = []
    for index, indicator in enumerate(definition["indicators"], start=1):
        where = f"показатель {indicator.get('code', index)}"
        _require("code" in indicator and "label" in indicator, where, "нужны code и label")
        _require(
            indicator.get("block") in BLOCKS, where, "block одно из " + ", ".join(sorted(BLOCKS))
        )
        codes.append(indicator["code"])
        missing = _references(indicator) - set(params)
        _require(not missing, where, "нет параметров " + ", ".join(sorted(missing)))
        bound = bind(indicator, parameter_values(definition))
        if bound["block"] == "low_procedures":
            _require(
                bound.get("mode") in LOW_MODES,
                where,
                "mode одно из " + ", ".join(sorted(LOW_MODES)),
            )
            _require(
                isinstance(bound.get("years"), list) and bound["years"],
                where,
                "years — список смещений лет, например [-1, 0]",
            )
            if bound["mode"] == "small_pooled":
                pool = bound.get("pool")
                _require(
                    isinstance(pool, dict)
                    and isinstance(pool.get("grades"), bool)
                    and isinstance(pool.get("years"), int)
                    and 1 <= pool["years"] <= MAX_POOLED_YEARS,
                    where,
                    f"pool: grades (да/нет) и years (1–{MAX_POOLED_YEARS}) для small_pooled",
                )
                _require(pool["grades"] or pool["years"] > 1, where, "pool: нечего объединять")
        if bound["block"] == "result_level":
            _require(
                bound.get("metric") in METRICS,
                where,
                "metric одно из " + ", ".join(sorted(METRICS)),
            )
            _require("level" in bound or "dynamics" in bound, where, "нужны level или dynamics")
            if "level" in bound:
                _require(
                    bound["level"].get("compare") in COMPARISONS,
                    where,
                    "level.compare одно из " + ", ".join(sorted(COMPARISONS)),
                )
                _require(bound["level"].get("op") in OPERATORS, where, "level.op недопустим")
                _require(
                    all(
                        isinstance(bound["level"].get(k, 0), (int, float))
                        and bound["level"].get(k, 0) >= 0
                        for k in ("margin", "z")
                    ),
                    where,
                    "level.margin и level.z — неотрицательные числа",
                )
                _require(
                    bound["level"].get("over", "year") in LEVEL_SPANS,
                    where,
                    "level.over одно из " + ", ".join(sorted(LEVEL_SPANS)),
                )
                _require(
                    bound["level"].get("over", "year") == "year" or "dynamics" in bound,
                    where,
                    "level.over: window нужно окно dynamics",
                )
        if bound["block"] == "context":
            _require(
                bound.get("field") in CONTEXT_FIELDS,
                where,
                "field одно из " + ", ".join(sorted(CONTEXT_FIELDS)),
            )
            _require(bound.get("op") in OPERATORS, where, "op недопустим")
        if bound["block"] == "objectivity_sign":
            _require(bound.get("sign") in SIGNS, where, "sign одно из " + ", ".join(sorted(SIGNS)))
            _require(
                isinstance(bound.get("threshold"), (int, float))
                and isinstance(bound.get("min_participants"), int),
                where,
                "нужны threshold (число) и min_participants (целое)",
            )
    _require(len(set(codes)) == len(codes), "показатели", "коды показателей повторяются")
    rule = exit_rule(definition)
    _require(
        isinstance(rule["years_outside"], int) and 1 <= rule["years_outside"] <= 5,
        "критерии выхода",
        "years_outside — целое число лет от 1 до 5",
    )
    _require(
        isinstance(rule["margin"], int | float) and rule["margin"] >= 0,
        "критерии выхода",
        "margin — неотрицательное число процентных пунктов",
    )
    for band in definition["status"]["bands"]:
        where = f"правило статуса {band.get('status')}"
        _require(
            band.get("status") in BAND_STATUSES,
            where,
            "статус одно из " + ", ".join(BAND_STATUSES),
        )
        combine = bind(band.get("combine"), parameter_values(definition))
        _require(combine in COMBINES, where, "combine одно из any, all, at_least")
        unknown = set(band.get("indicators", codes)) - set(codes)
        _require(not unknown, where, "нет показателей " + ", ".join(sorted(unknown)))
        _require(
            not band.get("normalise") or combine == "at_least",
            where,
            "normalise только для combine: at_least",
        )
    return definition


def exit_rule(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition's exit criteria, the defaults filling what it leaves out."""
    return {**EXIT_DEFAULT, **(definition.get("exit") or {})}


def with_parameters(definition: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of the definition with new parameter values, each checked."""
    copy = {**definition, "parameters": {k: dict(v) for k, v in definition["parameters"].items()}}
    for name, value in values.items():
        spec = copy["parameters"].get(name)
        if spec is None:
            raise DefinitionError(f"параметр {name}: нет такого параметра")
        spec["value"] = check_parameter(name, spec, value)
    return validate(copy)
