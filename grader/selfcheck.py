"""``from grader import check; check()``: the student's self-check, inside the notebook.

The check never runs the student's code in the student's own kernel: it finds the notebook
file (Jupyter and JupyterLab give its path; Colab hands over its current content), runs
``grader check --json`` on it in a separate process — the same engine, sandbox and limits as
``grader grade`` — and shows the public checks as a table with expected (where the rubric's
``reveal`` allows: grader.pipeline.reveal) / found / how to fix.
Inside the grader's own kernel (a notebook being graded that contains this cell) it does
nothing, so a notebook never grades itself recursively.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from grader.messages import words

_TEXT = ("graded", "nopath", "skipped", "check", "result", "points", "expected", "found", "detail",
         "failed")  # the catalog's selfcheck.* texts


def _in_grader_kernel() -> bool:
    return "_dl_grader_kernel" in sys.modules


def find_notebook() -> Path | None:
    """The running notebook's file: Jupyter's session path, IPython's ``__session__``, Colab's
    current notebook (written to a temporary file), else the only notebook here."""
    for name in ("JPY_SESSION_NAME", "__session__"):
        value = os.environ.get(name) or _user_ns().get(name)
        if value and str(value).endswith(".ipynb") and Path(str(value)).is_file():
            return Path(str(value))
    colab = _colab_notebook()
    if colab is not None:
        return colab
    here = [p for p in Path.cwd().glob("*.ipynb") if not p.name.startswith(".")]
    return here[0] if len(here) == 1 else None


def _user_ns() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return dict(shell.user_ns) if shell is not None else {}
    except Exception:
        return {}


def _colab_notebook() -> Path | None:
    if "google.colab" not in sys.modules:
        return None
    try:
        from google.colab import _message  # type: ignore[import-not-found]

        content = _message.blocking_request("get_ipynb", timeout_sec=30)["ipynb"]
    except Exception:
        return None
    path = Path(tempfile.mkdtemp(prefix="dlg-colab-")) / "colab.ipynb"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def check(notebook: str | Path | None = None, *, exercise: str | None = None, quick: bool = True,
          lang: str = "es", show: bool = True, timeout: float = 3600) -> dict[str, Any] | None:
    """Grade the saved notebook with the public checks; show and return the student's report.

    ``quick`` uses the exercise's quick profile (less data, fewer epochs) when it has one."""
    text = words("selfcheck", _TEXT, lang)
    if _in_grader_kernel():
        print(text["skipped"])
        return None
    path = Path(notebook) if notebook is not None else find_notebook()
    if path is None or not path.is_file():
        print(text["nopath"])
        return None
    cmd = [sys.executable, "-m", "grader", "check", str(path), "--json", "--lang", lang]
    if exercise:
        cmd += ["--exercise", exercise]
    if quick:
        cmd.append("--quick")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        why = (done.stderr or done.stdout).strip().splitlines()
        print(text["failed"].format(why=why[-1] if why else f"exit code {done.returncode}"))
        return None
    report["exit_code"] = done.returncode
    if show:
        age = _age(time.time() - path.stat().st_mtime)
        _display(report, text, text["graded"].format(path=path.name, age=age))
    return report


def _age(seconds: float) -> str:
    return f"{int(seconds)} s" if seconds < 120 else f"{int(seconds // 60)} min"


def _display(report: dict[str, Any], text: dict[str, str], header: str) -> None:
    from grader.messages import render

    colours = {"pass": "#17703a", "fail": "#b3261e", "missing": "#8a6d00", "error": "#7a1fa2"}
    hidden = render("word.hidden", lang=report.get("lang", "es"))
    rows = []
    for c in report["checks"]:
        hint = f"<br><i>{html.escape(c['hint'])}</i>" if c.get("hint") else ""
        # a check whose rubric hides the answer (grader.pipeline.reveal) has no expected value here
        expected = hidden if c.get("reveal") not in (None, "always") else _short(c.get("expected"))
        rows.append(
            f"<tr><td><code>{html.escape(c['id'])}</code></td>"
            f"<td style='color:{colours.get(c['status'], '#000')}'>{html.escape(c['status'])}</td>"
            f"<td>{c['points']:g} / {c['max_points']:g}</td>"
            f"<td>{html.escape(expected)}</td><td>{html.escape(_short(c.get('found')))}</td>"
            f"<td>{html.escape(c['message'])}{hint}</td></tr>")
    table = (f"<p><b>{html.escape(report.get('title') or '')}: {report['public_score']:g} / "
             f"{report['public_max_score']:g}</b> — {html.escape(header)}</p>"
             f"<p>{html.escape(report['execution']['message'])}</p>"
             f"<table><tr><th>{text['check']}</th><th>{text['result']}</th><th>{text['points']}</th>"
             f"<th>{text['expected']}</th><th>{text['found']}</th><th>{text['detail']}</th></tr>{''.join(rows)}</table>")
    try:
        from IPython.display import HTML, display

        display(HTML(table))
    except Exception:
        for c in report["checks"]:
            print(f"{c['id']}: {c['status']} ({c['points']:g}/{c['max_points']:g}) {c['message']}")


def _short(value: Any, limit: int = 80) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
