"""Soak curves side by side: RSS per bucket of minutes (median / floor) from bench/soak.py's CSVs.

For docs/performance.md: each column is one run; each row a bucket of `--bucket` minutes with
the median of its 10-second samples and the floor (lowest sample). Under the table, per run:
after warm-up, the spread of the bucket medians and the least-squares slope of all samples,
the checks a second the machine gave and the load average it ran at.

With `--rest` the rows are the at-rest samples instead (`X.rest.csv` beside each `X.csv`: RSS with
nothing in flight), lowest–highest per bucket, with their spread and slope after warm-up; and
with `--dumps DIR ...` (one per CSV, from `soak.py --trace-dir`) also glibc's bytes in use / freed
but kept and Python's arenas at the last dump of each bucket, which say whether C or Python memory
moved.

Run: .venv/bin/python bench/soak_table.py before.csv after.csv [--bucket 5] [--warmup 5] [--names before after]
     [--rest [--dumps DIR DIR]]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
from pathlib import Path

from soak import slope_per_10_min


def read(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def buckets(rows: list[dict], minutes: float) -> dict[int, list[float]]:
    """RSS samples by bucket; the last bucket only when it is at least half full (a run's tail)."""
    out: dict[int, list[float]] = {}
    for row in rows:
        out.setdefault(int(row["elapsed_s"] // (minutes * 60)), []).append(row["rss_mb"])
    full = max(len(v) for v in out.values())
    return {k: v for k, v in out.items() if 2 * len(v) >= full}


def rest_table(args, names: list[str]) -> None:
    """The at-rest samples per bucket, lowest–highest, and (with dumps) glibc in use / Python's arenas."""
    runs = [[(float(t), float(r)) for t, r in list(csv.reader(p.with_suffix(".rest.csv").open()))[1:]]
            for p in args.csv]
    dumps = [[json.loads(d.read_text()) for d in sorted(Path(dir_).glob("rest-*.json"))]
             for dir_ in (args.dumps or [None] * len(runs)) if dir_] or [[] for _ in runs]
    print("| minutes | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    width = args.bucket * 60
    for index in sorted({int(t // width) for run in runs for t, _ in run}):
        cells = []
        for run, dump in zip(runs, dumps):
            picked = [(i, r) for i, (t, r) in enumerate(run) if int(t // width) == index]
            cell = f"{min(r for _, r in picked):.1f}–{max(r for _, r in picked):.1f}" if picked else ""
            if picked and len(dump) > picked[-1][0]:
                last = dump[picked[-1][0]]
                cell += (f" ({last['glibc_in_use_mb']:.1f} / {last['glibc_kept_mb']:.1f}"
                         f" · {last['pymalloc_arenas_mb']:.1f})")
            cells.append(cell)
        print(f"| {index * args.bucket:g}–{(index + 1) * args.bucket:g} | " + " | ".join(cells) + " |")
    for name, run in zip(names, runs):
        warm = [(t, r) for t, r in run if t >= args.warmup * 60]
        if warm:
            print(f"{name}: at rest after warm-up {min(r for _, r in warm):.1f}-{max(r for _, r in warm):.1f} MB, "
                  f"spread {max(r for _, r in warm) - min(r for _, r in warm):.1f} MB, "
                  f"slope {slope_per_10_min(warm):+.2f} MB / 10 min, {len(warm)} samples")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, nargs="+")
    parser.add_argument("--bucket", type=float, default=5.0, help="Minutes per row.")
    parser.add_argument("--warmup", type=float, default=5.0, help="Minutes left out of spread and slope.")
    parser.add_argument("--names", nargs="+", help="Column names (default: the file names).")
    parser.add_argument("--rest", action="store_true", help="The at-rest samples (X.rest.csv) instead.")
    parser.add_argument("--dumps", type=Path, nargs="+", help="With --rest: soak.py --trace-dir directories.")
    args = parser.parse_args()
    names = args.names or [p.stem for p in args.csv]
    if args.rest:
        rest_table(args, names)
        return
    runs = [read(p) for p in args.csv]
    per_run = [buckets(rows, args.bucket) for rows in runs]
    print("| minutes | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for index in sorted(set().union(*per_run)):
        cells = []
        for run in per_run:
            samples = run.get(index)
            cells.append(f"{statistics.median(samples):.0f} / {min(samples):.0f}" if samples else "")
        low = index * args.bucket
        print(f"| {low:g}–{low + args.bucket:g} | " + " | ".join(cells) + " |")
    for name, rows, run in zip(names, runs, per_run):
        warm_rows = [r for r in rows if r["elapsed_s"] >= args.warmup * 60]
        warm = [statistics.median(v) for k, v in run.items() if k * args.bucket >= args.warmup]
        if not warm:
            print(f"{name}: not past warm-up yet")
            continue
        last = rows[-1]
        checks = last["text_checks"] + last["image_checks"]
        loads = [r["load1"] for r in rows]
        print(f"{name}: after warm-up spread of {args.bucket:g}-minute medians "
              f"{max(warm) - min(warm):.1f} MB, slope {slope_per_10_min([(r['elapsed_s'], r['rss_mb']) for r in warm_rows]):+.1f} "
              f"MB / 10 min; floor {min(r['rss_mb'] for r in warm_rows):.0f}-{max(min(v) for k, v in run.items() if k * args.bucket >= args.warmup):.0f} MB; "
              f"{checks:.0f} checks ({checks / max(last['elapsed_s'], 1):.1f}/s), {last['decisions']:.0f} decisions, "
              f"{last['image_checks']:.0f} photos, {last['reloads']:.0f} reloads; load average {min(loads):.1f}-{max(loads):.1f}")


if __name__ == "__main__":
    main()
