"""Why a trained model scored low, from what the grader saw rather than a guess.

A metric below its threshold used to say "check preprocessing, the loss and the epochs", even
when the grader's own fit log shows that the model never finished a ``fit``. Two causes are
read here, from the fit log (``ExecutionOutcome.fits``, written by grader.kernel.fit), the
cells' outcomes and the code map (grader.pipeline.codemap):

- :func:`untrained`: no finished ``fit`` of the graded model, and why (its ``fit`` raised, the
  cell that calls ``fit`` failed or never ran, the fits trained other models, no ``fit`` at all);
- :func:`capped`: the run's profile cut this model's training (fewer epochs, a fraction of the
  rows, a time budget), and what the full profile allows, since that may have decided it.
"""

from __future__ import annotations

from typing import Any

from grader.checks import diagnose
from grader.checks.context import CheckContext

Reason = tuple[str, dict[str, Any]]
TRAINING_CALLS = (".fit", ".fit_generator")
# training the fit log does not see: when a cell that ran does this, nothing is claimed
OTHER_TRAINING = (".train_on_batch", ".apply_gradients", ".load_weights")


def _fits_of(ctx: CheckContext, name: str | None) -> list[dict[str, Any]] | None:
    """The fit log's calls on the model graded as ``name`` (every model's, once, for None);
    None when that cannot be told."""
    if name is None:
        return [f for f in ctx.outcome.fits if not f.get("inherited")]
    owner = ctx.entry(name).get("object_id")
    if owner is None:
        return None
    return [f for f in ctx.outcome.fits if f.get("model") == owner]


def untrained(ctx: CheckContext, name: str | None) -> Reason | None:
    """(cause key, params) when the graded model never finished a ``fit``; None when it did
    (or when the log cannot tell: a model saved before object ids were recorded)."""
    fits = _fits_of(ctx, name)
    if fits is None or any(not f.get("error") and (f.get("epochs_run") or 0) > 0 for f in fits):
        return None
    out = ctx.outcome
    ran = {c.index: c for c in out.cells}
    if any(call in (rec.get("calls") or []) for rec in out.code for call in OTHER_TRAINING
           if ran.get(rec["index"]) is not None and ran[rec["index"]].status == "ok"):
        return None
    failed = next((f for f in fits if f.get("error")), None)
    if failed is not None:
        at = failed.get("cell")
        cell = ran.get(at) if isinstance(at, int) else None
        if cell is not None and cell.status == "timeout":  # the grader interrupted it: out of time
            return "metric.cause.fit_timeout", {"cell": out.cell_label(cell.index), "limit": out.timeout_s}
        return "metric.cause.fit_failed", {"cell": out.cell_label(failed.get("cell")), "error": failed["error"]}
    for rec in out.code:  # a cell that calls fit and did not get to it
        if not any(call in (rec.get("calls") or []) for call in TRAINING_CALLS):
            continue
        cell = ran.get(rec["index"])
        if cell is None or cell.status == "not_run":
            return "metric.cause.fit_not_run", {"cell": out.cell_label(rec["index"]),
                                                 "stopped": out.cell_label(out.failing_cell)}
        if cell.status == "timeout":
            return "metric.cause.fit_timeout", {"cell": out.cell_label(rec["index"]), "limit": out.timeout_s}
        if cell.status == "error":
            params = {"cell": out.cell_label(rec["index"]), "ename": cell.ename or cell.status}
            root = diagnose.root_failure(out, rec["index"])
            if root is not None:  # it failed only because an earlier cell had
                return "metric.cause.fit_cell_failed_root", {**params, **root}
            return "metric.cause.fit_cell_failed", params
    if fits:  # its own fit called, zero epochs run (epochs=0, or stopped before the first)
        return "metric.cause.zero_epochs", {"cell": out.cell_label(fits[-1].get("cell"))}
    others = [f for f in out.fits if not f.get("error") and (f.get("epochs_run") or 0) > 0]
    if others:
        return "metric.cause.fit_other_model", {"n_other": len(others)}
    return "metric.cause.no_fit", {}


# the training metric in a Keras history that stands for each metric the grader computes
_TRAIN_KEYS = {"accuracy": ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
                            "binary_accuracy"),
               "auc": ("auc",)}


def _optimizer_label(fit: dict[str, Any]) -> str:
    opt = fit.get("optimizer")
    if not isinstance(opt, dict) or not isinstance(opt.get("type"), str):
        return "?"
    lr = opt.get("learning_rate")
    return f"{opt['type']}(learning_rate={lr:.4g})" if isinstance(lr, (int, float)) else opt["type"]


