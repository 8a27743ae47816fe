#!/usr/bin/env python3
"""The scoring of `partnerscope score FILE --out DIR`, written with polars, for a side-by-side
benchmark (bench/polars.sh) on the 1M benchmark file.

Usage: python3 bench/polars_score.py RESPONSES.csv OUT_DIR [INSTRUMENT.yaml]
       (default instrument: surveys/hr-sales-partnership.yaml, the one `score` bundles)

What it computes, as SPEC §4 and §16 say, read from the instrument YAML:
- per respondent the item scores on 0-100 (scale codes and labels ignoring case, `na` labels
  and empty cells missing, booleans, choice scores, multi counts against `full_at`, reverse
  keying), items whose `show_if` is false left out (not asked), dimension weighted means with
  `min_answered` over the asked items, the weighted index over the asked dimensions, and the
  level with its `min_each_dimension` gate; written as respondent_scores.csv (same columns);
- per organization, wave and group (`all`, `role:ROLE`) and measure (each dimension, the
  index): n, mean, sample sd and the 95% interval mean ± t(0.975, n-1)·sd/√n; written as
  org_scores.csv without the benchmark columns. Organizations with fewer than
  `anonymity_threshold` rows and groups with n below it are left out (SPEC §6, first rules).

What it does NOT do, so nobody takes it for the same program (`score` does all of these):
- no validation: no rejects.csv, no checks of headers, roles, codes, ranges, repeated
  respondent ids, row lengths, encodings or quotes; a cell it cannot read is simply missing;
  no source profiles, no `_`-for-space retry, no folders of files, no xlsx/ods;
- no warnings for answers to items not asked, no reconciliation line;
- no complementary suppression and no no-subtraction rule (SPEC §6, §15): it writes every
  group with n at or above the threshold, so its org_scores.csv has more rows than ours;
- no percentiles or quartiles (populations), no org_summary.csv, perception_gaps.csv,
  changes.csv, breakdown_scores.csv, comments.csv, scores.json, no manifest and no hashing;
- no fixed order of floating-point sums (polars' own), so figures may differ from ours in the
  last bits: bench/polars_check.py compares them with SPEC §4's tolerance (1e-9);
- numbers are written as polars writes them (`95.0`, not `95`).
Only the condition forms the bundled instrument needs are translated (`item` with `is` on a
boolean or with `answered`, `role`, `all`, `any`, `not`); any other stops the script.
"""

import math
import sys
from pathlib import Path

import polars as pl
import yaml

TOLERANCE = 1e-9


def student_t_975(df):
    """t(0.975, df): bisection on the t distribution function, written out because scipy is
    not assumed. The CDF is 1 − I_x(df/2, 1/2)/2 at x = df/(df + t²)."""

    def betacf(a, b, x):
        # Lentz's continued fraction of the incomplete beta function (Numerical Recipes 6.4).
        tiny = 1e-300
        c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
        d = 1.0 / (d if abs(d) > tiny else tiny)
        h = d
        for m in range(1, 400):
            for num in (
                m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
            ):
                d = 1.0 + num * d
                d = 1.0 / (d if abs(d) > tiny else tiny)
                c = 1.0 + num / c
                c = c if abs(c) > tiny else tiny
                h *= d * c
            if abs(d * c - 1.0) < 1e-16:
                break
        return h

    def betainc(a, b, x):
        if x <= 0.0:
            return 0.0
        if x >= 1.0:
            return 1.0
        front = math.exp(
            math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
        )
        if x < (a + 1.0) / (a + b + 2.0):
            return front * betacf(a, b, x) / a
        return 1.0 - front * betacf(b, a, 1.0 - x) / b

    def cdf(t):
        return 1.0 - 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))

    low, high = 0.0, 64.0  # t(0.975, 1) = 12.71 is the largest
    for _ in range(64):
        mid = (low + high) / 2.0
        if cdf(mid) < 0.975:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def lower_map(pairs):
    return {str(k).lower(): v for k, v in pairs}


