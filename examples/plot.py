#!/usr/bin/python3
"""Turns the CSV log of an example into PNG curves.

    examples/plot.py fashion_mnist.csv                 # -> fashion_mnist.png
    examples/plot.py activations.csv -o curves.png
    examples/plot.py xor.csv polynomial.csv            # one PNG per CSV

Conventions of the examples' CSVs (examples/common/csv.hpp):
  - optional text columns first: "panel" (one subplot per value) and "run" (one line per value);
  - the x axis is the first of the columns epoch, step, x, index, depth, layer (else the row number);
  - without a "panel" column the other numeric columns are grouped into subplots by name: losses
    ("loss"), accuracies ("acc"), derivatives ("d_..."), norms ("norm"), everything else;
  - losses and norms that span more than two decades get a log scale.
Needs matplotlib (Debian: python3-matplotlib); exits 77 without it, so ctest reports a skip.
"""

import argparse
import csv
import math
import os
import sys

X_COLUMNS = ("epoch", "step", "x", "index", "depth", "layer")
IGNORED = ("seconds",)
LINE_STYLES = ("-", "--", ":", "-.")
KIND_ORDER = ("loss", "accuracy", "value", "derivative", "norm")
KIND_TITLES = {
    "loss": "loss",
    "accuracy": "accuracy",
    "value": "value",
    "derivative": "derivative",
    "norm": "norm",
}


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{path}: no data rows")
    columns = list(rows[0].keys())
    numeric = [c for c in columns if all(number(r[c]) is not None for r in rows)]
    return rows, columns, numeric


def kind_of(column):
    name = column.lower()
    if "loss" in name:
        return "loss"
    if "acc" in name:
        return "accuracy"
    if name.startswith("d_"):
        return "derivative"
    if "norm" in name:
        return "norm"
    return "value"


def style_of(run, run_index, column_index):
    """One colour per run and one line style per column (train solid, test dashed, ...); without
    runs, one colour per column."""
    if run is None:
        return f"C{column_index % 10}", "-"
    return f"C{run_index % 10}", LINE_STYLES[column_index % len(LINE_STYLES)]


def wants_log(values):
    positive = [v for v in values if v is not None and not math.isnan(v)]
    return bool(positive) and min(positive) > 0 and max(positive) / min(positive) > 100


def plot(path, output, plt):
    rows, columns, numeric = read(path)
    x_column = next((c for c in X_COLUMNS if c in numeric), None)
    has_panel = "panel" in columns and "panel" not in numeric
    has_run = "run" in columns and "run" not in numeric
    y_columns = [c for c in numeric if c != x_column and c not in IGNORED]
    if not y_columns:
        raise ValueError(f"{path}: no numeric column to plot")

    def xs(selected):
        if x_column:
            return [float(r[x_column]) for r in selected]
        return list(range(len(selected)))

    # panels: (title, [(label, rows, column)], kind)
    panels = []
    runs = list(dict.fromkeys(r["run"] for r in rows)) if has_run else [None]
    if has_panel:
        for panel in dict.fromkeys(r["panel"] for r in rows):
            lines = []
            for run_index, run in enumerate(runs):
                selected = [r for r in rows if r["panel"] == panel and (run is None or r["run"] == run)]
                if not selected:
                    continue
                for column_index, column in enumerate(y_columns):
                    label = run if len(y_columns) == 1 else f"{run or ''} {column}".strip()
                    lines.append((label, selected, column, style_of(run, run_index, column_index)))
            panels.append((panel, lines, kind_of(y_columns[0])))
    else:
        for kind in KIND_ORDER:
            kind_columns = [c for c in y_columns if kind_of(c) == kind]
            if not kind_columns:
                continue
            lines = []
            for run_index, run in enumerate(runs):
                selected = [r for r in rows if run is None or r["run"] == run]
                for column_index, column in enumerate(kind_columns):
                    label = column if run is None else (run if len(kind_columns) == 1 else f"{run} {column}")
                    lines.append((label, selected, column, style_of(run, run_index, column_index)))
            panels.append((KIND_TITLES[kind], lines, kind))

    count = len(panels)
    columns_per_row = min(count, 3)
    grid_rows = (count + columns_per_row - 1) // columns_per_row
    figure, axes = plt.subplots(grid_rows, columns_per_row, figsize=(6 * columns_per_row, 4.2 * grid_rows),
                                squeeze=False)
    for axis in axes.flat[count:]:
        axis.set_visible(False)
    for axis, (title, lines, kind) in zip(axes.flat, panels):
        values = []
        for label, selected, column, (color, linestyle) in lines:
            ys = [number(r[column]) for r in selected]
            values += ys
            marker = "o" if len(selected) <= 30 else None
            axis.plot(xs(selected), ys, color=color, linestyle=linestyle, marker=marker, label=label,
                      markersize=3, linewidth=1.2)
        if kind in ("loss", "norm") and wants_log(values):
            axis.set_yscale("log")
        axis.set_title(title, fontsize=10)
        axis.set_xlabel(x_column or "row")
        axis.grid(True, alpha=0.3)
        if len(lines) > 1 or (lines and lines[0][0]):
            axis.legend(fontsize=8)
    figure.suptitle(os.path.basename(path))
    figure.tight_layout()
    figure.savefig(output, dpi=100)
    plt.close(figure)
    print(f"{path} -> {output}")


def main():
    parser = argparse.ArgumentParser(description="Plot the CSV log of a tinymlp example as PNG curves.")
    parser.add_argument("csv", nargs="+", help="CSV log(s) written by an example")
    parser.add_argument("-o", "--output", help="PNG file (only with one CSV; default: the CSV's name with .png)")
    args = parser.parse_args()
    if args.output and len(args.csv) > 1:
        parser.error("-o needs exactly one CSV")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (Debian: apt-get install python3-matplotlib): skipped")
        return 77
    for path in args.csv:
        output = args.output or os.path.splitext(path)[0] + ".png"
        try:
            plot(path, output, plt)
        except (OSError, ValueError, KeyError) as error:
            print(f"plot.py: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
