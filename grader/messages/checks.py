"""What the checks say: artifacts, values, hidden checks, structure, shapes and parameters, metrics."""

TEXTS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- artifacts
    "artifact.absent": {
        "es": "No se encontró la variable `{name}`. Defínela con ese nombre exacto en tu notebook.",
        "en": "Variable `{name}` was not found. Define it with exactly that name in your notebook.",
    },
    "artifact.absent_after_error": {
        "es": "No se encontró la variable `{name}`: la celda de código {cell} falló ({ename}: {evalue}) y "
        "`{name}` nunca se definió. Corrige ese error y vuelve a ejecutar todo el notebook.",
        "en": "Variable `{name}` was not found: code cell {cell} failed ({ename}: {evalue}) and "
        "`{name}` was never defined. Fix that error and run the whole notebook again.",
    },
    "artifact.never_assigned": {
        "es": "No se encontró la variable `{name}`: ninguna celda del notebook le asigna un valor. "
        "Defínela con ese nombre exacto.",
        "en": "Variable `{name}` was not found: no cell of the notebook assigns it. Define it with "
        "exactly that name.",
    },
    "artifact.never_assigned_aliases": {
        "es": "No se encontró la variable `{name}`: ninguna celda del notebook le asigna un valor, ni "
        "con los otros nombres que se aceptan ({aliases}). Defínela con el nombre `{name}`.",
        "en": "Variable `{name}` was not found: no cell of the notebook assigns it, nor any of the "
        "other accepted names ({aliases}). Define it as `{name}`.",
    },
    "artifact.assigned_in_failed_cell": {
        "es": "No se encontró la variable `{name}`: {subject} en la celda de código "
        "{cell}, que falló ({ename}: {evalue}) antes de asignarla. Corrige ese error y vuelve a "
        "ejecutar todo el notebook.",
        "en": "Variable `{name}` was not found: {subject} in code cell {cell}, which "
        "failed ({ename}: {evalue}) before assigning it. Fix that error and run the whole notebook "
        "again.",
    },
    "artifact.assigned_not_run": {
        "es": "No se encontró la variable `{name}`: {subject} en la celda de código "
        "{cell}, que no llegó a ejecutarse porque la ejecución se detuvo antes, en la celda de "
        "código {stopped}. Resuelve lo que la detuvo ahí.",
        "en": "Variable `{name}` was not found: {subject} in code cell {cell}, which "
        "never ran because the run stopped earlier, in code cell {stopped}. Fix what stopped it there.",
    },
    "artifact.deleted": {
        "es": "No se encontró la variable `{name}`: {subject} en la celda de código "
        "{cell}, pero `del {assigned}` en la celda de código {deleted_in} la borra. Quita ese `del` "
        "o vuelve a asignarla después.",
        "en": "Variable `{name}` was not found: {subject} in code cell {cell}, but "
        "`del {assigned}` in code cell {deleted_in} removes it. Drop that `del` or assign it again "
        "after it.",
    },
    "artifact.local_only": {
        "es": "No se encontró la variable `{name}`: {subject} solo dentro de "
        "`{owner}`, en la celda de código {cell}, donde es local y no existe fuera. Asígnala fuera de "
        "`{owner}`, por ejemplo devolviéndola con `return`.",
        "en": "Variable `{name}` was not found: {subject} only inside `{owner}` "
        "in code cell {cell}, where it is local and does not exist outside. Assign it outside "
        "`{owner}`, for instance by returning it.",
    },
    "artifact.function_not_called": {
        "es": "No se encontró la variable `{name}`: {subject} (con `global`) dentro de "
        "la función `{owner}`, en la celda de código {cell}, pero esa función nunca se llamó. Llámala, "
        "o asigna `{assigned}` fuera de ella.",
        "en": "Variable `{name}` was not found: {subject} (with `global`) inside the "
        "function `{owner}` in code cell {cell}, but that function was never called. Call it, or "
        "assign `{assigned}` outside it.",
    },
    "artifact.function_did_not_assign": {
        "es": "No se encontró la variable `{name}`: {subject} (con `global`) dentro de "
        "la función `{owner}`, en la celda de código {cell}; la función se llama, pero no llegó a esa "
        "línea (un `return` antes, una condición o un error capturado). Revisa ese camino, o "
        "asigna `{assigned}` fuera de la función.",
        "en": "Variable `{name}` was not found: {subject} (with `global`) inside the "
        "function `{owner}` in code cell {cell}; the function is called, but it never reached that "
        "line (an earlier `return`, a condition or a caught error). Check that path, or assign "
        "`{assigned}` outside the function.",
    },
    "artifact.branch_not_taken": {
        "es": "No se encontró la variable `{name}`: {subject} en la celda de código "
        "{cell}, que se ejecutó sin errores, pero dentro de un `if`, un bucle o un `try` que no "
        "llegó a esa línea. Revisa esa condición (o el error que el `try` ocultó).",
        "en": "Variable `{name}` was not found: {subject} in code cell {cell}, which "
        "ran without errors, but inside an `if`, a loop or a `try` that never reached that line. "
        "Check that condition (or the error the `try` hid).",
    },
    "artifact.placeholder": {
        "es": "`{name}` todavía vale None: completa la celda del enunciado que lo define.",
        "en": "`{name}` is still None: fill in the statement's cell that defines it.",
    },
    "artifact.tampered": {
        "es": "Lo exportado para `{name}` no es un archivo normal escrito por el notebook ({error}); "
        "no se usa. Guarda tus resultados en variables, sin tocar la carpeta del grader.",
        "en": "What was exported for `{name}` is not a plain file written by the notebook ({error}); "
        "it is not used. Keep your results in variables and leave the grader's folder alone.",
    },
    "artifact.absent_dead_kernel": {
        "es": "No se encontró la variable `{name}`: el kernel de Python se detuvo en la celda de código {cell} "
        "antes de definirla. Revisa esa celda (¿`os._exit`, `sys.exit`, memoria agotada?).",
        "en": "Variable `{name}` was not found: the Python kernel stopped in code cell {cell} before "
        "defining it. Check that cell (`os._exit`, `sys.exit`, out of memory?).",
    },
    "artifact.absent_timeout": {
        "es": "No se encontró la variable `{name}`: la celda de código {cell} superó el límite de tiempo "
        "({limit} s) antes de definirla. Revisa si tiene un bucle infinito, o usa menos épocas o un "
        "modelo más pequeño.",
        "en": "Variable `{name}` was not found: code cell {cell} went over the time limit ({limit} s) "
        "before defining it. Check it for an infinite loop, or use fewer epochs or a smaller model.",
    },
    "artifact.not_run": {
        "es": "No se pudo evaluar `{name}`: el notebook no se pudo ejecutar (el motivo está en el "
        "resumen de la ejecución).",
        "en": "Could not evaluate `{name}`: the notebook could not be run (the reason is in the "
        "execution summary).",
    },
    "artifact.candidates": {
        "es": "No hay ninguna variable `{name}` y hay varios modelos ({candidates}); el grader no "
        "adivina cuál es. Guarda el modelo del ejercicio en la variable `{name}`.",
        "en": "There is no variable `{name}` and there are several models ({candidates}); the "
        "grader will not guess which one. Store the exercise's model in `{name}`.",
    },
    "artifact.unsupported": {
        "es": "`{name}` es de tipo `{type}`, pero el grader solo acepta {expected_kind}. "
        "Conviértelo antes de guardarlo en `{name}`.",
        "en": "`{name}` has type `{type}`, but the grader only accepts {expected_kind}. "
        "Convert it before storing it in `{name}`.",
    },
    "artifact.save_failed": {
        "es": "El modelo `{name}` no se pudo guardar en formato .keras: {error}. Usa capas "
        "estándar de Keras y asegúrate de que el modelo esté construido.",
        "en": "Model `{name}` could not be saved in .keras format: {error}. Use standard Keras "
        "layers and make sure the model is built.",
    },
    "artifact.found_as": {
        "es": "Se usó la variable `{found_as}` porque no hay ninguna `{name}`. Usa el nombre "
        "`{name}` para evitar confusiones.",
        "en": "Variable `{found_as}` was used because there is no `{name}`. Use the name `{name}` "
        "to avoid confusion.",
    },
    "artifact.too_large": {
        "es": "Lo exportado para `{name}` es demasiado grande para comprobarlo ({error}); no se usa. "
        "Deja en `{name}` solo lo que pide el enunciado.",
        "en": "What was exported for `{name}` is too large to check ({error}); it is not used. "
        "Keep in `{name}` only what the statement asks for.",
    },
    "artifact.manifest_forged": {
        "es": "El registro que el grader guarda de lo exportado (manifest.json) fue alterado ({error}); "
        "no se usa nada de él, y ninguna variable pudo comprobarse. No toques la carpeta del grader.",
        "en": "The grader's record of what was exported (manifest.json) was tampered with ({error}); "
        "none of it is used, and no variable could be checked. Leave the grader's folder alone.",
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
        "es": "un valor simple (un número, un texto, una tupla, una lista o un arreglo de NumPy)",
        "en": "a plain value (a number, a string, a tuple, a list or a NumPy array)",
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
    # ------------------------------------------ hidden checks (grader.pipeline.reveal): never the expected value
    "value.wrong.hidden": {
        "es": "`{name}` vale {found}: no es correcto. Revisa el cálculo.",
        "en": "`{name}` is {found}: not correct. Check your calculation.",
    },
    "value.wrong_length.hidden": {
        "es": "`{name}` tiene {found_len} elementos ({found}): no es la cantidad pedida.",
        "en": "`{name}` has {found_len} items ({found}): not the number asked for.",
    },
    "value.wrong_shape.hidden": {
        "es": "`{name}` tiene forma {found}: no es la forma pedida.",
        "en": "`{name}` has shape {found}: not the shape asked for.",
    },
    "value.not_in_set.hidden": {
        "es": "`{name}` vale {found}: no es una de las respuestas aceptadas.",
        "en": "`{name}` is {found}: not one of the accepted answers.",
    },
    "value.elements_differ.hidden": {
        "es": "`{name}`: no todos sus {n} elementos son correctos. Revisa el cálculo.",
        "en": "`{name}`: not all of its {n} items are correct. Check your calculation.",
    },
    "text.missing_idea.hidden": {
        "es": "A `{name}` todavía le falta hablar de alguna de las ideas que pide el enunciado. Completa la "
        "explicación (tu profesor la leerá).",
        "en": "`{name}` does not yet talk about every idea the statement asks about. Complete the "
        "explanation (your instructor will read it).",
    },
    "structure.wrong.hidden": {
        "es": "La arquitectura no coincide con la pedida; la tuya: {summary_found}.",
        "en": "The architecture does not match the one asked for; yours: {summary_found}.",
    },
    "structure.count.hidden": {
        "es": "El modelo tiene {found} capas: no son las que pide el ejercicio.",
        "en": "The model has {found} layers: not the number the exercise asks for.",
    },
    "structure.type.hidden": {
        "es": "Capa {pos}: `{found}` no es el tipo de capa pedido.",
        "en": "Layer {pos}: `{found}` is not the type of layer asked for.",
    },
    "structure.missing_layer.hidden": {
        "es": "Capa {pos}: falta una capa.",
        "en": "Layer {pos}: a layer is missing.",
    },
    "structure.attr.hidden": {
        "es": "Capa {pos} ({layer}): `{attr}={found}` no es lo que pide el ejercicio.",
        "en": "Layer {pos} ({layer}): `{attr}={found}` is not what the exercise asks for.",
    },
    "shapes.wrong.hidden": {
        "es": "{what}: forma {found}; no es la que pide el ejercicio.",
        "en": "{what}: shape {found}; not the one the exercise asks for.",
    },
    "structure.ok.hidden": {
        "es": "La arquitectura coincide con la pedida.",
        "en": "The architecture matches the one asked for.",
    },
    "shapes.ok.hidden": {
        "es": "Las formas de salida coinciden con las pedidas.",
        "en": "Output shapes match the ones asked for.",
    },
    "params.ok.hidden": {
        "es": "Número de parámetros correcto.",
        "en": "Parameter count is right.",
    },
    "params.wrong.hidden": {
        "es": "{what}: {found} parámetros; no es la cantidad correcta.",
        "en": "{what}: {found} parameters; not the right count.",
    },
    "params.too_many.hidden": {
        "es": "El modelo tiene {found} parámetros: demasiados para esta parte. Prueba con menos neuronas o "
        "menos capas.",
        "en": "The model has {found} parameters: too many for this part. Try fewer units or fewer layers.",
    },
    "metric.ok.hidden": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; llega al mínimo pedido.",
        "en": "{metric} computed by the grader on {data}: {found}; it reaches the threshold.",
    },
    "metric.low.hidden": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; no llega al mínimo pedido. Revisa el "
        "preprocesamiento, la función de pérdida y el número de épocas.",
        "en": "{metric} computed by the grader on {data}: {found}; it does not reach the threshold. Check "
        "preprocessing, the loss function and the number of epochs.",
    },
    "reveal.pass": {"es": "Correcto.", "en": "Correct."},
    "reveal.fail": {
        "es": "No es correcto. Esta comprobación no muestra el valor esperado: revisa el enunciado.",
        "en": "Not correct. This check does not show the expected value: read the statement again.",
    },
    "word.hidden": {"es": "oculto", "en": "hidden"},
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
    "params.too_many": {
        "es": "El modelo tiene {found} parámetros; para esta parte se pide como mucho {expected}. "
        "Prueba con menos neuronas o menos capas.",
        "en": "The model has {found} parameters; this part asks for at most {expected}. Try fewer "
        "units or fewer layers.",
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
    "score.compat_charge": {
        "es": "Se descuentan {points} punto(s): el notebook solo corrió porque el grader adaptó {n} nombre(s) "
              "antiguo(s) ({rules}); escríbelos como se indica en las adaptaciones y no se descontará nada.",
        "en": "{points} point(s) taken off: the notebook ran only because the grader adapted {n} old name(s) "
              "({rules}); write them as the adaptations say and nothing is taken off.",
    },
    "score.withheld": {
        "es": "Sin puntos por ahora: esta parte cuenta solo cuando también pasa {checks}. Arregla eso "
        "primero y estos puntos se suman solos.",
        "en": "No points for now: this part counts only when {checks} passes too. Fix that first and "
        "these points are added by themselves.",
    },
    # how messages name a metric ("{metric} calculada por el grader …": every name is feminine)
    "metric.name.accuracy": {"es": "La exactitud (accuracy)", "en": "Accuracy"},
    "metric.name.auc": {"es": "El área bajo la curva ROC (AUC)", "en": "The area under the ROC curve (AUC)"},
    "metric.name.precision": {"es": "La precisión", "en": "Precision"},
    "metric.name.recall": {"es": "La sensibilidad (recall)", "en": "Recall"},
    "metric.name.f1": {"es": "La medida F1", "en": "The F1 score"},
    "metric.data_split": {"es": "{dataset} ({split}, {n} ejemplos)", "en": "{dataset} ({split}, {n} examples)"},
    "metric.data_holdout": {
        "es": "las {n} filas de prueba de {dataset} (train_test_split con test_size={test_size}, "
        "random_state={random_state})",
        "en": "the {n} test rows of {dataset} (train_test_split with test_size={test_size}, "
        "random_state={random_state})",
    },
    "metric.split_all": {"es": "todos los datos", "en": "all the data"},
    "metric.split_train": {"es": "entrenamiento", "en": "training"},
    "metric.split_test": {"es": "prueba", "en": "test"},
    "metric.swapped": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; se pedía al menos {expected}. "
        "Con las clases al revés sería {swapped}: parece que codificaste las etiquetas al revés. "
        "La clase positiva (1) debe ser `{positive}`.",
        "en": "{metric} computed by the grader on {data}: {found}; at least {expected} was asked. "
        "With the classes swapped it would be {swapped}: it looks like the labels are encoded "
        "the other way round. The positive class (1) must be `{positive}`.",
    },
    "metric.eval_failed": {
        "es": "El grader no pudo evaluar el modelo sobre {data}: {error}. La entrada del modelo "
        "debe tener forma {input_shape}.",
        "en": "The grader could not evaluate the model on {data}: {error}. The model's input "
        "must have shape {input_shape}.",
    },
    "metric.not_normalized": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; se pedía al menos {expected}. "
        "Con los píxeles sin dividir entre {divide} tu modelo llega a {raw}: lo entrenaste con los "
        "datos sin normalizar. Divide las imágenes entre {divide} (entrenamiento y prueba) antes de "
        "entrenar, como pide el enunciado; el grader evalúa con los datos normalizados.",
        "en": "{metric} computed by the grader on {data}: {found}; at least {expected} was asked. "
        "With the pixels not divided by {divide} your model reaches {raw}: it was trained on "
        "unnormalized data. Divide the images by {divide} (training and test) before training, as "
        "the statement asks; the grader evaluates on normalized data.",
    },
}
