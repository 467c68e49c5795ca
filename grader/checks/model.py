"""Check kinds that read a saved Keras model: ``model_structure``, ``output_shapes``,
``param_count``.

Structure is read from the loaded model's layers and their configs, never from text that
``model.summary()`` printed. Parameters are counted as Keras does: trainable and
non-trainable weights separately, a weight shared by two layers once.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.checks import ArtifactCheck, Expect, register
from grader.checks.align import CHANGE, Step, align
from grader.checks.context import CheckContext
from grader.model.outcomes import CheckResult
from grader.model.spec import CheckSpec

LAYER_ATTRS = ("units", "activation", "rate", "filters", "kernel_size", "strides", "padding",
               "pool_size", "kernel_regularizer", "bias_regularizer", "use_bias", "trainable")
_REG_KEYS = ("kernel_regularizer", "bias_regularizer")


def _norm(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict) and "class_name" in value:  # a serialized regularizer
        cfg = value.get("config", {}) or {}
        out = {"type": value["class_name"]}
        out.update({k: round(float(v), 10) for k, v in cfg.items() if isinstance(v, (int, float))})
        return out
    if isinstance(value, float):
        return round(value, 10)
    return value


def describe_layers(model: Any, fold_activations: bool = True) -> list[dict[str, Any]]:
    """The model's layers (InputLayer excluded) as plain dicts of the attributes graded."""
    layers: list[dict[str, Any]] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        cfg = layer.get_config()
        d: dict[str, Any] = {"type": kind, "name": layer.name}  # name: checked only when a spec asks
        for attr in LAYER_ATTRS:
            if attr in cfg and attr != "trainable":
                d[attr] = _norm(cfg[attr])
        d["trainable"] = bool(layer.trainable)
        try:
            d["output_shape"] = [None if s is None else int(s) for s in layer.output.shape]
        except Exception:
            d["output_shape"] = None
        d["params"] = int(sum(int(_size(w)) for w in layer.weights))
        if fold_activations and kind in ("Activation", "Softmax", "ReLU") and layers:
            prev = layers[-1]
            if "activation" in prev and prev["activation"] in (None, "linear"):
                act = cfg.get("activation") if kind == "Activation" else kind.lower()
                prev["activation"] = act
                prev["output_shape"] = d["output_shape"]
                prev["folded"] = kind
                continue
        layers.append(d)
    return layers


def _size(weight: Any) -> int:
    n = 1
    for s in weight.shape:
        n *= int(s)
    return n


def _layer_label(d: dict[str, Any]) -> str:
    parts = []
    for attr in ("units", "filters", "rate"):
        if attr in d:
            parts.append(str(d[attr]))
    if "kernel_size" in d:
        parts.append("x".join(str(k) for k in d["kernel_size"]))
    act = d.get("activation")
    if isinstance(act, list):
        parts.append("/".join(act))
    elif act not in (None, "linear"):
        parts.append(str(act))
    return f"{d['type']}({', '.join(parts)})"


def _expected_label(e: dict[str, Any]) -> str:
    return _layer_label({**e, "kernel_size": _as_pair(e["kernel_size"])} if "kernel_size" in e else e)


def _as_pair(v: Any) -> Any:
    return [v, v] if isinstance(v, int) else v


def _attr_matches(found: Any, expected: Any) -> bool:
    if isinstance(expected, list) and expected and all(isinstance(x, str) for x in expected):
        return found in expected  # a list of strings = any of them
    if isinstance(expected, int) and isinstance(found, list):
        return all(f == expected for f in found)  # kernel_size: 4 == [4, 4]
    if isinstance(expected, dict):
        if not isinstance(found, dict):
            return False
        return all(_attr_matches(found.get(k), v) for k, v in expected.items())
    if isinstance(expected, float) or isinstance(found, float):
        try:
            return abs(float(found) - float(expected)) <= 1e-6
        except (TypeError, ValueError):
            return False
    return bool(found == expected)


