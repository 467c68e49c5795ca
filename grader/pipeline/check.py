"""Stage 5 — check: run every check of a spec in a fresh process that never ran student code.

``check()`` hands a request (spec, outcome, artifacts folder) to a child process; the child
loads the spec itself, reads the exported artifacts (models in safe mode, plain data) and
writes the results as JSON. If the child crashes or hangs, every check gets status ``error``
with the reason — the grading of the batch goes on.

The child is fresh for every submission. Importing Keras and its backend costs seconds, so a
**warm checker** (``Zygote``) imports them once, with a clean environment, and then forks one
child per request: each child starts from a process that never saw any student's artifacts,
and is gone when its results are written. Where forking is not available, or the zygote
fails, the request runs in a cold ``python -m grader.pipeline.check`` process instead;
``DLGRADER_FRESH_CHECKER=1`` always does.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from grader.model.outcomes import CheckResult, ExecutionOutcome
from grader.model.spec import ExerciseSpec
from grader.runtime import limits

CHECKER_TIMEOUT = 600
ZYGOTE_START_TIMEOUT = 180
# what the zygote imports before it forks: the check kinds and the libraries they load lazily
WARM_MODULES = ("numpy", "grader.checks", "grader.checks.context", "sklearn.metrics", "keras")


def run_checks(spec: ExerciseSpec, outcome: ExecutionOutcome, artifacts_dir: Path | None,
               data_dir: Path | None = None) -> list[CheckResult]:
    """Run the checks in *this* process (the checker child calls this)."""
    from grader.checks import run_check
    from grader.checks.context import CheckContext

    ctx = CheckContext(spec, outcome, artifacts_dir, data_dir)
    return [run_check(check, ctx) for check in spec.checks]


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "KERAS_BACKEND", "DLGRADER_DATA_DIR",
            "KERAS_HOME", "HOME", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0", CUDA_VISIBLE_DEVICES="-1",
               PYTHONWARNINGS="ignore", MPLBACKEND="Agg")
    return env


def _write_request(folder: Path, spec: ExerciseSpec, outcome: ExecutionOutcome, artifacts_dir: Path | None,
                   data_dir: Path | None) -> tuple[Path, Path]:
    req, res = folder / "request.json", folder / "results.json"
    req.write_text(json.dumps({
        "spec": str(spec.path),
        "profile": spec.profile,
        "outcome": outcome.to_json(),
        "artifacts_dir": str(artifacts_dir) if artifacts_dir else None,
        "data_dir": str(data_dir) if data_dir else None,
    }))
    return req, res


def _cold(req: Path, res: Path, cwd: str, timeout: float) -> str | None:
    """Run one request in a new interpreter; the problem in one line, or None."""
    try:
        done = subprocess.run([sys.executable, "-m", "grader.pipeline.check", str(req), str(res)],
                              cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"the checker ran longer than {timeout:g} s"
    if done.returncode == 0 and res.is_file():
        return None
    return ((done.stderr or done.stdout).strip().splitlines() or [f"exit code {done.returncode}"])[-1]


def check(spec: ExerciseSpec, outcome: ExecutionOutcome, artifacts_dir: Path | None,
          data_dir: Path | None = None, timeout: float = CHECKER_TIMEOUT,
          confinement: dict[str, Any] | None = None) -> list[CheckResult]:
    """Run the checks in a clean child process; never raises for a check failure. What held
    in that process (``confine``) is written into ``confinement`` when one is given."""
    with tempfile.TemporaryDirectory(prefix=f"dlg-check-{os.getpid()}-") as tmp:
        req, res = _write_request(Path(tmp), spec, outcome, artifacts_dir, data_dir)
        zygote = shared_zygote()
        problem = zygote.run(req, res, tmp, timeout) if zygote is not None else Zygote.UNAVAILABLE
        if problem is Zygote.UNAVAILABLE:
            problem = _cold(req, res, tmp, timeout)
        if problem is not None:
            return [CheckResult(id=c.id, kind=c.kind, status="error", message="check.crashed",
                                params={"error": str(problem)[:300]}, public=c.public) for c in spec.checks]
        answer = json.loads(res.read_text())
        if confinement is not None:
            confinement.update(answer.get("confinement") or {})
        return [CheckResult.from_json(r) for r in answer["results"]]


# --------------------------------------------------------------------------- warm checker
class Zygote:
    """A checker process with Keras imported that forks a fresh child for each request.

    Protocol on its stdin/stdout, one JSON object per line: the grader sends
    ``{"request", "results", "cwd"}``; the zygote answers ``{"pid"}`` when the child is forked
    and ``{"pid", "code"}`` when it has exited (``code`` < 0: killed by that signal).
    """

    UNAVAILABLE = object()  # run() could not use the zygote: the caller goes cold

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._ready = False
        self.requests = 0
        self.folder = tempfile.mkdtemp(prefix=f"dlg-zygote-{os.getpid()}-")

    def start(self) -> None:
        """Start importing (returns at once; the first ``run`` waits for the imports)."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._ready = False
        self._proc = subprocess.Popen([sys.executable, "-m", "grader.pipeline.check", "--zygote"], cwd=self.folder,
                                      env=_clean_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _line(self, deadline: float) -> dict[str, Any] | None:
        """The zygote's next message, or None when it died or the deadline passed."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 5.0))
            if not ready:
                if proc.poll() is not None:
                    return None
                continue
            line = proc.stdout.readline()
            if not line:
                return None
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict):
                return msg

    def run(self, req: Path, res: Path, cwd: str, timeout: float) -> str | None | object:
        """Run one request in a forked child: None when it wrote its results, the problem in
        one line when it failed, or ``UNAVAILABLE`` when the zygote itself could not serve."""
        with self._lock:
            self._start()
            proc = self._proc
            assert proc is not None and proc.stdin is not None
            if not self._ready:
                msg = self._line(time.monotonic() + ZYGOTE_START_TIMEOUT)
                if not msg or msg.get("ready") is not True:
                    self._stop()
                    return Zygote.UNAVAILABLE
                self._ready = True
            try:
                proc.stdin.write(json.dumps({"request": str(req), "results": str(res), "cwd": cwd}) + "\n")
                proc.stdin.flush()
            except OSError:
                self._stop()
                return Zygote.UNAVAILABLE
            forked = self._line(time.monotonic() + 30)
            if not forked or "pid" not in forked:
                self._stop()
                return Zygote.UNAVAILABLE
            self.requests += 1
            done = self._line(time.monotonic() + timeout)
            if done is None:  # too slow (or the zygote died): the child goes, the zygote too
                _kill(int(forked["pid"]))
                self._stop()
                return f"the checker ran longer than {timeout:g} s"
            code = int(done.get("code", 1))
            if code == 0 and res.is_file():
                return None
            log = Path(cwd) / "checker.log"
            tail = log.read_text(errors="replace").strip().splitlines() if log.is_file() else []
            if code < 0 and not tail:
                return Zygote.UNAVAILABLE  # killed from outside, nothing to say: try a cold one
            return tail[-1] if tail else f"exit code {code}"

    def _stop(self) -> None:
        proc, self._proc, self._ready = self._proc, None, False
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        with self._lock:
            self._stop()
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


_SHARED: dict[str, Zygote] = {}


def shared_zygote() -> Zygote | None:
    """This process's warm checker (started on first use), or None where it cannot be used."""
    if os.environ.get("DLGRADER_FRESH_CHECKER") or not hasattr(os, "fork"):
        return None
    zygote = _SHARED.get("z")
    if zygote is None:
        import atexit

        zygote = _SHARED["z"] = Zygote()
        atexit.register(zygote.close)
        try:  # pool workers leave without atexit: multiprocessing's finalizers run instead
            from multiprocessing import util

            util.Finalize(zygote, zygote.close, exitpriority=10)
        except Exception:
            pass
    return zygote


def warm_up() -> None:
    """Start this process's warm checker now, so its imports overlap the notebook's run."""
    zygote = shared_zygote()
    if zygote is not None:
        zygote.start()


def _serve(stdin: IO[str], stdout: IO[str]) -> int:
    """The zygote's loop: import once, then fork a child per request line."""
    import importlib

    limits.die_with_parent()
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    stdout.write(json.dumps({"ready": True}) + "\n")
    stdout.flush()
    for line in stdin:
        try:
            job = json.loads(line)
            req, res, cwd = str(job["request"]), str(job["results"]), str(job["cwd"])
        except (ValueError, KeyError, TypeError):
            continue
        pid = os.fork()
        if pid == 0:  # the child: one request, then gone (and gone with the zygote)
            code = 1
            try:
                limits.die_with_parent()
                os.chdir(cwd)
                fd = os.open("checker.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
                code = main([req, res])
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                except Exception:
                    pass
                os._exit(code)
        stdout.write(json.dumps({"pid": pid}) + "\n")
        stdout.flush()
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        stdout.write(json.dumps({"pid": pid, "code": code}) + "\n")
        stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    from dataclasses import asdict

    from grader.pipeline.spec import load_spec

    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["--zygote"]:
        return _serve(sys.stdin, sys.stdout)
    req_path, out_path = args[:2]
    req: dict[str, Any] = json.loads(Path(req_path).read_text())
    spec = load_spec(req["spec"]).with_profile(req.get("profile"))
    confinement = confine(str(Path(out_path).resolve().parent), spec.budget.checker_memory_mb)
    outcome = ExecutionOutcome.from_json(req["outcome"])
    artifacts = Path(req["artifacts_dir"]) if req.get("artifacts_dir") else None
    data_dir = Path(req["data_dir"]) if req.get("data_dir") else None
    results = run_checks(spec, outcome, artifacts, data_dir)
    confinement["peak_mb"] = _peak_mb()
    Path(out_path).write_text(json.dumps({"results": [asdict(r) for r in results], "confinement": confinement},
                                         default=_jsonable))
    return 0


def _peak_mb() -> int | None:
    """This process's resident peak (VmHWM: its own memory's, not carried over an exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return None


def confine(folder: str, memory_mb: int) -> dict[str, Any]:
    """Treat what the checker reads as hostile: from here on this process may add at most
    ``memory_mb`` of address space, writes nowhere but ``folder`` (as root: a read-only mount
    namespace), holds no capability and runs under the seccomp filter (``grader.runtime.jail``)."""
    import resource
    import tempfile

    from grader.runtime import jail

    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    state: dict[str, Any] = {"memory_mb": memory_mb}
    try:
        status = Path("/proc/self/status").read_text()
        size_kb = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmSize:")))
        cap = size_kb * 1024 + memory_mb * limits.MiB
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError, StopIteration):
        state["memory_mb"] = None
    state["read_only"] = jail.read_only_view([folder])
    try:
        state.update(jail.harden())
    except OSError as exc:  # no capabilities to drop (already unprivileged), or no seccomp here
        state["harden_error"] = str(exc)
    return state


def _jsonable(obj: Any) -> Any:
    try:
        import numpy as np

        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    except ImportError:
        pass
    return str(obj)


if __name__ == "__main__":
    raise SystemExit(main())
