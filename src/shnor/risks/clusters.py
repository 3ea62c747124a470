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


@dataclass
class Clustering:
    schools: pl.DataFrame  # school rows with `cluster`
    k: int
    silhouettes: dict[int, float]
    profiles: pl.DataFrame  # one row per cluster: size and feature means


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
    profiles = (
        schools.group_by("cluster")
        .agg(
            size=pl.len(),
            students=pl.col("students").mean(),
            **{f: pl.col(f).mean() for f in FEATURES if f != "log_students"},
        )
        .sort("cluster")
    )
    return Clustering(schools=schools, k=best, silhouettes=silhouettes, profiles=profiles)