class LayerSpec(BaseModel):
    """One expected layer: its type and any of the graded attributes (``optional``: the model
    may leave it out)."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    optional: bool = False
    name: str | None = None
    units: Any = None
    activation: Any = None
    rate: Any = None
    filters: Any = None
    kernel_size: Any = None
    strides: Any = None
    padding: Any = None
    pool_size: Any = None
    kernel_regularizer: Any = None
    bias_regularizer: Any = None
    use_bias: Any = None
    trainable: Any = None


class StructureExpect(Expect):
    layers: list[LayerSpec] = Field(min_length=1)  # compared as the spec wrote them (check.expect)
    fold_activations: bool = True


class ShapesExpect(Expect):
    input: list[int | None] | None = None
    output: list[int | None] | None = None
    layers: list[list[int | None]] | None = None

    @model_validator(mode="after")
    def _something(self) -> ShapesExpect:
        if self.input is None and self.output is None and self.layers is None:
            raise ValueError("give input, output or layers")
        return self


class ParamsExpect(Expect):
    total: int | None = None
    trainable: int | None = None
    non_trainable: int | None = None
    per_layer: list[int] | None = None
    max_total: int | None = None

    @model_validator(mode="after")
    def _something(self) -> ParamsExpect:
        if not self.model_fields_set:
            raise ValueError("give total, trainable, non_trainable, per_layer or max_total")
        return self


def _attr_cost(f: dict[str, Any], e: dict[str, Any]) -> float:
    """Cost of pairing a model's layer with an expected one (grader.checks.align): 0 when it is
    what was asked, under 1/2 for the right type with other attributes, a change otherwise."""
    if f["type"] != e["type"]:
        return CHANGE
    attrs = [a for a in e if a not in ("type", "optional")]
    wrong = sum(1 for a in attrs if not _attr_matches(f.get(a), e[a]))
    return 0.5 * wrong / (len(attrs) + 1)


def _missing(step: Step, found_labels: list[str]) -> dict[str, Any]:
    """Where a missing layer goes, as the student's model numbers its layers."""
    if step.after is None:
        return {"where_key": "layer.where.first"}
    return {"where_key": "layer.where.after", "pos": step.after + 1, "after": found_labels[step.after]}


@register("model_structure", needs="model", expect=StructureExpect)
def check_structure(check: ArtifactCheck, ctx: CheckContext) -> CheckResult:
    exp = StructureExpect.of(check)
    model, _ = ctx.model(check.artifact)
    found = describe_layers(model, exp.fold_activations)
    asked: list[dict[str, Any]] = check.expect["layers"]
    steps = align(len(found), len(asked), lambda i, j: _attr_cost(found[i], asked[j]),
                  lambda j: bool(asked[j].get("optional")))
    labels = [_layer_label(f) for f in found]
    skipped = {s.expected for s in steps if s.op == "missing" and asked[s.expected or 0].get("optional")}
    expected = [{k: v for k, v in e.items() if k != "optional"} for j, e in enumerate(asked) if j not in skipped]
    details: list[dict[str, Any]] = []
    total = right = 0
    # lengths are always said: a model with only the first layer is told how many it lacks; with
    # optional layers, the range the exercise allows, and nothing when the count is in it
    fewest = sum(1 for e in asked if not e.get("optional"))
    if fewest == len(asked) and len(found) != len(asked):
        details.append({"message": "structure.count", "params": {"found": len(found), "expected": len(asked)}})
    elif not fewest <= len(found) <= len(asked):
        details.append({"message": "structure.count_range", "params": {
            "found": len(found), "fewest": fewest, "most": len(asked)}})
    for step in steps:
        if step.op == "extra" and step.found is not None:
            details.append({"message": "structure.extra_layer", "params": {"pos": step.found + 1,
                                                                            "found": labels[step.found]}})
            total += 1
            continue
        assert step.expected is not None
        if step.expected in skipped:
            continue
        e = {k: v for k, v in asked[step.expected].items() if k != "optional"}
        total += len(e)
        if step.op == "missing" or step.found is None:
            details.append({"message": "structure.missing_layer",
                            "params": {"expected": _expected_label(e), **_missing(step, labels)}})
            continue
        f, label = found[step.found], step.found + 1
        if f["type"] != e["type"]:
            details.append({"message": "structure.type", "params": {"pos": label, "found": f["type"], "expected": e["type"]}})
            continue
        right += 1
        for attr, want in e.items():
            if attr == "type":
                continue
            got = f.get(attr)
            if _attr_matches(got, want):
                right += 1
            elif attr == "activation" and got == "linear" and step.found == len(found) - 1 \
                    and ctx.from_logits(check.artifact):
                # an output of logits with a loss that takes them: the activation alone would
                # apply softmax twice, so the loss is named too
                details.append({"message": "structure.logits_output", "params": {
                    "pos": label, "layer": f["type"], "expected": _show(want)}})
            else:
                details.append({"message": "structure.attr", "params": {
                    "pos": label, "layer": f["type"], "attr": attr,
                    "found": _show(got), "expected": _show(want)}})
    ok = not details
    matched = sum(1 for st in steps if st.op not in ("extra", "missing"))
    unmatched = sum(1 for st in steps if st.op in ("extra", "missing") and st.expected not in skipped)
    if not ok and unmatched >= 3 and unmatched > 2 * matched:
        # another network altogether (a LeNet where one layer is asked for): layer-by-layer
        # changes would rebuild it into something else, so say what it is instead
        details = [{"message": "structure.other_model", "params": {
            "name": ctx.found_as(check.artifact) or check.artifact, "found": len(found), "expected": len(expected)}}]
    summary_f = " → ".join(labels)
    summary_e = " → ".join(f"[{_expected_label(e)}]" if e.get("optional") else _expected_label(e) for e in asked)
    optional = any(e.get("optional") for e in asked)
    return CheckResult(
        id=check.id, kind=check.kind, status="pass" if ok else "fail",
        message="structure.ok" if ok else ("structure.wrong_optional" if optional else "structure.wrong"),
        params={"summary": summary_f, "summary_found": summary_f, "summary_expected": summary_e},
        expected=expected, found=[{k: v for k, v in f.items() if k != "name"} for f in found],
        fraction=right / total if total else 1.0, details=details,
    )


