#!/usr/bin/env python3
"""Checks that bench/polars_score.py computes what `partnerscope score` computes, so the
benchmark of bench/polars.sh compares equal work.

Usage: python3 bench/polars_check.py OURS_DIR POLARS_DIR
  OURS_DIR:   `partnerscope score FILE --out OURS_DIR`
  POLARS_DIR: `python3 bench/polars_score.py FILE POLARS_DIR`

respondent_scores.csv: the same respondents in the same order, every dimension score, index
and outcome equal within SPEC §4's tolerance (|a − b| ≤ 1e-9·max(1, |a|, |b|)), missing in
the same cells, the same level. org_scores.csv: every row of ours is in polars' output (same
org, wave, group, measure) with the same n and mean, sd and interval within the tolerance;
polars' further rows are the groups our disclosure control hides (SPEC §6, §15), counted.
Exits 1 when anything differs.
"""

import sys
from pathlib import Path

import polars as pl

TOLERANCE = 1e-9


def read(path):
    return pl.read_csv(path, infer_schema=False)


def compare(ours, theirs, keys, numbers, exact, what):
    joined = ours.join(theirs, on=keys, how="left", suffix="_pl", coalesce=True, validate="1:1")
    bad = 0
    for c in exact:
        diff = joined.filter(pl.col(c).ne_missing(pl.col(f"{c}_pl")))
        if diff.height:
            print(f"{what}: {diff.height} rows differ in {c}, first:\n{diff.head(3)}")
            bad += diff.height
    worst = 0.0
    for c in numbers:
        a = pl.col(c).cast(pl.Float64)
        b = pl.col(f"{c}_pl").cast(pl.Float64)
        scale = pl.max_horizontal(a.abs(), b.abs(), pl.lit(1.0))
        frame = joined.select(
            (a.is_null() != b.is_null()).alias("missing"),
            ((a - b).abs() / scale).alias("rel"),
        )
        missing = frame["missing"].sum()
        rel = frame["rel"].max() or 0.0
        worst = max(worst, rel)
        if missing or rel > TOLERANCE:
            print(f"{what}: {c}: {missing} cells missing on one side only, largest relative difference {rel:.3g}")
            bad += 1
    print(f"{what}: {joined.height} rows compared, largest relative difference {worst:.3g}")
    return bad


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    ours_dir, theirs_dir = Path(sys.argv[1]), Path(sys.argv[2])
    bad = 0

    ours = read(ours_dir / "respondent_scores.csv")
    theirs = read(theirs_dir / "respondent_scores.csv")
    if ours.height != theirs.height or ours.columns != theirs.columns:
        sys.exit(f"respondent_scores.csv: {ours.height} rows × {ours.columns} against {theirs.height} × {theirs.columns}")
    if not ours["respondent_id"].equals(theirs["respondent_id"]):
        sys.exit("respondent_scores.csv: respondents in another order")
    keys = ["respondent_id", "wave"]
    labels = ["org", "role", "level"]
    numbers = [c for c in ours.columns if c not in keys + labels]
    bad += compare(ours, theirs, keys, numbers, labels, "respondent_scores.csv")

    ours = read(ours_dir / "org_scores.csv")
    theirs = read(theirs_dir / "org_scores.csv")
    keys = ["org", "wave", "group", "measure"]
    missing = ours.join(theirs, on=keys, how="anti")
    if missing.height:
        print(f"org_scores.csv: {missing.height} of our rows not in polars' output, first:\n{missing.head(3)}")
        bad += 1
    bad += compare(ours, theirs, keys, ["mean", "sd", "ci_low", "ci_high"], ["n"], "org_scores.csv")
    extra = theirs.join(ours, on=keys, how="anti")
    print(f"org_scores.csv: polars writes {extra.height} further rows ({theirs.height} in all), hidden by our disclosure control")
    if bad:
        sys.exit(1)
    print("same figures")


if __name__ == "__main__":
    main()
