"""Clusters of schools by context and results (scikit-learn).

Features, standardised: the four social shares of the index, students per computer, the size
of the school (log of students) and the result of resilience.py. Schools missing any feature
are left out. k-means with k from 2 to 6; the number of clusters is the one with the highest
mean silhouette (a stated criterion, printed with the result); fixed random state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

FEATURES = [
    "low_income_pct",
    "single_parent_pct",
    "non_native_pct",
    "ovz_share",
    "students_per_computer",
    "log_students",
    "result",
]
FEATURE_LABELS = {
    "low_income_pct": "малообеспеченные семьи, %",
    "single_parent_pct": "неполные семьи, %",
    "non_native_pct": "русский не родной, %",
    "ovz_share": "обучающиеся с ОВЗ, %",
    "students_per_computer": "обучающихся на компьютер",
    "log_students": "обучающихся",
    "result": "справились с ВПР/ГИА, %",
}
K_RANGE = range(2, 7)
RANDOM_STATE = 0
# How a group differs from the region, in words: (above the region, below it) per feature.
FEATURE_WORDS = {
    "low_income_pct": ("много малообеспеченных семей", "мало малообеспеченных семей"),
    "single_parent_pct": ("много неполных семей", "мало неполных семей"),
    "non_native_pct": ("много детей с неродным русским языком", "русский язык родной почти у всех"),
    "ovz_share": ("много обучающихся с ОВЗ", "мало обучающихся с ОВЗ"),
    "students_per_computer": ("мало компьютеров", "хорошо оснащены компьютерами"),
    "log_students": ("крупные школы", "малочисленные школы"),
    "result": ("результаты выше, чем в среднем", "результаты ниже, чем в среднем"),
}
# A group is described by its features at least this many standard deviations from the region.
DISTINCT = 0.5


@dataclass
class Clustering:
    schools: pl.DataFrame  # school rows with `cluster`
    k: int
    silhouettes: dict[int, float]
    profiles: pl.DataFrame  # one row per cluster: size, feature means and `name` in words

    @property
    def quality(self) -> float:
        return self.silhouettes[self.k]


def describe(centre: np.ndarray) -> str:
    """A group's name from what sets it apart: its most distinct features, in words."""
    ranked = sorted(zip(FEATURES, centre, strict=True), key=lambda f: -abs(f[1]))
    words = [FEATURE_WORDS[f][0 if z > 0 else 1] for f, z in ranked[:2] if abs(z) >= DISTINCT]
    return "; ".join(words).capitalize() if words else "Школы, типичные для территории"


def feature_matrix(data: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    rows = data.with_columns(log_students=pl.col("students").log()).drop_nulls(FEATURES)
    rows = rows.sort("school_id")
    return rows, StandardScaler().fit_transform(rows.select(FEATURES).to_numpy())


def cluster(data: pl.DataFrame) -> Clustering:
    rows, matrix = feature_matrix(data)
    if rows.height < 8:
        raise ValueError("для кластеризации нужно не меньше восьми школ с полными данными")
    silhouettes, labels = {}, {}
    for k in K_RANGE:
        if k >= rows.height:
            break
        model = KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE).fit(matrix)
        labels[k] = model.labels_
        silhouettes[k] = float(silhouette_score(matrix, model.labels_))
    best = max(silhouettes, key=lambda k: silhouettes[k])
    schools = rows.with_columns(cluster=pl.Series(labels[best] + 1))
    # centres in standard deviations from the territory's mean, since the matrix is standardised
    names = [describe(matrix[labels[best] == c].mean(axis=0)) for c in range(best)]
    profiles = (
        schools.group_by("cluster")
        .agg(
            size=pl.len(),
            students=pl.col("students").mean(),
            **{f: pl.col(f).mean() for f in FEATURES if f != "log_students"},
        )
        .sort("cluster")
        .with_columns(name=pl.Series(names))
    )
    return Clustering(schools=schools, k=best, silhouettes=silhouettes, profiles=profiles)