def _show(v: Any) -> Any:
    if isinstance(v, str):
        return f"'{v}'"
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return " o ".join(f"'{x}'" for x in v)
    if isinstance(v, list):
        return tuple(v)
    return v


def _shape_ok(found: Any, expected: Any) -> bool:
    if found is None or len(found) != len(expected):
        return False
    return all(e is None or e == f for f, e in zip(found, expected))


def _shapes(x: Any) -> list[Any]:
    return [None if s is None else int(s) for s in x.shape]


@register("output_shapes", needs="model", expect=ShapesExpect)
def check_shapes(check: ArtifactCheck, ctx: CheckContext) -> CheckResult:
    ShapesExpect.of(check)
    model, _ = ctx.model(check.artifact)
    exp = check.expect  # validated; compared as the spec wrote it
    layers = describe_layers(model)
    found: dict[str, Any] = {"layers": [layer["output_shape"] for layer in layers]}
    details: list[dict[str, Any]] = []
    for key in ("input", "output"):
        if key in exp:
            tensors = model.inputs if key == "input" else model.outputs
            found[key] = _shapes(tensors[0]) if tensors else None
            if not _shape_ok(found[key], exp[key]):
                details.append({"message": "shapes.wrong", "params": {
                    "what_key": f"shapes.what.{key}",
                    "found": found[key], "expected": exp[key]}})
    if "layers" in exp:
        asked = _asked_layers(check, ctx, len(exp["layers"]))
        if asked is not None and not asked[1]:  # the structure check compares unfolded layers
            layers = describe_layers(model, fold_activations=False)
            found["layers"] = [layer["output_shape"] for layer in layers]
        details += _per_layer(found["layers"], exp["layers"], layers, _shape_ok, "shapes.wrong",
                              "shapes.missing_layer", carries=True, asked=asked[0] if asked else None)
    if "output" in exp:
        return _result(check, "shapes.ok", found["output"], details, found)
    if "layers" in exp:
        return _result(check, "shapes.ok_layers", found["layers"], details, found)
    return _result(check, "shapes.ok_input", found["input"], details, found)


def count_params(model: Any) -> dict[str, Any]:
    """Keras's way: unique weights, trainable and non-trainable apart."""
    def total(weights: Any) -> int:
        seen: set[int] = set()
        n = 0
        for w in weights:
            if id(w) not in seen:
                seen.add(id(w))
                n += _size(w)
        return n

    trainable = total(model.trainable_weights)
    non_trainable = total(model.non_trainable_weights)
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable,
            "per_layer": [layer["params"] for layer in describe_layers(model, fold_activations=False)]}


