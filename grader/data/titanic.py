"""Titanic for the grader: titanic3.csv downloaded, Kaggle's train/test split found or fetched
with the ``kaggle`` command, and the hidden test labels derived from titanic3 (Kaggle publishes
none), each step verified."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.data import datasets
from grader.data.datasets import Dataset, DatasetCorrupt
from grader.data.download import (
    KAGGLE_TITANIC,
    FetchFailed,
    Log,
    ensure,
    is_valid,
    make_folder,
    registry_file,
    temporary_sibling,
)

if TYPE_CHECKING:
    import pandas as pd

_TITANIC3_COLUMNS = ("survived", "name", "sex", "age", "ticket", "fare")
_TEST_COLUMNS = ("PassengerId", "Name", "Sex", "Age", "Ticket", "Fare")


def fetch_titanic(ds: Dataset, dest: Path, force: bool, log: Log) -> Path:
    """titanic3.csv downloaded, Kaggle's split found or fetched, test labels derived.

    Kaggle's train.csv/test.csv are only ever taken from the folder or the ``kaggle`` command:
    present ones are used as they are (``force`` does not replace them, as they may have been
    copied in by hand and cannot be downloaded again without an account).
    """
    layout = ds.layouts[0]
    folder = make_folder(dest / layout.folder)
    titanic3 = ensure(registry_file(ds, "titanic3.csv"), folder, ds, layout, force=force,
                                log=log, valid=_titanic3_ok)
    split = ("train.csv", "test.csv")
    if all((folder / n).is_file() for n in split):
        log(f"train.csv, test.csv: found in {folder}, used as they are")
    else:
        _kaggle_download(folder, log)
    for n in split:
        known = registry_file(ds, n).sha256
        if known and datasets.sha256(folder / n) != known:
            raise DatasetCorrupt(
                f"{folder / n}: not Kaggle's Titanic {n} (its SHA-256 differs from the published "
                f"one), so the test labels cannot be derived for it. Fix: download {n} again "
                f"from {KAGGLE_TITANIC} into {folder}.")
    labels_file = registry_file(ds, "test_labels.csv")
    labels = folder / labels_file.name
    if labels.is_file() and not force and is_valid(labels, labels_file, None):
        log(f"test_labels.csv: already in {folder} and valid, skipped; --force derives it again")
        return folder
    derived = derive_titanic_labels(folder / "test.csv", titanic3)
    with temporary_sibling(labels) as (tmp, f):
        f.write(derived.to_csv(index=False, lineterminator="\n").encode())
        f.close()
        if labels_file.sha256 and datasets.sha256(tmp) != labels_file.sha256:
            raise DatasetCorrupt(
                f"the test labels derived from {titanic3} differ from the published "
                f"test_labels.csv (its SHA-256), so none were saved in {folder}. titanic3.csv "
                f"has probably changed upstream. Fix: get the course's test_labels.csv from "
                f"your instructor and copy it into {folder}.")
        os.replace(tmp, labels)
    log(f"test_labels.csv: derived for {len(derived)} test passengers from titanic3.csv "
        f"into {folder}")
    return folder


def _titanic3_ok(path: Path) -> bool:
    """titanic3.csv has no published checksum: check that it is that table, at least."""
    import pandas as pd

    try:
        head = pd.read_csv(path, nrows=5)
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return all(c in head.columns for c in _TITANIC3_COLUMNS)


def _kaggle_download(folder: Path, log: Log) -> None:
    """Kaggle's train.csv and test.csv via the ``kaggle`` command, or FetchFailed saying how
    to get them by hand."""
    kaggle = shutil.which("kaggle")
    if kaggle is None:
        raise FetchFailed.kaggle(folder, "the `kaggle` command is not installed")
    cmd = [kaggle, "competitions", "download", "-c", "titanic", "-p", str(folder)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FetchFailed.kaggle(folder, f"`{' '.join(cmd)}` failed ({exc})") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise FetchFailed.kaggle(
            folder, f"`{' '.join(cmd)}` failed (exit {done.returncode}: {' / '.join(said)})")
    archive = folder / "titanic.zip"
    if archive.is_file():
        try:
            with zipfile.ZipFile(archive) as zf:
                for n in ("train.csv", "test.csv"):
                    with temporary_sibling(folder / n) as (tmp, out):
                        out.write(zf.read(n))
                        out.close()
                        os.replace(tmp, folder / n)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise FetchFailed.kaggle(folder, f"Kaggle's titanic.zip was unusable ({exc})") from None
        archive.unlink()
    missing = [n for n in ("train.csv", "test.csv") if not (folder / n).is_file()]
    if missing:
        raise FetchFailed.kaggle(folder, f"the kaggle command did not produce {', '.join(missing)}")
    log(f"train.csv, test.csv: downloaded from Kaggle with `{' '.join(cmd[1:])}` into {folder}")


def _normal_name(name: object) -> str:
    """Names as both tables spell them: lower-case, no punctuation or quotes, single spaces."""
    return " ".join(re.sub(r"[^\w\s]", " ", str(name).lower()).split())


def derive_titanic_labels(test_csv: Path, titanic3_csv: Path) -> pd.DataFrame:
    """``PassengerId, Survived`` for Kaggle's test passengers, looked up in titanic3.

    Kaggle's test split is a subset of titanic3's 1,309 passengers without the outcome. Each
    test passenger is matched by normalised name; where several titanic3 rows share that name
    (e.g. two "Kelly, Mr. James"), ticket, sex, fare (to the cent) and age narrow them down, a
    field that would rule out every candidate being skipped (a typo in one table). Labels are
    only trusted if the match is one-to-one: a passenger with no or several candidates, or a
    titanic3 row claimed by two passengers, raises DatasetCorrupt naming them.
    """
    import pandas as pd

    test = _read_table(Path(test_csv), _TEST_COLUMNS, {"Ticket": str})
    t3 = _read_table(Path(titanic3_csv), _TITANIC3_COLUMNS, {"ticket": str})
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(t3["name"]):
        by_name.setdefault(_normal_name(name), []).append(i)

    def same_float(a: Any, b: Any, places: int) -> bool:
        if pd.isna(a) or pd.isna(b):
            return bool(pd.isna(a) and pd.isna(b))
        return round(float(a), places) == round(float(b), places)

    keys: list[tuple[str, str, Callable[[Any, Any], bool]]] = [
        ("Ticket", "ticket", lambda a, b: str(a).strip() == str(b).strip()),
        ("Sex", "sex", lambda a, b: str(a).strip().lower() == str(b).strip().lower()),
        ("Fare", "fare", lambda a, b: same_float(a, b, 2)),
        ("Age", "age", lambda a, b: same_float(a, b, 1)),
    ]
    t3_rows = t3.to_dict("records")
    matched: list[int] = []  # per test passenger: its titanic3 row, or -1
    unmatched: list[str] = []
    ambiguous: list[str] = []
    for passenger in test.to_dict("records"):
        who = f"{passenger['PassengerId']} ({passenger['Name']})"
        candidates = by_name.get(_normal_name(passenger["Name"]), [])
        for ours, theirs, same in keys:
            if len(candidates) <= 1:
                break
            narrowed = [i for i in candidates if same(passenger[ours], t3_rows[i][theirs])]
            candidates = narrowed or candidates
        if not candidates:
            unmatched.append(who)
        elif len(candidates) > 1:
            ambiguous.append(f"{who}: titanic3 lines {', '.join(str(i + 2) for i in candidates)}")
        matched.append(candidates[0] if len(candidates) == 1 else -1)
    problems = _match_problems(test, matched, unmatched, ambiguous)
    if problems:
        raise DatasetCorrupt(
            f"cannot derive Titanic's test labels: {Path(test_csv)} does not match "
            f"{Path(titanic3_csv)} one-to-one.\n{problems}\n"
            f"Fix: use Kaggle's test.csv ({KAGGLE_TITANIC}) and titanic3.csv from "
            f"{registry_file(datasets.get('titanic'), 'titanic3.csv').url} (run `grader data fetch "
            f"titanic --force`), or copy the course's test_labels.csv into {Path(test_csv).parent}.")
    survived = t3["survived"].iloc[matched]
    if not survived.isin([0, 1]).all():
        bad = test["PassengerId"][~survived.isin([0, 1]).to_numpy()].tolist()
        raise DatasetCorrupt(f"{Path(titanic3_csv)}: 'survived' is not 0 or 1 for the rows "
                             f"matched to test passengers {', '.join(map(str, bad[:10]))}; "
                             f"download it again with `grader data fetch titanic --force`.")
    return pd.DataFrame({"PassengerId": test["PassengerId"].astype("int64").to_numpy(),
                         "Survived": survived.astype("int64").to_numpy()})


def _match_problems(test: pd.DataFrame, matched: list[int], unmatched: list[str],
                    ambiguous: list[str]) -> str:
    """The reasons a match is not one-to-one, as indented lines (empty when it is)."""
    lines: list[str] = []

    def some(items: list[str]) -> str:
        more = f"; and {len(items) - 10} more" if len(items) > 10 else ""
        return "; ".join(items[:10]) + more

    if unmatched:
        lines.append(f"  no titanic3.csv row has the name of {some(unmatched)}")
    if ambiguous:
        lines.append(f"  several titanic3 rows fit: {some(ambiguous)}")
    claims: dict[int, list[str]] = {}
    for row, passenger in zip(matched, test.to_dict("records")):
        if row >= 0:
            claims.setdefault(row, []).append(f"{passenger['PassengerId']} ({passenger['Name']})")
    shared = [f"titanic3.csv line {row + 2} by {' and '.join(who)}"
              for row, who in claims.items() if len(who) > 1]
    if shared:
        lines.append(f"  one titanic3 row matched twice: {some(shared)}")
    return "\n".join(lines)


def _read_table(path: Path, columns: tuple[str, ...], dtype: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    try:
        table = pd.read_csv(path, dtype=dtype)
    except FileNotFoundError:
        raise DatasetCorrupt(f"{path}: file not found") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DatasetCorrupt(f"{path}: not a readable CSV table ({exc})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DatasetCorrupt(f"{path}: columns {', '.join(missing)} are missing (has "
                             f"{', '.join(map(str, table.columns))}); is this the right file?")
    return table

