#!/usr/bin/python3
"""The scikit-learn side of `src/bench/run.sh tables`: on the folds that dev.kinglet.bench.TableBench
wrote (FOLDS, its folds.json), the same rows of test-data/tables/<name>.csv, encoded as Kinglet's
TableEncoder does (numeric: training mean imputation + missing indicator + standardisation;
categorical: one-hot of the training levels), scored with RandomForestClassifier(100, n_jobs=all
cores) and HistGradientBoostingClassifier(max_iter=100) (scikit-learn's fast gradient boosting,
its defaults otherwise). Prints per dataset the mean accuracy and seconds per fit (fit + predict),
then 'RESULT sklearn rf=<mean acc> hgb=<mean acc> rf-seconds=<total> hgb-seconds=<total>'."""
import csv
import json
import os
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

MISSING = {"", "NA", "N/A", "NaN", "nan", "?"}


def number(v):
    try:
        return float(v) if v[:1].isdigit() or v[:1] in "+-." else None
    except ValueError:
        return None


def read(path, target="Class"):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    t = header.index(target)
    columns = []
    for c, name in enumerate(header):
        if c == t:
            continue
        cells = [r[c].strip() for r in body]
        numeric = all(v in MISSING or number(v) is not None for v in cells) and any(v not in MISSING for v in cells)
        columns.append((name, numeric, cells))
    y = np.array([r[t].strip() for r in body])
    return columns, y


def encode(columns, train, test):
    parts_train, parts_test = [], []
    for name, numeric, cells in columns:
        cells = np.array(cells, dtype=object)
        missing = np.array([v in MISSING for v in cells])
        if numeric:
            x = np.array([np.nan if m else float(v) for v, m in zip(cells, missing)])
            tr = x[train]
            mean = np.nanmean(tr) if np.any(~np.isnan(tr)) else 0.0
            std = np.nanstd(tr) if np.any(~np.isnan(tr)) else 1.0
            std = std if std > 1e-6 else 1.0
            z = np.where(np.isnan(x), 0.0, (x - mean) / std)
            cols = [z]
            if missing[train].any():
                cols.append(missing.astype(float))
        else:
            levels = sorted({v for v, m in zip(cells[train], missing[train]) if not m})
            cols = [(cells == level).astype(float) for level in levels]
            cols.append(np.array([not m and v not in levels for v, m in zip(cells, missing)], dtype=float))
            if missing[train].any():
                cols.append(missing.astype(float))
        stacked = np.stack(cols, 1)
        parts_train.append(stacked[train])
        parts_test.append(stacked[test])
    return np.concatenate(parts_train, 1).astype(np.float32), np.concatenate(parts_test, 1).astype(np.float32)


def main():
    folds = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "target/table-bench/folds.json"))
    totals = {"rf": [], "hgb": []}
    seconds = {"rf": 0.0, "hgb": 0.0}
    print(f"{'dataset':20s} {'rf':>7s} {'hgb':>7s}   seconds per fit (rf / hgb)")
    for name, repeats in folds.items():
        columns, y = read(f"test-data/tables/{name}.csv")
        n = len(y)
        acc = {"rf": [], "hgb": []}
        sec = {"rf": 0.0, "hgb": 0.0}
        fits = 0
        for r, tests in enumerate(repeats):
            for test in tests:
                test = np.array(test)
                train = np.setdiff1d(np.arange(n), test)
                xtr, xte = encode(columns, train, test)
                for key, model in (("rf", RandomForestClassifier(n_estimators=100, n_jobs=os.cpu_count(), random_state=r)),
                                   ("hgb", HistGradientBoostingClassifier(max_iter=100, random_state=r))):
                    t0 = time.perf_counter()
                    model.fit(xtr, y[train])
                    p = model.predict(xte)
                    sec[key] += time.perf_counter() - t0
                    acc[key].append(float(np.mean(p == y[test])))
                fits += 1
        print(f"{name:20s} {100 * np.mean(acc['rf']):6.2f}% {100 * np.mean(acc['hgb']):6.2f}%   {sec['rf'] / fits:.3f} / {sec['hgb'] / fits:.3f}")
        for k in totals:
            totals[k].append(np.mean(acc[k]))
            seconds[k] += sec[k]
    print(f"RESULT sklearn rf={100 * np.mean(totals['rf']):.2f} hgb={100 * np.mean(totals['hgb']):.2f} "
          f"rf-seconds={seconds['rf']:.2f} hgb-seconds={seconds['hgb']:.2f}")


if __name__ == "__main__":
    main()