# a training metric this close to the grader's (or below it) is not overfitting: the model lacks
# capacity or training, and fewer epochs or more regularisation would only lower both
OVERFIT_GAP = 0.05


def low(ctx: CheckContext, name: str, metric: str, minimum: float, found: float | None = None) -> Reason:
    """(cause key, params) for a trained model whose metric is low, from what its last finished
    ``fit`` logged: it does not learn its own training data either (underfit), or it does and
    the grader's data gives another result (it does not generalise, or the data were prepared
    otherwise). Without a fit log, the general advice."""
    fits = [f for f in _fits_of(ctx, name) or [] if not f.get("error") and (f.get("epochs_run") or 0) > 0]
    if not fits:
        return "metric.cause.general", {}
    last = fits[-1]
    params: dict[str, Any] = {"cell": ctx.outcome.cell_label(last.get("cell")), "epochs": last["epochs_run"],
                              "optimizer": _optimizer_label(last)}
    if last.get("time_budget_stopped") and ctx.spec.budget.fit_time_budget:
        # the grader's training time ran out: what it logged says nothing of whether the model learns
        params["budget"] = f"{ctx.spec.budget.fit_time_budget:g}"
        at = next((i for i, f in enumerate(ctx.outcome.fits) if f is last), len(ctx.outcome.fits))
        before = sum(float(f.get("seconds") or 0) for f in ctx.outcome.fits[:at] if not f.get("inherited"))
        if before >= 0.5 * ctx.spec.budget.fit_time_budget:  # the fits before it spent most of the budget
            return "metric.cause.budget_stopped_others", {**params, "before": round(before)}
        return "metric.cause.budget_stopped", params
    logged: dict[str, Any] = last["last"] if isinstance(last.get("last"), dict) else {}
    keys = _TRAIN_KEYS.get(metric, ())
    key = next((k for k in logged if isinstance(logged[k], (int, float)) and
                (k in keys or (metric == "auc" and k.startswith("auc")))), None)
    if key is None:
        return "metric.cause.trained", params
    params.update(train_metric=key, train=logged[key])
    if logged[key] < minimum:
        return "metric.cause.underfit", params
    if found is not None and logged[key] - found < OVERFIT_GAP:
        return "metric.cause.no_overfit", {**params, "found": round(found, 4)}
    return "metric.cause.no_generalize", params


def capped(ctx: CheckContext, name: str) -> Reason | None:
    """(detail key, params) when the profile this run used cut the graded model's training;
    under the full profile, when its own limits did. None when nothing cut this model."""
    spec = ctx.spec
    if spec.profile in (None, "full") or spec.full is None:
        return _full_cap(ctx, name)
    fits = _fits_of(ctx, name) or []
    fits = [f for f in fits if not f.get("error")]
    budget, full = spec.budget, spec.full.budget
    cut: list[tuple[str, str]] = []  # (es, en)

    def under_full(asked: int) -> int:
        return min(asked, full.max_epochs) if full.max_epochs else asked

    epochs = [f for f in fits if isinstance(f.get("epochs_asked"), int) and isinstance(f.get("epochs_allowed"), int)
              and f["epochs_allowed"] < under_full(f["epochs_asked"])]
    if epochs:
        f = epochs[-1]
        n = f["epochs_allowed"]
        cut.append((f"{n} época{'' if n == 1 else 's'} por `fit` (el notebook pedía {f['epochs_asked']})",
                    f"{n} epoch{'' if n == 1 else 's'} per `fit` (the notebook asked for {f['epochs_asked']})"))
    if fits and budget.data_fraction and budget.data_fraction < (full.data_fraction or 1):
        pct = round(100 * budget.data_fraction)
        cut.append((f"el {pct} % de las filas de entrenamiento", f"{pct} % of the training rows"))
    if budget.fit_time_budget and any(f.get("time_budget_stopped") for f in fits) and (
            full.fit_time_budget is None or budget.fit_time_budget < full.fit_time_budget):
        cut.append((f"{budget.fit_time_budget:g} s de entrenamiento en total",
                    f"{budget.fit_time_budget:g} s of training in all"))
    if not cut:
        return None
    allows_es = [f"hasta {full.max_epochs} épocas por `fit`" if full.max_epochs else "las épocas que pida el notebook",
                 f"el {round(100 * full.data_fraction)} % de las filas" if full.data_fraction else "todas las filas"]
    allows_en = [f"up to {full.max_epochs} epochs per `fit`" if full.max_epochs else "the epochs the notebook asks for",
                 f"{round(100 * full.data_fraction)} % of the rows" if full.data_fraction else "all the rows"]
    if full.fit_time_budget:
        allows_es.append(f"{full.fit_time_budget:g} s de entrenamiento")
        allows_en.append(f"{full.fit_time_budget:g} s of training")
    return "metric.capped", {
        "profile": spec.profile,
        "cut": {"es": ", ".join(es for es, _ in cut), "en": ", ".join(en for _, en in cut)},
        "allows": {"es": ", ".join(allows_es[:-1]) + " y " + allows_es[-1],
                   "en": ", ".join(allows_en[:-1]) + " and " + allows_en[-1]},
    }


