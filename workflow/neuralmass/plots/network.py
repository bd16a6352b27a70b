"""Space-time figure of a network run."""

from matplotlib.figure import Figure

from neuralmass.io import atomic_path

WINDOW_MS = 100.0  # the study's space-time plots show 100 ms
TRACE_MS = 1000.0  # traces below: long enough to see slow modulations


def plot_space_time(
    times_ms, observable, labels, path, title, name, window_ms=WINDOW_MS,
    trace_ms=TRACE_MS,
) -> None:  # fmt: skip
    """Observable of every node (rows, matrix order) over the last window_ms.

    Below it, the traces of the network mean and of two nodes over the last
    trace_ms.
    """
    figure = Figure(figsize=(7.5, 6.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=(2, 1))
    last = times_ms >= times_ms[-1] - window_ms
    image = top.imshow(
        observable[last].T,
        aspect="auto",
        origin="lower",
        cmap="viridis",
        extent=(times_ms[last][0], times_ms[last][-1], -0.5, observable.shape[1] - 0.5),
        interpolation="nearest",
    )
    figure.colorbar(image, ax=top, label=name)
    top.set_ylabel("node (matrix order)")
    top.set_xlabel("time (ms)")
    top.set_title(title)

    trace = times_ms >= times_ms[-1] - trace_ms
    bottom.plot(times_ms[trace], observable[trace].mean(axis=1), color="k", lw=1,
                label="network mean")  # fmt: skip
    for j in (0, observable.shape[1] // 2):
        bottom.plot(times_ms[trace], observable[trace, j], lw=0.6, alpha=0.7,
                    label=labels[j])  # fmt: skip
    bottom.set_xlabel("time (ms)")
    bottom.set_ylabel(name)
    bottom.legend(fontsize=7, ncol=3, loc="upper right")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=110)
