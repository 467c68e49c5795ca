"""Check kind ``training``: how the student trained, read from the grader's log of every
``Model.fit`` call (recorded by the grader's wrapper in the kernel; see ``grader.kernel.fit``).

``artifact`` (optional): a model artifact; only that model's fits count.
``expect`` (all optional):
- ``min_fits``: at least this many fits finished (default 1);
- ``callback``: ``{type: EarlyStopping, monitor: val_accuracy, patience: 30, ...}``: some fit
  used a callback of that type with those settings;
- ``stopped_early``: that callback stopped training before the epochs the student asked for
  (the grader's own epoch cap or time budget does not count as stopping early);
- ``validation``: the fits (with the callback, when one is asked for) had validation data;
- ``batch_sizes``: fits were run with each of these batch sizes; the grader's own timing of
  each is shown;
- ``reported_epoch``: the name of a value artifact where the student wrote the callback's
  ``stopped_epoch``; it must be what the grader logged (or one more: epochs counted from 1);
- ``not_trained_on``: ``{dataset, split}``: no fit's ``x`` is that split (compared by row count
  and by which values of the first rows are zero, so dividing by 255 does not hide it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grader.checks import Expect, causes, register
from grader.checks.context import CheckContext
from grader.checks.metrics import known_dataset
from grader.messages import render
from grader.model.outcomes import CheckResult, CheckStatus, ExecutionOutcome, fit_stopped_early
from grader.model.spec import CheckSpec


class Callback(BaseModel):
    """A callback some fit must have used: its type and any settings (``patience: 30``)."""
    model_config = ConfigDict(extra="allow", frozen=True)
    type: str


class NotTrainedOn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dataset: str
    split: Literal["train", "test"] = "test"

    _dataset = field_validator("dataset")(known_dataset)


class TrainingExpect(Expect):
    min_fits: int = Field(1, ge=0)
    callback: Callback | None = None
    stopped_early: bool = False
    validation: bool = False
    batch_sizes: list[Annotated[int, Field(gt=0, strict=True)]] | None = None
    reported_epoch: str | None = None  # a value artifact holding the callback's stopped_epoch
    not_trained_on: NotTrainedOn | None = None

    @model_validator(mode="after")
    def _needs_callback(self) -> TrainingExpect:
        if (self.stopped_early or self.reported_epoch) and self.callback is None:
            raise ValueError("stopped_early and reported_epoch need a callback (the one that must stop training)")
        return self


def _matches(found: Any, expected: Any) -> bool:
    if isinstance(expected, float) or isinstance(found, float):
        try:
            return abs(float(found) - float(expected)) <= 1e-9 + 1e-6 * abs(float(expected))
        except (TypeError, ValueError):
            return False
    return bool(found == expected)


def _fit_label(fit: dict[str, Any], outcome: ExecutionOutcome, short: bool = False) -> str:
    cell = fit.get("cell")
    if not isinstance(cell, int):
        return "?"
    record = outcome.code_cell(cell)
    return str(record["number"]) if short and record else outcome.cell_label(cell)


def _summary(fits: list[dict[str, Any]], outcome: ExecutionOutcome) -> dict[str, str] | str:
    """What the grader logged of each fit, in both languages (``messages.render`` picks one)."""
    if not fits:
        return "—"
    words = {"es": ("celda de código", "épocas", "el modelo se cargó de"), "en": ("code cell", "epochs", "the model was loaded from")}

    def loaded(f: dict[str, Any], said: str) -> str:
        return f" ({said} `{f['inherited']}`)" if f.get("inherited") else ""

    return {lang: "; ".join(f"{cell} {_fit_label(f, outcome, short=True)}: {f.get('epochs_run', '?')}/{f.get('epochs_asked', '?')} "
                            f"{epochs}, batch_size={f.get('batch_size', '?')}, {f.get('seconds', 0):.1f} s{loaded(f, said)}"
                            for f in fits)
            for lang, (cell, epochs, said) in words.items()}


@register("training", needs=None, expect=TrainingExpect)
def check_training(check: CheckSpec, ctx: CheckContext) -> CheckResult:
    exp = TrainingExpect.of(check)
    fits = [f for f in ctx.outcome.fits if not f.get("error")]
    if check.artifact:
        missing = ctx.missing_reason(check, "fits")
        if missing is not None:
            return missing
        owner = ctx.entry(check.artifact).get("object_id")
        fits = [f for f in fits if f.get("model") == owner]
    else:  # every fit once: a model loaded back carries copies of its source's fits
        fits = [f for f in fits if not f.get("inherited")]

    def result(status: CheckStatus, message: str, **params: Any) -> CheckResult:
        return CheckResult(id=check.id, kind=check.kind, status=status, message=message,  # type: ignore[arg-type]
                           params={"fits": _summary(fits, ctx.outcome), "n_fits": len(fits), **params},
                           expected=check.expect, found=fits)

    if len(fits) < exp.min_fits:
        cause = causes.untrained(ctx, check.artifact) if not fits else None
        if cause is not None and cause[0] != "metric.cause.no_fit":  # why no fit finished, as the log says
            return result("fail", "training.no_fit_because", expected=exp.min_fits, name=check.artifact or "model",
                          cause_key=cause[0].replace("metric.cause.", "training.cause."), **cause[1])
        return result("fail", "training.no_fit", expected=exp.min_fits)
    ran = [f for f in fits if not isinstance(f.get("epochs_run"), int) or f["epochs_run"] > 0]
    if len(ran) < exp.min_fits:  # fit(epochs=0) returns at once: nothing was learned
        return result("fail", "training.zero_epochs", expected=exp.min_fits)
    fits = ran

    # every condition that fails is said (the first as the message, the others as details): a
    # student who fixes the callback is not told only then that the batch size was wrong too
    problems: list[tuple[str, dict[str, Any]]] = []
    chosen = fits
    want_cb = check.expect.get("callback")  # as written: its settings are compared one by one
    if want_cb:
        same_type = [(f, cb) for f in fits for cb in f.get("callbacks", []) if cb.get("type") == want_cb["type"]]
        if not same_type:
            used = sorted({cb.get("type", "?") for f in fits for cb in f.get("callbacks", [])})
            return result("fail", "training.no_callback", type=want_cb["type"], used=", ".join(used) or "—")
        right = [(f, cb) for f, cb in same_type
                 if all(_matches(cb.get(k), v) for k, v in want_cb.items() if k != "type")]
        if right:
            chosen = [f for f, _ in right]
        else:
            _, cb = same_type[-1]
            wrong = [k for k, v in want_cb.items() if k != "type" and not _matches(cb.get(k), v)]
            problems.append(("training.callback_setting", {
                "type": want_cb["type"], "setting": ", ".join(f"{k}={cb.get(k)!r}" for k in wrong),
                "expected_setting": ", ".join(f"{k}={want_cb[k]!r}" for k in wrong)}))
            chosen = [f for f, _ in same_type]

    if exp.validation and not any(f.get("validation") for f in chosen):
        problems.append(("training.no_validation", {}))

    if exp.stopped_early and want_cb:
        stopped = [f for f in chosen if fit_stopped_early(f, want_cb["type"])]
        if stopped:
            chosen = stopped
        else:
            last = chosen[-1]
            capped = (isinstance(last.get("epochs_asked"), int) and isinstance(last.get("epochs_allowed"), int)
                      and last["epochs_allowed"] < last["epochs_asked"])
            key = "training.not_stopped_budget" if last.get("time_budget_stopped") else (
                "training.not_stopped_cap" if capped else "training.not_stopped")
            problems.append((key, {"run": last.get("epochs_run", "?"), "asked": last.get("epochs_asked", "?"),
                                   "allowed": last.get("epochs_allowed", "?")}))

    reported = exp.reported_epoch
    if reported and want_cb:
        logged = [cb.get("stopped_epoch") for f in chosen for cb in f.get("callbacks", [])
                  if cb.get("type") == want_cb["type"]]
        entry = ctx.entry(reported)
        value = entry.get("value") if entry.get("status") == "ok" else None
        at = logged[-1] if logged else None
        if type(value) is not int or at is None or value not in (at, at + 1):
            problems.append(("training.reported_epoch", {"name": reported, "found": "—" if value is None else value,
                                                         "logged": at if at is not None else "—"}))

    sizes = exp.batch_sizes
    if sizes:
        used_sizes = {f.get("batch_size") for f in fits}
        absent = [b for b in sizes if b not in used_sizes]
        if absent:
            problems.append(("training.batch_missing" if len(sizes) > 1 else "training.batch_missing_one", {
                "missing": ", ".join(map(str, absent)),
                "used": ", ".join(str(b) for b in sorted(s for s in used_sizes if s is not None)) or "—"}))

    banned = exp.not_trained_on
    if banned is not None:
        from grader.data.datasets import load
        from grader.kernel.manifest import data_fingerprint as fingerprint

        splits = load(banned.dataset, ctx.data_dir)
        split = banned.split
        target = fingerprint(splits[split][0])
        others = [fingerprint(x) for name, (x, _) in splits.items() if name != split]
        if target is not None and target not in others:  # a fingerprint that tells the splits apart
            on_split = next((f for f in fits if f.get("x") == target), None)
            if on_split is not None:
                problems.append(("training.on_split", {
                    "cell": _fit_label(on_split, ctx.outcome), "dataset": banned.dataset,
                    "split_key": f"metric.split_{split}", "rows": target["rows"]}))
    if problems:
        (key, params), rest = problems[0], problems[1:]
        failed = result("fail", key, **params)
        common = {"fits": failed.params["fits"], "n_fits": failed.params["n_fits"]}
        failed.details = [{"message": k, "params": {**common, **p}} for k, p in rest]
        return failed
    return result("pass", "training.ok", checked=_checked(exp, check.expect))


def _checked(exp: TrainingExpect, expect: dict[str, Any]) -> dict[str, str]:
    """What this check looked at, in both languages: a pass says only that (a check of the
    stopping alone does not vouch for the callback's settings or the batch size)."""
    parts: list[tuple[str, str]] = []
    n = exp.min_fits
    parts.append((f"{n} `fit` terminado{'' if n == 1 else 's'} o más", f"{n} finished `fit` call{'' if n == 1 else 's'} or more"))
    cb = expect.get("callback") or {}
    if cb:
        settings = ", ".join(f"{k}={v!r}" for k, v in cb.items() if k != "type")
        parts.append((f"`{cb['type']}({settings})`", f"`{cb['type']}({settings})`"))
    if exp.stopped_early:
        parts.append((f"`{cb['type']}` detuvo el entrenamiento antes de su última época",
                      f"`{cb['type']}` stopped training before its last epoch"))
    if exp.validation:
        parts.append(("datos de validación", "validation data"))
    if exp.batch_sizes:
        sizes = ", ".join(map(str, exp.batch_sizes))
        parts.append((f"batch_size {sizes}", f"batch_size {sizes}"))
    if exp.reported_epoch:
        parts.append((f"`{exp.reported_epoch}` guarda la época en que paró",
                      f"`{exp.reported_epoch}` holds the epoch it stopped at"))
    if exp.not_trained_on is not None:
        split, dataset = exp.not_trained_on.split, exp.not_trained_on.dataset
        parts.append((f"sin entrenar con los datos de {render(f'metric.split_{split}', {}, 'es')} de {dataset}",
                      f"not trained on {dataset}'s {render(f'metric.split_{split}', {}, 'en')} data"))
    return {"es": "; ".join(es for es, _ in parts), "en": "; ".join(en for _, en in parts)}