def trained_on_evaluated(ctx: CheckContext, name: str, splits: dict[str, Any], split: str) -> Reason | None:
    """(key, params) when a ``fit`` of the graded model trained on the very rows the metric is
    computed on: the whole test split, recognised by its fingerprint (rows, and which values of
    the first rows are zero, so dividing or reshaping does not hide it). None otherwise, and when
    the split cannot be told from the others by that fingerprint. (An exercise graded on all its
    rows trains on them by design; a held-out part is seen_rows' business.) ``splits``: the
    dataset as ``grader.data.datasets.load`` gives it, already read by the caller."""
    from grader.kernel.manifest import data_fingerprint

    fits = _fits_of(ctx, name)
    if not fits or split not in splits:
        return None
    target = data_fingerprint(splits[split][0])
    others = [data_fingerprint(x) for other, (x, _) in splits.items() if other != split]
    if target is None or target in others:
        return None
    hit = next((f for f in fits if f.get("x") == target and not f.get("error")), None)
    if hit is None:
        return None
    return "metric.trained_on_evaluated", {"cell": ctx.outcome.cell_label(hit.get("cell")), "rows": target["rows"]}


MIN_UNSEEN = 20  # held-out rows the model never trained on, below which no metric is computed


def seen_rows(ctx: CheckContext, name: str, x: Any) -> tuple[Any, str] | None:
    """Which of ``x`` (the grader's held-out rows, before any preprocessing) a finished ``fit``
    of the graded model trained on: a boolean mask and the cell of the first such fit (its own
    ``train_test_split`` put them in its training part). None when no fit did, or when the fit
    log cannot tell: a table over ``ROW_HASH_ROWS`` rows, a scaled copy (other numbers), a
    generator."""
    import numpy as np

    from grader.kernel.manifest import row_hashes, split_row_hashes

    fits = [f for f in _fits_of(ctx, name) or [] if not f.get("error") and isinstance(f.get("x_rows"), str)]
    if not fits or len(x) == 0:
        return None
    mine = [row_hashes(x[i:i + 1], limit=1) for i in range(len(x))]
    mask = np.zeros(len(x), dtype=bool)
    first = None
    for f in fits:
        trained = split_row_hashes(f["x_rows"])
        hit = np.array([h is not None and h in trained for h in mine])
        if hit.any() and first is None:
            first = f
        mask |= hit
    if first is None:
        return None
    return mask, ctx.outcome.cell_label(first.get("cell"))


def _full_cap(ctx: CheckContext, name: str) -> Reason | None:
    """Under the full profile: the epoch cap or the training time budget stopped this model's
    ``fit`` before the notebook's own end."""
    fits = [f for f in _fits_of(ctx, name) or [] if not f.get("error")]
    budget = ctx.spec.budget
    for f in reversed(fits):
        asked, allowed = f.get("epochs_asked"), f.get("epochs_allowed")
        if isinstance(asked, int) and isinstance(allowed, int) and allowed < asked:
            return "metric.capped_full", {"cell": ctx.outcome.cell_label(f.get("cell")), "allowed": allowed,
                                          "asked": asked}
        if f.get("time_budget_stopped") and budget.fit_time_budget:
            run = int(f.get("epochs_run") or 0)
            params = {"cell": ctx.outcome.cell_label(f.get("cell")), "budget": f"{budget.fit_time_budget:g}",
                      "epochs": run}
            if f.get("time_budget_batches"):  # its last logged epoch is the one the budget cut short
                return "metric.capped_full_time_partial", {**params, "epochs": max(0, run - 1),
                                                           "batches": f["time_budget_batches"]}
            return "metric.capped_full_time", params
    return None
