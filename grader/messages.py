"""The one message catalog: every text a student or instructor reads, in Spanish and English.

Checks return a message *key* and parameters; the report renders them in the chosen language.
Each message says what was checked, what was expected, what was found and what to change.
"""

from __future__ import annotations

from typing import Any

LANGS = ("es", "en")

CATALOG: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- artifacts
    "artifact.absent": {
        "es": "No se encontró la variable `{name}`. Defínela con ese nombre exacto en tu notebook.",
        "en": "Variable `{name}` was not found. Define it with exactly that name in your notebook.",
    },
    "artifact.absent_after_error": {
        "es": "No se encontró la variable `{name}`: la celda {cell} falló ({ename}: {evalue}) y "
        "`{name}` nunca se definió. Corrige ese error y vuelve a ejecutar todo el notebook.",
        "en": "Variable `{name}` was not found: cell {cell} failed ({ename}: {evalue}) and "
        "`{name}` was never defined. Fix that error and run the whole notebook again.",
    },
    "artifact.absent_dead_kernel": {
        "es": "No se encontró la variable `{name}`: el kernel se detuvo en la celda {cell} antes de "
        "definirla ({detail}). Revisa esa celda (¿`os._exit`, `sys.exit`, memoria agotada?).",
        "en": "Variable `{name}` was not found: the kernel stopped in cell {cell} before defining "
        "it ({detail}). Check that cell (`os._exit`, `sys.exit`, out of memory?).",
    },
    "artifact.absent_timeout": {
        "es": "No se encontró la variable `{name}`: la ejecución se cortó por tiempo ({detail}) "
        "antes de definirla. Reduce las épocas o el tamaño del modelo.",
        "en": "Variable `{name}` was not found: execution ran out of time ({detail}) before "
        "defining it. Use fewer epochs or a smaller model.",
    },
    "artifact.not_run": {
        "es": "No se pudo evaluar `{name}`: el notebook no se ejecutó ({detail}).",
        "en": "Could not evaluate `{name}`: the notebook did not run ({detail}).",
    },
    "artifact.candidates": {
        "es": "No hay ninguna variable `{name}` y hay varios modelos ({candidates}); el grader no "
        "adivina cuál es. Guarda el modelo del ejercicio en la variable `{name}`.",
        "en": "There is no variable `{name}` and there are several models ({candidates}); the "
        "grader will not guess which one. Store the exercise's model in `{name}`.",
    },
    "artifact.unsupported": {
        "es": "`{name}` es de tipo `{type}`; se esperaba {expected_kind}. Guarda en `{name}` "
        "{expected_kind} (por ejemplo un número, una tupla o un arreglo de NumPy).",
        "en": "`{name}` has type `{type}`; expected {expected_kind}. Store {expected_kind} in "
        "`{name}` (for example a number, a tuple or a NumPy array).",
    },
    "artifact.save_failed": {
        "es": "El modelo `{name}` no se pudo guardar en formato .keras: {error}. Usa capas "
        "estándar de Keras y asegúrate de que el modelo esté construido.",
        "en": "Model `{name}` could not be saved in .keras format: {error}. Use standard Keras "
        "layers and make sure the model is built.",
    },
    "artifact.found_as": {
        "es": "El modelo se encontró en la variable `{found_as}` y no en `{name}`; se evaluó ese. "
        "Usa el nombre `{name}` para evitar confusiones.",
        "en": "The model was found in variable `{found_as}`, not `{name}`; that one was graded. "
        "Use the name `{name}` to avoid confusion.",
    },
    "model.unsafe": {
        "es": "El modelo `{name}` no se puede cargar de forma segura: {error}. No se permiten "
        "capas `Lambda` ni clases propias; usa capas estándar de Keras.",
        "en": "Model `{name}` cannot be loaded safely: {error}. `Lambda` layers and custom "
        "classes are not allowed; use standard Keras layers.",
    },
    "model.not_built": {
        "es": "El modelo `{name}` no está construido (no tiene pesos). Agrega "
        "`keras.Input(shape=...)` como primera capa o entrénalo con `fit`.",
        "en": "Model `{name}` is not built (it has no weights). Add `keras.Input(shape=...)` as "
        "its first layer or train it with `fit`.",
    },
    "model.expected": {
        "es": "un modelo de Keras",
        "en": "a Keras model",
    },
    "value.expected": {
        "es": "datos simples",
        "en": "plain data",
    },
    # ---------------------------------------------------------------- values
    "value.ok": {
        "es": "`{name}` = {found}: correcto.",
        "en": "`{name}` = {found}: correct.",
    },
    "value.wrong": {
        "es": "`{name}` vale {found}; se esperaba {expected}.",
        "en": "`{name}` is {found}; expected {expected}.",
    },
    "value.wrong_type": {
        "es": "`{name}` es de tipo {found_type} ({found}); se esperaba {expected_type}.",
        "en": "`{name}` has type {found_type} ({found}); expected {expected_type}.",
    },
    "value.wrong_length": {
        "es": "`{name}` tiene {found_len} elementos ({found}); se esperaban {expected_len} ({expected}).",
        "en": "`{name}` has {found_len} items ({found}); expected {expected_len} ({expected}).",
    },
    "value.wrong_shape": {
        "es": "`{name}` tiene forma {found}; se esperaba {expected}.",
        "en": "`{name}` has shape {found}; expected {expected}.",
    },
    "value.not_in_set": {
        "es": "`{name}` vale {found}; se esperaba uno de: {expected}.",
        "en": "`{name}` is {found}; expected one of: {expected}.",
    },
    "value.elements_differ": {
        "es": "`{name}`: {n_diff} de {n} elementos difieren; la mayor diferencia es {max_diff} "
        "(tolerancia {tolerance}).",
        "en": "`{name}`: {n_diff} of {n} elements differ; the largest difference is {max_diff} "
        "(tolerance {tolerance}).",
    },
    # ---------------------------------------------------------------- structure
    "structure.ok": {
        "es": "La arquitectura coincide con la pedida: {summary}.",
        "en": "The architecture matches the one asked for: {summary}.",
    },
    "structure.wrong": {
        "es": "La arquitectura no coincide con la pedida ({summary_expected}); la tuya: {summary_found}.",
        "en": "The architecture does not match the one asked for ({summary_expected}); yours: {summary_found}.",
    },
    "structure.count": {
        "es": "El modelo tiene {found} capas; se esperaban {expected}. Revisa que no falte ni sobre ninguna.",
        "en": "The model has {found} layers; expected {expected}. Check that none is missing or extra.",
    },
    "structure.type": {
        "es": "Capa {pos}: es `{found}`; se esperaba `{expected}`.",
        "en": "Layer {pos}: is `{found}`; expected `{expected}`.",
    },
    "structure.missing_layer": {
        "es": "Capa {pos}: falta; se esperaba `{expected}`.",
        "en": "Layer {pos}: missing; expected `{expected}`.",
    },
    "structure.extra_layer": {
        "es": "Capa {pos}: `{found}` sobra; el ejercicio no la pide.",
        "en": "Layer {pos}: `{found}` is extra; the exercise does not ask for it.",
    },
    "structure.attr": {
        "es": "Capa {pos} ({layer}): `{attr}` es {found}; el ejercicio pide {expected}. "
        "Cambia `{attr}={found}` por `{attr}={expected}`.",
        "en": "Layer {pos} ({layer}): `{attr}` is {found}; the exercise asks for {expected}. "
        "Change `{attr}={found}` to `{attr}={expected}`.",
    },
    # ---------------------------------------------------------------- shapes / params
    "shapes.ok": {
        "es": "Las formas de salida coinciden: {found}.",
        "en": "Output shapes match: {found}.",
    },
    "shapes.wrong": {
        "es": "{what}: forma {found}; se esperaba {expected}.",
        "en": "{what}: shape {found}; expected {expected}.",
    },
    "params.ok": {
        "es": "Número de parámetros correcto: {found}.",
        "en": "Parameter count is right: {found}.",
    },
    "params.wrong": {
        "es": "{what}: {found} parámetros; se esperaban {expected}.",
        "en": "{what}: {found} parameters; expected {expected}.",
    },
    "params.what.total": {"es": "Total del modelo", "en": "Model total"},
    "params.what.trainable": {"es": "Entrenables", "en": "Trainable"},
    "params.what.non_trainable": {"es": "No entrenables", "en": "Non-trainable"},
    "params.what.layer": {"es": "Capa {pos} ({layer})", "en": "Layer {pos} ({layer})"},
    "shapes.what.output": {"es": "Salida del modelo", "en": "Model output"},
    "shapes.what.input": {"es": "Entrada del modelo", "en": "Model input"},
    # ---------------------------------------------------------------- metrics
    "metric.ok": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; se pedía al menos {expected}.",
        "en": "{metric} computed by the grader on {data}: {found}; at least {expected} was asked.",
    },
    "metric.low": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; se pedía al menos {expected}. "
        "Revisa el preprocesamiento, la función de pérdida y el número de épocas.",
        "en": "{metric} computed by the grader on {data}: {found}; at least {expected} was asked. "
        "Check preprocessing, the loss function and the number of epochs.",
    },
    "metric.eval_failed": {
        "es": "El grader no pudo evaluar el modelo sobre {data}: {error}. La entrada del modelo "
        "debe tener forma {input_shape}.",
        "en": "The grader could not evaluate the model on {data}: {error}. The model's input "
        "must have shape {input_shape}.",
    },
    # ---------------------------------------------------------------- execution
    "ran.ok": {
        "es": "Todas las celdas se ejecutaron sin errores.",
        "en": "Every cell ran without errors.",
    },
    "ran.failed": {
        "es": "{n} celda(s) no terminaron bien: {cells}. Corrígelas y ejecuta todo el notebook "
        "de principio a fin antes de entregarlo.",
        "en": "{n} cell(s) did not finish cleanly: {cells}. Fix them and run the whole notebook "
        "top to bottom before handing it in.",
    },
    "ran.cell": {
        "es": "celda {index} ({ename})",
        "en": "cell {index} ({ename})",
    },
    "check.crashed": {
        "es": "El grader no pudo completar esta comprobación ({error}). Avísale a tu docente.",
        "en": "The grader could not complete this check ({error}). Tell your instructor.",
    },
    # ---------------------------------------------------------------- execution outcome
    "exec.ok": {"es": "El notebook se ejecutó completo.", "en": "The notebook ran to the end."},
    "exec.error": {
        "es": "La celda {cell} lanzó {ename}: {evalue}. Las demás celdas se ejecutaron igual.",
        "en": "Cell {cell} raised {ename}: {evalue}. The other cells still ran.",
    },
    "exec.timeout": {
        "es": "Se acabó el tiempo: {detail}. Lo calificado hasta ese punto se conserva.",
        "en": "Time ran out: {detail}. What was graded up to that point is kept.",
    },
    "exec.dead_kernel": {
        "es": "El kernel de Python se detuvo en la celda {cell} ({detail}). Lo calificado hasta "
        "ese punto se conserva.",
        "en": "The Python kernel stopped in cell {cell} ({detail}). What was graded up to that "
        "point is kept.",
    },
    "exec.oom": {
        "es": "El notebook usó más memoria de la permitida en la celda {cell}.",
        "en": "The notebook used more memory than allowed in cell {cell}.",
    },
    "exec.invalid_notebook": {
        "es": "El archivo no es un notebook válido: {detail}. Descarga de nuevo el .ipynb desde "
        "Jupyter o Colab (Archivo → Descargar → .ipynb).",
        "en": "The file is not a valid notebook: {detail}. Download the .ipynb again from Jupyter "
        "or Colab (File → Download → .ipynb).",
    },
    "exec.kernel_failed": {
        "es": "No se pudo iniciar el kernel de Python ({detail}).",
        "en": "The Python kernel could not be started ({detail}).",
    },
    # ---------------------------------------------------------------- report words
    "word.score": {"es": "Puntaje", "en": "Score"},
    "word.check": {"es": "Comprobación", "en": "Check"},
    "word.points": {"es": "Puntos", "en": "Points"},
    "word.result": {"es": "Resultado", "en": "Result"},
    "word.message": {"es": "Detalle", "en": "Details"},
    "word.hint": {"es": "Sugerencia", "en": "Hint"},
    "word.execution": {"es": "Ejecución", "en": "Execution"},
    "word.device": {"es": "Dispositivo", "en": "Device"},
    "word.instructor": {"es": "Solo para docentes", "en": "Instructor only"},
    "status.pass": {"es": "correcto", "en": "pass"},
    "status.fail": {"es": "incorrecto", "en": "fail"},
    "status.missing": {"es": "sin datos", "en": "missing"},
    "status.error": {"es": "error", "en": "error"},
}


class _Safe(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(key: str, params: dict[str, Any] | None = None, lang: str = "es") -> str:
    """Render a catalog message; unknown keys render as the key itself (never raise)."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["es"]
    params = dict(params or {})
    if "what_key" in params:  # a sub-message naming what was measured ("Layer 2 (Dense)")
        params["what"] = render(params.pop("what_key"), params, lang)
    return template.format_map(_Safe({k: v if k == "what" else fmt(v) for k, v in params.items()}))


def fmt(value: Any) -> str:
    """Show a value the way a student wrote it: tuples with parentheses, floats short."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join("None" if v is None else fmt(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if value is None:
        return "None"
    return str(value)
