"""The benchmarks' line charts (bench/scale.py, bench/jexec.py): one look, matplotlib without a display."""

import os


def line_chart(path, series, title, xlabel, ylabel, xscale=None, annotate_last=False):
    """Write a PNG of wall times against N: series = [(label, xs, ys, style dict for ax.plot), ...]."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for label, xs, ys, style in series:
        line = ax.plot(xs, ys, marker=style.pop("marker", "o"), label=label, **style)[0]
        if annotate_last and xs:
            ax.annotate(f"{ys[-1]:.1f} s", (xs[-1], ys[-1]), textcoords="offset points", xytext=(-6, 7),
                        ha="right", color=line.get_color())  # fmt: skip
    if xscale:
        ax.set_xscale(xscale)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
