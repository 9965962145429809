#!/usr/bin/python3
"""Turns the CSV log of an example into PNG curves.

    examples/plot.py fashion_mnist.csv                 # -> fashion_mnist.png
    examples/plot.py activations.csv -o curves.png
    examples/plot.py xor.csv polynomial.csv            # one PNG per CSV

Conventions of the examples' CSVs (examples/common/csv.hpp):
  - optional text columns first: "panel" (one subplot per value) and "run" (one line per value);
  - the x axis is the first of the columns epoch, step, lambda, x, index, depth, layer (else the
    row number); a panel title ending in "(x: what)" names that panel's x axis;
  - without a "panel" column the other numeric columns are grouped into subplots by name: losses
    ("loss"), accuracies ("acc"), derivatives ("d_..."), norms ("norm"), everything else;
  - a column's role is in its name: train (solid line), val / validation (dash-dot), test (dashed);
  - losses and norms that span more than two decades get a log scale;
  - a parameter table (columns layer, kind, value: case_model.csv) is drawn as one bar per value.
Runs keep one colour in every subplot and are named once, in a legend beside the subplots; the
line styles of the roles are named there too.
Needs matplotlib (Debian: python3-matplotlib); exits 77 without it, so ctest reports a skip.
"""

import argparse
import csv
import math
import os
import re
import sys

X_COLUMNS = ("epoch", "step", "lambda", "x", "index", "depth", "layer")
X_LABELS = {"step": "training step", "lambda": "lambda (weight decay)", "layer": "layer", "depth": "depth"}
IGNORED = ("seconds",)
# (role, line style, name in the legend), matched against the "_"-separated words of a column
ROLES = (("train", "-", "train"), ("val", "-.", "validation"), ("validation", "-.", "validation"),
         ("test", "--", "test"))
