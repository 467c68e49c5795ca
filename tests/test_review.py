"""Review and overrides (grader.classroom.overrides, grader.classroom.review): a person's points and
comment per check, kept with who/when/why, applied by a rescore that runs no notebook — through the
review page in a real headless Chromium, and through an edited overrides.csv."""

from __future__ import annotations

import csv
import json
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from grader.classroom import overrides
from grader.classroom.store import Store

ROOT = Path(__file__).resolve().parents[1]
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.kernel, pytest.mark.xdist_group("review")]


def _rows(out: Path) -> dict[str, dict[str, str]]:
    return {r["student"]: r for r in csv.DictReader(open(out / "gradebook.csv", encoding="utf-8"))}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three xor notebooks graded once: the reference, a wrong one and one that stops at an error."""
    from grader.cli import main

    root = tmp_path_factory.mktemp("review")
    students = root / "entregas"
    students.mkdir()
    shutil.copy(ROOT / "reference" / "xor.ipynb", students / "ana.ipynb")
    shutil.copy(ROOT / "tests" / "fixtures" / "xor" / "relu_forgotten.ipynb", students / "luis.ipynb")
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell("import numpy as np\nraise RuntimeError('me rendí')")]),
                   students / "eva.ipynb")
    out = root / "out"
    assert main(["grade", "xor", str(students), "--out", str(out), "--workers", "1", "--quiet", "--no-warm"]) == 0
    return out


@pytest.fixture()
def klass(graded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the graded class for one test, where running a notebook is an error."""
    from grader.classroom import batch
    from grader.pipeline import execute

    out = tmp_path / "out"
    shutil.copytree(graded, out)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a notebook was run")

    monkeypatch.setattr(execute, "execute", refuse)
    monkeypatch.setattr(batch, "run", lambda jobs, *a, **k: None if not jobs else refuse())
    return out


def test_overrides_csv_lists_what_needs_a_person(klass: Path) -> None:
    rows = list(csv.DictReader(open(klass / "overrides.csv", encoding="utf-8")))
    assert [(r["student"], r["check"]) for r in rows] == [("eva", "*")]
    assert rows[0]["needs"] not in ("", "ok") and rows[0]["points"] == ""
    assert (klass / "rubric.yaml").is_file()


def test_an_edited_overrides_csv_is_applied_by_rescore_with_its_history(klass: Path) -> None:
    from grader.cli import main

    before = _rows(klass)
    with open(klass / "overrides.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(["luis", "relu_h", "", "", "", "1,5", "Casi: te faltó la ReLU", "", "", ""])
        csv.writer(f).writerow(["nadie", "relu_h", "", "", "", "1", "", "", "", ""])  # not in the class: ignored
    assert main(["rescore", str(klass), "--who", "Ayudante"]) == 0
    after = _rows(klass)
    assert float(after["luis"]["relu_h"]) == 1.5 and float(before["luis"]["relu_h"]) == 0.0
    assert float(after["luis"]["score"]) == pytest.approx(float(before["luis"]["score"]) + 1.5)
    assert after["ana"]["score"] == before["ana"]["score"]
    report = json.loads((klass / "luis" / "report.json").read_text(encoding="utf-8"))
    (check,) = [c for c in report["checks"] if c["id"] == "relu_h"]
    assert check["override"]["grader_points"] == 0.0 and check["override"]["who"] == "Ayudante"
    assert "Casi: te faltó la ReLU" in (klass / "luis" / "report.md").read_text(encoding="utf-8")
    assert "Casi: te faltó la ReLU" in (klass / "luis" / "report.html").read_text(encoding="utf-8")
    # the same file again adds nothing; the store keeps who, when and why
    assert main(["rescore", str(klass)]) == 0
    store = Store(klass / "results.sqlite")
    try:
        (o,) = overrides.history(store, "xor", "luis", report["submission_sha256"])
    finally:
        store.close()
    assert (o.check, o.points, o.who, o.why) == ("relu_h", 1.5, "Ayudante", "overrides.csv") and o.at
    row = next(r for r in csv.DictReader(open(klass / "overrides.csv", encoding="utf-8")) if r["student"] == "luis")
    assert (row["points"], row["grader_points"]) == ("1.5", "0.0")


@pytest.fixture()
def server(klass: Path) -> Iterator[tuple[str, Any]]:
    from grader.classroom.review import Review, make_server

    review = Review(klass, "es", who="Prof. Ruiz")
    httpd = make_server(review, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", review
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_form_without_the_runs_token_is_refused(server: tuple[str, Any], klass: Path) -> None:
    url, _ = server
    data = b"student=eva&check=%2A&points=10&token=wrong"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url + "override", data=data), timeout=30)
    assert refused.value.code == 403
    assert _rows(klass)["eva"]["score"] == "0.0"


@pytest.mark.skipif(BROWSER is None or DRIVER is None, reason="needs chromium and chromium-driver (apt)")
def test_the_review_page_in_a_browser_changes_the_gradebook(server: tuple[str, Any], klass: Path,
                                                            tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = server
    options = webdriver.ChromeOptions()
    options.binary_location = str(BROWSER)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1600",
                f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    try:
        browser.get(url)
        items = browser.find_elements(By.CSS_SELECTOR, ".item")
        assert len(items) == 1 and "me rendí" in items[0].text  # eva's failing cell, and nobody else's
        form = items[0].find_element(By.TAG_NAME, "form")
        form.find_element(By.NAME, "points").send_keys("3")
        form.find_element(By.NAME, "comment").send_keys("Se ve el trabajo; el error es de la última celda")
        form.find_element(By.NAME, "why").send_keys("revisión manual")
        form.find_element(By.TAG_NAME, "button").click()
        WebDriverWait(browser, 120).until(expected_conditions.presence_of_element_located((By.ID, "saved")))
        assert "3" in browser.find_element(By.ID, "saved").text
        assert browser.save_screenshot(str(tmp_path / "review.png"))
        assert (tmp_path / "review.png").stat().st_size > 10_000

        # every check is reachable: take a point off ana's model
        browser.get(url + "?all=1")
        item = next(i for i in browser.find_elements(By.CSS_SELECTOR, ".item")
                    if i.get_attribute("id") and i.get_attribute("id").endswith("-params_modelo")
                    and "ana" in i.find_element(By.XPATH, "./..").text.split("\n")[0])
        field = item.find_element(By.NAME, "points")
        field.clear()
        field.send_keys("0")
        item.find_element(By.NAME, "comment").send_keys("copiado del compañero")
        item.find_element(By.TAG_NAME, "button").click()
        WebDriverWait(browser, 120).until(expected_conditions.presence_of_element_located((By.ID, "saved")))
    finally:
        browser.quit()
    rows = _rows(klass)
    assert rows["eva"]["score"] == "3.0" and rows["eva"]["status"] not in ("", "ok")
    assert float(rows["ana"]["params_modelo"]) == 0.0 and float(rows["ana"]["score"]) < 10
    md = (klass / "eva" / "report.md").read_text(encoding="utf-8")
    assert "Nota fijada por Prof. Ruiz: 3" in md
    assert "copiado del compañero" in (klass / "ana" / "report.md").read_text(encoding="utf-8")
    assert {r["student"]: r["who"] for r in csv.DictReader(open(klass / "overrides.csv", encoding="utf-8"))} == {
        "eva": "Prof. Ruiz", "ana": "Prof. Ruiz"}
