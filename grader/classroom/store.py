"""The results store: every finished grading, in SQLite, keyed by what decides its result.

A result's key is the SHA-256 of the submission's bytes, the exercise (spec and rubric
contents, profile), the grader version, the seed, the language and the device. Grading the
same thing again finds it here and is skipped; a batch killed half-way (even with ``kill -9``)
keeps every result committed before, because each is committed as it finishes. SQLite in
WAL mode with a busy timeout lets several ``grader grade`` runs write one store at once, and
``claims`` keeps them from grading one submission twice: a run claims what it is about to grade,
renews its claims while it runs, and another run waits for those results instead; a claim of a
run that was killed (its process is gone, or it stopped renewing) is taken over.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

from grader import __version__
from grader.views.safetext import json_safe, visible

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    exercise TEXT NOT NULL,
    student TEXT NOT NULL,
    submission TEXT NOT NULL,
    submission_sha256 TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL,
    seconds REAL,
    report TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS results_exercise ON results (exercise, student);
CREATE TABLE IF NOT EXISTS evidence (
    run_key TEXT PRIMARY KEY,
    submission_sha256 TEXT NOT NULL,
    data TEXT NOT NULL,
    seconds REAL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    beat REAL NOT NULL
);
"""
# a claim whose owner has not said it is alive for this long is taken over (its grader was killed)
STALE_S = 120.0


def file_sha256(path: Path) -> str:
    from grader.data.datasets import sha256

    return sha256(path)


def exercise_fingerprint(spec_file: Path, rubric_file: Path | None, profile: str | None) -> str:
    digest = hashlib.sha256()
    for path in (spec_file, rubric_file):
        digest.update(path.read_bytes() if path is not None and path.is_file() else b"-")
    digest.update(str(profile or "full").encode())
    return digest.hexdigest()[:24]


def spec_fingerprint(spec_file: Path, profile: str | None) -> str:
    """The exercise as far as running and checking go: the spec and the profile (no rubric)."""
    return exercise_fingerprint(spec_file, None, profile)


def run_key(submission_sha: str, spec_fp: str, *, seed: int, device: str) -> str:
    """What decides a grading's evidence (``grader.pipeline.rescore``): the bytes handed in, the
    spec (``spec_fingerprint``), the grader's version, the seed and the device; not the rubric
    nor the language, which a rescore applies."""
    parts = ["run", submission_sha, spec_fp, __version__, str(seed), device]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def result_key(submission_sha: str, exercise_fp: str, *, seed: int, lang: str, device: str) -> str:
    """What decides a result: the bytes handed in, the exercise (``exercise_fingerprint``), the
    grader's version, the seed, the feedback language and the device asked for."""
    parts = [submission_sha, exercise_fp, __version__, str(seed), lang, device]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=60000")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def get(self, key: str) -> tuple[dict[str, Any], float] | None:
        """(report, seconds it took to grade) or None."""
        row = self.db.execute("SELECT report, seconds FROM results WHERE key = ?", (key,)).fetchone()
        return (json.loads(row[0]), float(row[1] or 0)) if row else None

    def keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"SELECT key FROM results WHERE key IN ({marks})", chunk))
        return found

    def put(self, key: str, student: str, submission: Path, report: dict[str, Any], seconds: float,
            run: str | None = None) -> None:
        """Commit one result now (a crash after this loses nothing of it); the evidence the
        report carries (``report["evidence"]``) goes to its own table under ``run``."""
        evidence = report.get("evidence")
        report = {k: v for k, v in report.items() if k != "evidence"}
        if run is not None and evidence is not None:
            self.db.execute("INSERT OR REPLACE INTO evidence VALUES (?,?,?,?,?)",
                            (run, report.get("submission_sha256") or "",
                             json_safe(json.dumps(evidence, ensure_ascii=False, default=str)), seconds, time.time()))
        self.db.execute("DELETE FROM claims WHERE key = ?", (key,))
        self.db.execute(
            "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (key, report["exercise"], visible(student), visible(str(submission)), report.get("submission_sha256") or "",
             float(report["score"]), float(report["max_score"]), report["execution"]["status"], seconds,
             json_safe(json.dumps(report, ensure_ascii=False, default=str)), time.time()))

    def evidence(self, run: str) -> tuple[dict[str, Any], float] | None:
        """(evidence, seconds the grading took) of a run, or None."""
        row = self.db.execute("SELECT data, seconds FROM evidence WHERE run_key = ?", (run,)).fetchone()
        return (json.loads(row[0]), float(row[1] or 0)) if row else None

    def count(self, exercise: str | None = None) -> int:
        if exercise is None:
            return int(self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
        return int(self.db.execute("SELECT COUNT(*) FROM results WHERE exercise = ?", (exercise,)).fetchone()[0])

    # ------------------------------------------------------------------ claims (several runs, one store)
    def claim(self, keys: list[str], owner: str) -> set[str]:
        """Claim ``keys`` for ``owner``: the ones it may grade (unclaimed, its own, or claimed by a
        run that is gone). Results already stored are not claimed."""
        mine: set[str] = set()
        host, now = socket.gethostname(), time.time()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            done = self.keys(keys)
            for key in keys:
                if key in done:
                    continue
                row = self.db.execute("SELECT owner, host, pid, beat FROM claims WHERE key = ?", (key,)).fetchone()
                if row is None or row[0] == owner or _gone(row[1], int(row[2]), float(row[3]), now):
                    self.db.execute("INSERT OR REPLACE INTO claims VALUES (?,?,?,?,?)",
                                    (key, owner, host, os.getpid(), now))
                    mine.add(key)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return mine

    def claimant(self, key: str) -> tuple[str, str, int] | None:
        """(owner, host, pid) of a live claim on ``key``, or None."""
        row = self.db.execute("SELECT owner, host, pid, beat FROM claims WHERE key = ?", (key,)).fetchone()
        if row is None or _gone(row[1], int(row[2]), float(row[3]), time.time()):
            return None
        return str(row[0]), str(row[1]), int(row[2])

    def renew(self, owner: str) -> None:
        self.db.execute("UPDATE claims SET beat = ? WHERE owner = ?", (time.time(), owner))

    def release(self, owner: str) -> None:
        self.db.execute("DELETE FROM claims WHERE owner = ?", (owner,))


def _gone(host: str, pid: int, beat: float, now: float) -> bool:
    """Whether a claim's run is over: silent for ``STALE_S``, or a process of this machine that
    no longer exists."""
    if now - beat > STALE_S:
        return True
    if host == socket.gethostname():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False
