"""The class dashboard and a student's page open in a real (headless) browser and show their
plots: a screenshot must contain the histogram's blue and the pass-rate bars' green."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from grader.classroom import gradebook
from tests.test_gradebook import ROWS

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="needs Chromium (apt install chromium)")


def _screenshot(page: Path, png: Path) -> np.ndarray:
    assert BROWSER is not None
    subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={png.parent / 'profile'}", "--window-size=1200,1400",
                    f"--screenshot={png}", page.as_uri()], capture_output=True, timeout=120, check=True)
    import matplotlib.image

    return np.asarray(matplotlib.image.imread(png))[..., :3] * 255


def _has_colour(image: np.ndarray, rgb: tuple[int, int, int], at_least: int = 500) -> bool:
    close = (np.abs(image - np.array(rgb)) < 25).all(axis=-1)
    return int(close.sum()) >= at_least


def test_the_dashboard_shows_its_plots(tmp_path: Path) -> None:
    page = gradebook.write_dashboard(ROWS, tmp_path, "Titanic", "es", {})
    image = _screenshot(page, tmp_path / "dashboard.png")
    assert _has_colour(image, (0x3B, 0x6F, 0xB6))  # score histogram
    assert _has_colour(image, (0x17, 0x70, 0x3A))  # pass-rate bars


def test_a_student_page_shows_its_plot(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    (tmp_path / "figures").mkdir()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.imshow([[1, 0], [0, 1]], cmap="Reds")
    fig.savefig(tmp_path / "figures" / "a.png")
    plt.close(fig)
    page = gradebook.write_student_html(ROWS[1][1], tmp_path)
    image = _screenshot(page, tmp_path / "student.png")
    assert _has_colour(image, (0x67, 0x00, 0x0D), at_least=200)  # the darkest red of the embedded plot