OTHER_STYLES = ("-", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
KIND_ORDER = ("loss", "accuracy", "value", "derivative", "norm")
# Legends with more entries than this go beside the axes instead of over the curves.
MAX_LEGEND_INSIDE = 4


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
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


def role_of(column):
    """(line style, legend name) of a train / validation / test column, else None."""
    words = column.lower().split("_")
    for word, style, name in ROLES:
        if word in words:
            return style, name
    return None


def wants_log(values):
    positive = [v for v in values if v is not None and not math.isnan(v)]
    return bool(positive) and min(positive) > 0 and max(positive) / min(positive) > 100


def split_panel_title(title):
    """("vanishing: ...", "layer, 1 = input side") from "vanishing: ... (x: layer, 1 = input side)"."""
    match = re.match(r"^(.*?)\s*\(x:\s*([^()]*)\)\s*$", title)
    return (match.group(1), match.group(2)) if match else (title, None)


def plot_parameter_table(path, rows, plt):
    """case_model.csv: one bar per parameter, grouped and coloured by layer and kind (W, b, ...)."""
    groups = list(dict.fromkeys((r["layer"], r["kind"]) for r in rows))
    figure, axis = plt.subplots(figsize=(max(6.0, 0.32 * len(rows) + 2), 4.2))
    at = 0
    ticks, tick_labels = [], []
    for index, (layer, kind) in enumerate(groups):
        selected = [r for r in rows if (r["layer"], r["kind"]) == (layer, kind)]
        positions = list(range(at, at + len(selected)))
        axis.bar(positions, [number(r["value"]) for r in selected], color=f"C{index % 10}",
                 label=f"layer {layer} {kind}")
        for position, r in zip(positions, selected):
            ticks.append(position)
            tick_labels.append("[" + ",".join(r[c] for c in ("row", "column") if c in r and r[c] != "") + "]")
        at += len(selected) + 1
    axis.set_xticks(ticks)
    axis.set_xticklabels(tick_labels, rotation=90, fontsize=7)
    axis.set_xlabel("parameter [row, column] of each layer's tensor")
    axis.set_ylabel("value")
    axis.axhline(0, color="black", linewidth=0.6)
    axis.grid(True, axis="y", alpha=0.3)
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    figure.suptitle(os.path.basename(path))
    return figure


def draw(path, plt):
    """The figure of one CSV log."""
    rows, columns, numeric = read(path)
    if {"layer", "kind", "value"} <= set(columns) and "kind" not in numeric:
        return plot_parameter_table(path, rows, plt)
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

    runs = list(dict.fromkeys(r["run"] for r in rows)) if has_run else [None]
    run_colour = {run: f"C{index % 10}" for index, run in enumerate(runs)}

    def style(run, column, column_index):
        """Colour: the run's, or the column's without runs. Line style: the column's role."""
        role = role_of(column)
        linestyle = role[0] if role else OTHER_STYLES[column_index % len(OTHER_STYLES)]
        if run is None:
            return f"C{column_index % 10}", linestyle if role else "-"
        return run_colour[run], linestyle

    # panels: (title, x label, [(label, rows, column, (colour, line style))], kind)
    panels = []
    if has_panel:
        for panel in dict.fromkeys(r["panel"] for r in rows):
            title, x_label = split_panel_title(panel)
            lines = []
            for run in runs:
                selected = [r for r in rows if r["panel"] == panel and (run is None or r["run"] == run)]
                if not selected:
                    continue
                for column_index, column in enumerate(y_columns):
                    label = run if len(y_columns) == 1 else f"{run or ''} {column}".strip()
                    lines.append((label, selected, column, style(run, column, column_index)))
            panels.append((title, x_label, lines, kind_of(y_columns[0])))
    else:
        for kind in KIND_ORDER:
            kind_columns = [c for c in y_columns if kind_of(c) == kind]
            if not kind_columns:
                continue
            lines = []
            for run in runs:
                selected = [r for r in rows if run is None or r["run"] == run]
                for column_index, column in enumerate(kind_columns):
                    label = column if run is None else f"{run} {column}"
                    lines.append((label, selected, column, style(run, column, column_index)))
            panels.append((kind, None, lines, kind))

    # With runs and no panels every subplot shows the same runs: one legend for the figure, beside
    # the subplots, naming each run's colour once and each role's line style once.
    shared_legend = has_run and not has_panel
    count = len(panels)
    columns_per_row = min(count, 3)
    grid_rows = (count + columns_per_row - 1) // columns_per_row
    figure, axes = plt.subplots(grid_rows, columns_per_row, figsize=(6 * columns_per_row, 4.2 * grid_rows),
                                squeeze=False)
    for axis in axes.flat[count:]:
        axis.set_visible(False)
    for axis, (title, x_label, lines, kind) in zip(axes.flat, panels):
        values = []
        for label, selected, column, (colour, linestyle) in lines:
            ys = [number(r[column]) for r in selected]
            values += ys
            marker = "o" if len(selected) <= 12 else None  # a few points: show where they are
            axis.plot(xs(selected), ys, color=colour, linestyle=linestyle, marker=marker, label=label,
                      markersize=3, linewidth=1.4)
        if kind in ("loss", "norm") and wants_log(values):
            axis.set_yscale("log")
        axis.set_title(title, fontsize=10)
        axis.set_xlabel(x_label or X_LABELS.get(x_column, x_column) or "row")
        axis.set_ylabel(kind)
        axis.grid(True, alpha=0.3)
        if shared_legend or not (len(lines) > 1 or (lines and lines[0][0])):
            continue
        if len(lines) > MAX_LEGEND_INSIDE:
            axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
        else:
            axis.legend(fontsize=8)
    figure.suptitle(os.path.basename(path))
    if shared_legend:
        from matplotlib.lines import Line2D
        handles = [Line2D([], [], color=run_colour[run], linewidth=2, label=run) for run in runs]
        roles = list(dict.fromkeys(role_of(c) for c in y_columns if role_of(c)))
        if roles:
            handles.append(Line2D([], [], linestyle="none", label=""))
            handles += [Line2D([], [], color="0.3", linestyle=line, linewidth=1.4, label=name) for line, name in roles]
        figure.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 0.93),
                      borderaxespad=0, title="run" + (" / line" if roles else ""), title_fontsize=8)
    return figure


def plot(path, output, plt):
    figure = draw(path, plt)
    figure.tight_layout()
    # bbox_inches="tight" keeps a legend placed beside the axes inside the image.
    figure.savefig(output, dpi=100, bbox_inches="tight")
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