class Instrument:
    def __init__(self, path):
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        self.threshold = doc.get("anonymity_threshold", 5)
        self.min_answered = doc.get("min_answered", 0.5)
        self.scales = doc.get("scales", {})
        self.roles = doc["roles"]
        self.dimensions = doc["dimensions"]
        self.outcomes = doc.get("outcomes", [])
        self.levels = doc["levels"]
        self.items = {i["id"]: i for d in self.dimensions for i in d["items"]}

    def role_expr(self, column):
        mapping = lower_map([(r["id"], r["id"]) for r in self.roles] + [(r["label"], r["id"]) for r in self.roles])
        return column.str.strip_chars().str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.String)

    def raw_score(self, item):
        """The item's score before reverse keying, from its trimmed cell; null when missing."""
        cell = pl.col(item["id"]).str.strip_chars()
        kind = item.get("type", "scale")
        if kind == "scale":
            scale = self.scales[item["scale"]]
            k = len(scale["labels"])
            scores = [100.0 * c / (k - 1) for c in range(k)]
            mapping = lower_map(
                [(str(c + 1), s) for c, s in enumerate(scores)] + list(zip(scale["labels"], scores))
            )
            return cell.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.Float64)
        if kind == "number":
            low, high = item["min"], item["max"]
            x = cell.cast(pl.Float64, strict=False)
            return (100.0 * (x - low) / (high - low)).clip(0.0, 100.0)
        if kind == "boolean":
            mapping = {"yes": 100.0, "true": 100.0, "1": 100.0, "no": 0.0, "false": 0.0, "0": 0.0}
            return cell.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.Float64)
        if kind == "choice":
            options = item["options"]
            mapping = lower_map([(o["id"], o["score"]) for o in options] + [(o["label"], o["score"]) for o in options])
            return cell.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.Float64)
        if kind == "multi":
            options = [o if isinstance(o, dict) else {"id": o, "label": o} for o in item["options"]]
            full_at = item.get("full_at", len(options))
            # Each token → its option's position; `none` and unknown tokens count nothing.
            mapping = lower_map([(o["id"], i) for i, o in enumerate(options)] + [(o["label"], i) for i, o in enumerate(options)])
            count = (
                cell.str.split(";")
                .list.eval(
                    pl.element().str.strip_chars().str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.Int32)
                )
                .list.drop_nulls()
                .list.n_unique()
            )
            score = 100.0 * pl.min_horizontal(count, pl.lit(full_at)).cast(pl.Float64) / full_at
            # min_horizontal skips nulls: an empty cell must not count as full_at.
            return pl.when(cell.is_null() | (cell == "")).then(None).otherwise(score)
        raise SystemExit(f"item {item['id']}: type {kind} not handled")

    def condition(self, cond):
        """A show_if condition as a boolean expression (never null: a comparison on a missing or
        not-asked answer is false)."""
        if "role" in cond:
            return pl.col("__role").is_in(cond["role"]).fill_null(False)
        if "all" in cond:
            return pl.all_horizontal([self.condition(c) for c in cond["all"]])
        if "any" in cond:
            return pl.any_horizontal([self.condition(c) for c in cond["any"]])
        if "not" in cond:
            return ~self.condition(cond["not"])
        if "item" in cond:
            item = self.items[cond["item"]]
            answered = self.asked(item) & pl.col(f"__raw_{item['id']}").is_not_null()
            if "answered" in cond:
                return answered if cond["answered"] else ~answered
            if "is" in cond and item.get("type") == "boolean":
                value = 100.0 if cond["is"] else 0.0
                return (answered & (pl.col(f"__raw_{item['id']}") == value)).fill_null(False)
        raise SystemExit(f"show_if {cond}: condition not handled by this script")

    def asked(self, item):
        return self.condition(item["show_if"]) if "show_if" in item else pl.lit(True)


