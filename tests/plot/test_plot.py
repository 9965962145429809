#!/usr/bin/python3
"""examples/plot.py on a small CSV of each kind the examples write.

Usage: /usr/bin/python3 tests/plot/test_plot.py      (exit 0 pass, 1 fail, 77 without matplotlib)

For each CSV: the command line writes a PNG; then the figure itself (captured before it is saved)
is checked for what a reader needs at a glance:
  - test columns are dashed and validation columns dash-dot, train columns solid;
  - no legend covers a subplot (a long legend goes beside the subplots), and with runs each run is
    named once, not once per column;
  - every x axis says what it is (epoch, training step, layer, k, ...), never "index" or "row";
  - a parameter table becomes one bar per parameter.
"""
import csv
import importlib.util
import os
import subprocess
import sys
import tempfile

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
except ImportError:
    print("test_plot: matplotlib is not installed: skipped")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
PLOT = os.path.normpath(os.path.join(HERE, "..", "..", "examples", "plot.py"))
spec = importlib.util.spec_from_file_location("plot", PLOT)
plot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plot)

# A legend with more entries than this must not sit over a subplot.
MAX_LEGEND_INSIDE = 4

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: %s" % what)
    return condition


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


class Capture:
    """pyplot as plot.plot() uses it, keeping the figure it closes."""

    def __init__(self):
        self.figures = []

    def subplots(self, *args, **kwargs):
        figure, axes = pyplot.subplots(*args, **kwargs)
        self.figures.append(figure)
        return figure, axes

    def close(self, figure):
        pass


def overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def legends_of(figure):
    found = list(figure.legends)
    for axis in figure.axes:
        if axis.get_legend() is not None:
            found.append(axis.get_legend())
    return found


def main():
    with tempfile.TemporaryDirectory(prefix="tinymlp_plot_") as tmp:
        def path(name):
            return os.path.join(tmp, name)

        # Curves without runs (fashion_mnist.csv): train / test loss and accuracy per epoch.
        write(path("curves.csv"), ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds"],
              [[e, 1.0 / e, 0.5 + 0.04 * e, 1.1 / e, 0.5 + 0.03 * e, 0.1 * e] for e in range(1, 11)])
        # Runs (model_selection.csv): 7 runs x train / validation, 14 curves per panel.
        runs = ["cv_width%d_wd%s" % (w, d) for w in (8, 32, 128) for d in ("0", "0.001")] + ["early_stopping"]
        write(path("runs.csv"), ["run", "epoch", "train_loss", "val_loss", "val_acc"],
              [[run, e, 2.0 / (e + i), 2.1 / (e + i), 1 - 1.0 / (e + i + 1)]
               for i, run in enumerate(runs) for e in range(1, 31)])
        # Panels with runs (gradients.csv): the x axis is named in each panel's title.
        write(path("panels.csv"), ["panel", "run", "index", "norm"],
              [["vanishing (x: layer, 1 = input side)", run, k, 10.0 ** (k - 8) if run == "sigmoid" else 1]
               for run in ("sigmoid", "relu") for k in range(1, 12)] +
              [["exploding (x: k)", "product", k, 2.0 ** k] for k in range(2, 40)])
        # Steps (xor.csv).
        write(path("steps.csv"), ["step", "linear_loss", "mlp_loss", "linear_acc", "mlp_acc"],
              [[s, 0.69, 0.7 / (1 + s), 0.5, min(1.0, 0.5 + s / 100)] for s in range(0, 200, 10)])
        # A parameter table (case_model.csv).
        write(path("table.csv"), ["layer", "kind", "row", "column", "value"],
              [[0, "W", r, c, 0.1 * (r - c)] for r in range(3) for c in range(3)] +
              [[0, "b", 0, c, 0.0] for c in range(3)] + [[2, "W", r, 0, 0.5] for r in range(3)])

        names = ["curves", "runs", "panels", "steps", "table"]
        out = subprocess.run([sys.executable, PLOT] + [path(n + ".csv") for n in names],
                             capture_output=True, text=True)
        check(out.returncode == 0, "plot.py exit %d: %s" % (out.returncode, out.stderr))
        for name in names:
            png = path(name + ".png")
            ok = os.path.exists(png) and os.path.getsize(png) > 5000
            if ok:
                with open(png, "rb") as f:
                    ok = f.read(8) == b"\x89PNG\r\n\x1a\n"
            check(ok, "%s.png was not written as a PNG" % name)

        figures = {}
        for name in names:
            capture = Capture()
            plot.plot(path(name + ".csv"), path(name + "_again.png"), capture)
            check(len(capture.figures) == 1, "%s: %d figures" % (name, len(capture.figures)))
            figures[name] = capture.figures[-1]

        # Line styles by role.
        for name in ("curves", "runs"):
            for axis in figures[name].axes:
                for line in axis.get_lines():
                    label = line.get_label()
                    style = line.get_linestyle()
                    if "test" in label:
                        check(style == "--", "%s: %r is drawn %r, not dashed" % (name, label, style))
                    elif "val" in label:
                        check(style == "-.", "%s: %r is drawn %r, not dash-dot" % (name, label, style))
                    elif "train" in label:
                        check(style == "-", "%s: %r is drawn %r, not solid" % (name, label, style))

        # Legends: none over a subplot; with runs, each run named once.
        for name, figure in figures.items():
            figure.canvas.draw()
            renderer = figure.canvas.get_renderer()
            boxes = [axis.get_window_extent(renderer) for axis in figure.axes if axis.get_visible()]
            for legend in legends_of(figure):
                box = legend.get_window_extent(renderer)
                entries = len(legend.get_texts())
                inside = any(overlaps(box, axis_box) for axis_box in boxes)
                if entries > MAX_LEGEND_INSIDE:
                    check(not inside, "%s: a legend of %d entries covers a subplot" % (name, entries))
        run_legend_entries = sum(len(legend.get_texts()) for legend in legends_of(figures["runs"]))
        check(run_legend_entries <= len(runs) + 3,
              "runs: %d legend entries for %d runs and 2 roles" % (run_legend_entries, len(runs)))

        # x axes.
        expected = {"curves": {"epoch"}, "runs": {"epoch"}, "steps": {"training step"},
                    "panels": {"layer, 1 = input side", "k"}}
        for name, labels in expected.items():
            got = {axis.get_xlabel() for axis in figures[name].axes if axis.get_visible()}
            check(got == labels, "%s: x axes %s, expected %s" % (name, sorted(got), sorted(labels)))
        for name, figure in figures.items():
            for axis in figure.axes:
                if axis.get_visible():
                    check(axis.get_xlabel() not in ("", "index", "row"),
                          "%s: x axis labelled %r" % (name, axis.get_xlabel()))

        # The parameter table: one bar per parameter.
        bars = sum(len(container) for axis in figures["table"].axes for container in axis.containers)
        check(bars == 15, "table: %d bars for 15 parameters" % bars)

        for figure in figures.values():
            pyplot.close(figure)
        print("test_plot: %d CSVs plotted; %d legends checked" % (len(names), sum(len(legends_of(f)) for f in figures.values())))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all plot checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
