"""The social-context index and schools in unfavourable social conditions (ШНСУ).

Index: the mean of the z-scores, among the schools of the region in the year, of four shares
that describe the families a school serves — low-income families, single-parent families,
children for whom Russian is not native, students with ОВЗ. Higher means harder conditions;
0 is the region's average school. A school counts when at least two of the four are known.
ШНСУ: the schools whose index is in the top `share` of the region (default 20%)."""

from __future__ import annotations

import polars as pl

INDEX_FACTS = ["low_income_pct", "single_parent_pct", "non_native_pct", "ovz_share"]
SHNSU_SHARE = 0.2


def social_index(frame: pl.DataFrame) -> pl.DataFrame:
    """frame: facts of one year; adds z_<fact> columns and `social_index`."""
    # a share that does not vary across the region says nothing about any school
    zscores = [
        pl.when(pl.col(f).std() > 0)
        .then((pl.col(f) - pl.col(f).mean()) / pl.col(f).std())
        .alias(f"z_{f}")
        for f in INDEX_FACTS
    ]
    known = pl.sum_horizontal([pl.col(f"z_{f}").is_not_null() for f in INDEX_FACTS])
    return frame.with_columns(zscores).with_columns(
        social_index=pl.when(known >= 2).then(
            pl.mean_horizontal([pl.col(f"z_{f}") for f in INDEX_FACTS])
        ),
    )


def shnsu(frame: pl.DataFrame, share: float = SHNSU_SHARE) -> pl.DataFrame:
    """Adds `shnsu`: the index in the top `share` of the schools that have one."""
    indexed = social_index(frame)
    cutoff = indexed["social_index"].drop_nulls().quantile(1 - share, interpolation="linear")
    return indexed.with_columns(
        shnsu=pl.col("social_index").is_not_null()
        & (pl.col("social_index") >= pl.lit(cutoff, pl.Float64)),
        shnsu_cutoff=pl.lit(cutoff, pl.Float64),
    )