def score_frame(lf, ins):
    items = list(ins.items.values())
    lf = lf.with_columns(ins.role_expr(pl.col("role")).alias("__role"))
    lf = lf.with_columns([ins.raw_score(i).alias(f"__raw_{i['id']}") for i in items])
    asked, scores = {}, {}
    exprs = []
    for i in items:
        asked[i["id"]] = ins.asked(i)
        raw = pl.col(f"__raw_{i['id']}")
        scores[i["id"]] = 100.0 - raw if i.get("reverse") else raw
        exprs.append(asked[i["id"]].alias(f"__asked_{i['id']}"))
        exprs.append(scores[i["id"]].alias(f"__s_{i['id']}"))
    lf = lf.with_columns(exprs)

    def weighted_mean(parts):
        # parts: (score column, weight, asked column). Missing when nothing present or the
        # present share of the asked parts is below min_answered.
        present = [pl.col(a) & pl.col(s).is_not_null() for s, _, a in parts]
        n_asked = pl.sum_horizontal([pl.col(a).cast(pl.Int32) for _, _, a in parts])
        n_present = pl.sum_horizontal([p.cast(pl.Int32) for p in present])
        total = pl.sum_horizontal([pl.when(p).then(pl.col(s) * w).otherwise(0.0) for p, (s, w, _) in zip(present, parts)])
        weights = pl.sum_horizontal([pl.when(p).then(pl.lit(float(w))).otherwise(0.0) for p, (_, w, _) in zip(present, parts)])
        ok = (n_present > 0) & (n_present.cast(pl.Float64) >= ins.min_answered * n_asked.cast(pl.Float64))
        return pl.when(ok).then(total / weights).otherwise(None), n_asked > 0

    dim_exprs = []
    for d in ins.dimensions:
        mean, any_asked = weighted_mean([(f"__s_{i['id']}", i.get("weight", 1), f"__asked_{i['id']}") for i in d["items"]])
        dim_exprs += [mean.alias(d["id"]), any_asked.alias(f"__dasked_{d['id']}")]
    lf = lf.with_columns(dim_exprs)
    index, _ = weighted_mean([(d["id"], d.get("weight", 1), f"__dasked_{d['id']}") for d in ins.dimensions])
    lf = lf.with_columns(index.alias("index"))

    def at_least(a, b):
        return (a >= b) | ((a - b).abs() <= TOLERANCE * pl.max_horizontal(a.abs(), pl.lit(abs(b)), pl.lit(1.0)))

    level = pl.lit(None, dtype=pl.String)
    for lv in ins.levels:  # ascending: the last that holds wins
        holds = at_least(pl.col("index"), float(lv["min"]))
        if "min_each_dimension" in lv:
            gate = float(lv["min_each_dimension"])
            holds = holds & pl.all_horizontal(
                [~pl.col(f"__dasked_{d['id']}") | at_least(pl.col(d["id"]), gate).fill_null(False) for d in ins.dimensions]
            )
        level = pl.when(holds.fill_null(False)).then(pl.lit(lv["id"])).otherwise(level)
    lf = lf.with_columns(
        pl.when(pl.col("index").is_not_null()).then(level).otherwise(None).alias("level"),
        *[pl.col(o["id"]).str.strip_chars().cast(pl.Float64, strict=False) for o in ins.outcomes],
    )
    dims = [d["id"] for d in ins.dimensions]
    return lf.select(
        "respondent_id",
        "org",
        pl.col("__role").alias("role"),
        "wave",
        *dims,
        "index",
        "level",
        *[o["id"] for o in ins.outcomes],
    )


def org_frame(respondents, ins):
    """n, mean, sd and interval per organization-wave, group and measure: one wide group-by
    per kind of group (all, role), reshaped to one row per measure afterwards."""
    measures = [d["id"] for d in ins.dimensions] + ["index"]
    kept = respondents.filter(pl.len().over("org", "wave") >= ins.threshold)

    def summary(keys):
        wide = kept.group_by(keys).agg(
            *[pl.col(m).count().alias(f"n|{m}") for m in measures],
            *[pl.col(m).mean().alias(f"mean|{m}") for m in measures],
            *[pl.col(m).std(ddof=1).alias(f"sd|{m}") for m in measures],
        )
        long = wide.unpivot(index=keys, variable_name="key").with_columns(
            pl.col("key").str.split_exact("|", 1).struct.rename_fields(["stat", "measure"])
        ).unnest("key")
        return long.pivot("stat", index=[*keys, "measure"], values="value")

    roles = summary(["org", "wave", "role"]).with_columns((pl.lit("role:") + pl.col("role")).alias("group")).drop("role")
    groups = pl.concat([summary(["org", "wave"]).with_columns(pl.lit("all").alias("group")), roles], how="diagonal")
    groups = groups.with_columns(pl.col("n").cast(pl.UInt32)).filter(pl.col("n") >= ins.threshold)
    # One quantile per distinct n (n ≥ 2; below, sd and the interval are empty).
    ns = [n for n in groups["n"].unique().to_list() if n >= 2]
    t_table = pl.DataFrame({"n": ns, "t": [student_t_975(n - 1) for n in ns]}, schema={"n": pl.UInt32, "t": pl.Float64})
    half = pl.col("t") * pl.col("sd") / pl.col("n").cast(pl.Float64).sqrt()
    return (
        groups.join(t_table, on="n", how="left")
        .select(
            "org",
            "wave",
            "group",
            "measure",
            "n",
            "mean",
            "sd",
            (pl.col("mean") - half).alias("ci_low"),
            (pl.col("mean") + half).alias("ci_high"),
        )
        .sort("org", "wave", "group", "measure")
    )


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.split("\n\n")[1])
    responses, out = sys.argv[1], Path(sys.argv[2])
    here = Path(__file__).resolve().parent
    ins = Instrument(sys.argv[3] if len(sys.argv) == 4 else here.parent / "surveys" / "hr-sales-partnership.yaml")
    out.mkdir(parents=True, exist_ok=True)
    # Every cell read as text, so each item parses its own cells (no type inference). Read
    # whole, then scored in memory: on the 1M file this is about twice as fast as
    # `scan_csv` with the streaming engine, at a higher peak memory.
    cells = pl.read_csv(responses, infer_schema=False)
    respondents = score_frame(cells.lazy(), ins).collect()
    del cells
    respondents.write_csv(out / "respondent_scores.csv")
    org_frame(respondents, ins).write_csv(out / "org_scores.csv")


if __name__ == "__main__":
    main()