@register("param_count", needs="model", expect=ParamsExpect)
def check_params(check: ArtifactCheck, ctx: CheckContext) -> CheckResult:
    ParamsExpect.of(check)
    model, _ = ctx.model(check.artifact)
    counts = count_params(model)
    exp = check.expect  # validated; compared as the spec wrote it
    details: list[dict[str, Any]] = []
    for key in ("total", "trainable", "non_trainable"):
        if key in exp and counts[key] != exp[key]:
            details.append({"message": "params.wrong", "params": {"what_key": f"params.what.{key}",
                            "found": counts[key], "expected": exp[key]}})
    if "max_total" in exp and counts["total"] > exp["max_total"]:
        details.append({"message": "params.too_many", "params": {"found": counts["total"], "expected": exp["max_total"]}})
    if "per_layer" in exp:
        asked = _asked_layers(check, ctx, len(exp["per_layer"]))
        layers = describe_layers(model, fold_activations=asked is not None and asked[1])
        details += _per_layer([layer["params"] for layer in layers], exp["per_layer"], layers, lambda f, e: f == e,
                              "params.wrong", "params.missing_layer", carries=False,
                              asked=asked[0] if asked else None)
    return _result(check, "params.ok", counts["total"], details, counts)


def _asked_layers(check: ArtifactCheck, ctx: CheckContext, n: int) -> tuple[list[dict[str, Any]], bool] | None:
    """The layers the spec's model_structure check asks of the same model, with its folding of
    activation layers, when they are the ``n`` layers a per-layer list speaks of (no optional
    ones): a per-layer count or shape is then paired with the layer the architecture check
    pairs it with, by type and settings, not by the numbers alone."""
    spec = getattr(ctx, "spec", None)
    for other in getattr(spec, "checks", None) or []:
        layers = other.expect.get("layers") if other.kind == "model_structure" else None
        if other.artifact == check.artifact and isinstance(layers, list) and len(layers) == n \
                and not any(e.get("optional") for e in layers):
            return layers, bool(other.expect.get("fold_activations", True))
    return None


def _per_layer(found: list[Any], want: list[Any], layers: list[dict[str, Any]], same: Any,
               message: str, missing: str, carries: bool,
               asked: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Compare a per-layer list (output shapes, parameter counts): the lengths always, then the
    layers as aligned by grader.checks.align — by type and settings when the spec's architecture
    is known (``asked``), else by the values — so one extra layer is named once."""
    details: list[dict[str, Any]] = []
    if len(want) != len(found):
        details.append({"message": "structure.count", "params": {"found": len(found), "expected": len(want)}})
    labels = [_layer_label(layer) for layer in layers]
    after_change = False  # a layer after an extra or missing one receives something else

    def cost(i: int, j: int) -> float:
        if asked is not None:
            return _attr_cost(layers[i], asked[j])
        return 0.0 if same(found[i], want[j]) else CHANGE
    steps = align(len(found), len(want), cost)
    unmatched = sum(1 for st in steps if st.op in ("extra", "missing"))
    if details and unmatched >= 3 and unmatched > 2 * (len(steps) - unmatched):
        # another network altogether (as check_structure tells it): pairing its layers with the
        # asked ones one by one would call a flatten step or an activation extra; the count says it
        return details
    for step in steps:
        if step.op == "extra" and step.found is not None:
            details.append({"message": "structure.extra_layer", "params": {"pos": step.found + 1,
                                                                            "found": labels[step.found]}})
            after_change = True
        elif step.op == "missing" and step.expected is not None:
            details.append({"message": missing, "params": {"expected": want[step.expected],
                                                           **_missing(step, labels)}})
            after_change = True
        elif step.found is not None and step.expected is not None:
            f, e = found[step.found], want[step.expected]
            if not same(f, e):
                # a layer set as asked differs only by what it receives: said so, not blamed; without
                # the architecture, a layer after an extra or missing one may differ for that reason
                if asked is not None:
                    suffix = "_input" if _attr_cost(layers[step.found], asked[step.expected]) == 0 else ""
                else:
                    suffix = "_after_change" if after_change else ""
                details.append({"message": message + suffix, "params": {
                    "what_key": "params.what.layer", "pos": step.found + 1, "layer": layers[step.found]["type"],
                    "found": f, "expected": e}})
            # a parameter count depends on the layer just before; an output shape on all before it
            after_change = after_change and carries
    return details


def _result(check: CheckSpec, ok_message: str, shown: Any, details: list[dict[str, Any]], found: Any) -> CheckResult:
    """Pass, or fail with the first problem as the message and the others as details."""
    first = details[0] if details else None
    return CheckResult(id=check.id, kind=check.kind, status="fail" if first else "pass",
                       message=first["message"] if first else ok_message,
                       params={"found": shown, **(first["params"] if first else {})},
                       expected=check.expect, found=found, details=details[1:])
