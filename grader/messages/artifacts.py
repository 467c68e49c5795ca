"""What the report says about the artifacts themselves: found, missing and why (read from the
notebook's code: grader.checks.diagnose), of the wrong type, too large, or discovered by role."""

TEXTS: dict[str, dict[str, str]] = {
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
    "artifact.alias_is_code": {
        "es": "No se encontró la variable `{name}`. En la celda de código {cell}, `{alias}` es código "
        "que importaste o definiste (una función, una clase o un módulo), no tu resultado, así que no "
        "cuenta como `{name}`. Guarda tu resultado en `{name}`.",
        "en": "Variable `{name}` was not found. In code cell {cell}, `{alias}` is code you imported or "
        "defined (a function, a class or a module), not your result, so it does not count as "
        "`{name}`. Store your result in `{name}`.",
    },
    "artifact.assigned_in_failed_cell": {
        "es": "No se encontró la variable `{name}`: {subject} en la celda de código "
        "{cell}, que falló ({ename}: {evalue}) antes de asignarla. Corrige ese error y vuelve a "
        "ejecutar todo el notebook.",
        "en": "Variable `{name}` was not found: {subject} in code cell {cell}, which "
        "failed ({ename}: {evalue}) before assigning it. Fix that error and run the whole notebook "
        "again.",
    },
    "artifact.absent_limit": {
        "es": "No se encontró la variable `{name}`: {subject} en la celda de código {cell}, pero el notebook "
        "superó ahí el límite de {limit_what} ({value}) y el grader lo detuvo antes de asignarla. Haz que esa "
        "celda use menos, como explica el mensaje de la ejecución, y vuelve a ejecutar todo el notebook.",
        "en": "Variable `{name}` was not found: {subject} in code cell {cell}, but the notebook went over the "
        "{limit_what} limit ({value}) there and the grader stopped it before assigning it. Make that cell use "
        "less, as the execution message explains, and run the whole notebook again.",
    },
    "limit.what.memory": {"es": "memoria", "en": "memory"},
    "limit.what.processes": {"es": "procesos", "en": "processes"},
    "limit.what.disk": {"es": "disco", "en": "disk"},
    "limit.what.output": {"es": "salida", "en": "output"},
    "artifact.is_code": {
        "es": "`{name}` es {code_what}, no un valor: el ejercicio pide lo que calcula. Guarda el resultado en "
        "`{name}` (y da otro nombre a la función, si la necesitas).",
        "en": "`{name}` is {code_what}, not a value: the exercise asks for what it computes. Store the result in "
        "`{name}` (and give the function another name, if you need it).",
    },
    "code.what.function": {"es": "una función", "en": "a function"},
    "code.what.class": {"es": "una clase", "en": "a class"},
    "code.what.module": {"es": "un módulo", "en": "a module"},
    "artifact.assigned_in_failed_cell_root": {
        "es": "No se encontró la variable `{name}`: {subject} en la celda de código {cell}, que falló "
        "({ename}: {evalue}) porque antes había fallado la celda de código {root_cell}, de la que depende "
        "({root_ename}: {root_evalue}). Corrige primero ese error y vuelve a ejecutar todo el notebook.",
        "en": "Variable `{name}` was not found: {subject} in code cell {cell}, which failed ({ename}: "
        "{evalue}) because code cell {root_cell}, which it depends on, had failed before ({root_ename}: "
        "{root_evalue}). Fix that error first and run the whole notebook again.",
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
    "artifact.returned_as": {
        "es": "No se encontró la variable `{name}`: {subject} dentro de `{owner}`, en la celda de código "
        "{cell}; `{owner}` la devuelve con `return` y la celda de código {bound_cell} guarda lo que devuelve "
        "en `{bound}`. Guárdalo con el nombre que pide el ejercicio: `{name} = {owner}(…)`.",
        "en": "Variable `{name}` was not found: {subject} inside `{owner}`, in code cell {cell}; `{owner}` "
        "returns it and code cell {bound_cell} keeps what it returns in `{bound}`. Keep it under the "
        "name the exercise asks for: `{name} = {owner}(…)`.",
    },
    "artifact.returned_not_kept": {
        "es": "No se encontró la variable `{name}`: {subject} dentro de `{owner}`, en la celda de código "
        "{cell}; `{owner}` la devuelve con `return`, pero ninguna celda guarda lo que devuelve. Guarda el "
        "resultado fuera de la función: `{name} = {owner}(…)`.",
        "en": "Variable `{name}` was not found: {subject} inside `{owner}`, in code cell {cell}; `{owner}` "
        "returns it, but no cell keeps what it returns. Keep the result outside the function: "
        "`{name} = {owner}(…)`.",
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
    "artifact.discovered": {
        "es": "Se calificó el modelo `{found_as}` porque no hay ninguna `{name}`: de los modelos del "
        "notebook ({candidates}), es {why}. Si no es el del ejercicio, guarda el del ejercicio en `{name}`.",
        "en": "Model `{found_as}` was graded because there is no `{name}`: of the notebook's models "
        "({candidates}), it is {why}. If it is not the exercise's, store the exercise's model in `{name}`.",
    },
    "artifact.discovered_trained": {
        "es": "Se calificó el modelo `{found_as}` y no `{instead_of}`: `{instead_of}` nunca se entrenó y "
        "`{found_as}` es el último modelo entrenado con `fit` cuya entrada y salida encajan con los datos "
        "del ejercicio. Guarda en `{name}` el modelo que entrenas.",
        "en": "Model `{found_as}` was graded, not `{instead_of}`: `{instead_of}` was never trained and "
        "`{found_as}` is the last model trained with `fit` whose input and output fit the exercise's "
        "data. Store the model you train in `{name}`.",
    },
    "artifact.discovered_value": {
        "es": "Se usó `{found_as}` porque no hay ninguna `{name}`: es el DataFrame con {rows} filas y las "
        "columnas {columns} (el último creado, de {n_candidates}). Usa el nombre `{name}`.",
        "en": "`{found_as}` was used because there is no `{name}`: it is the DataFrame with {rows} rows "
        "and the columns {columns} (the last created, of {n_candidates}). Use the name `{name}`.",
    },
    "artifact.why.role": {
        "es": "el único cuya entrada y salida encajan con los datos del ejercicio",
        "en": "the only one whose input and output fit the exercise's data",
    },
    "artifact.why.last_trained": {
        "es": "el último cuyo `fit` terminó (entre los que encajan con los datos del ejercicio)",
        "en": "the last one whose `fit` finished (among those that fit the exercise's data)",
    },
    "artifact.why.last_trained_any": {
        "es": "el último cuyo `fit` terminó",
        "en": "the last one whose `fit` finished",
    },
    "artifact.why.last_trained_cut": {
        "es": "el último que se entrenó con `fit` (entre los que encajan con los datos del ejercicio); su "
        "`fit` no terminó porque se agotó el límite de tiempo de la celda tras {epochs} época(s), así que "
        "se califica con ese entrenamiento parcial",
        "en": "the last one trained with `fit` (among those that fit the exercise's data); its `fit` did "
        "not finish because the cell's time limit ran out after {epochs} epoch(s), so it is graded with "
        "that partial training",
    },
    "artifact.why.last_trained_cut_any": {
        "es": "el último que se entrenó con `fit`; su `fit` no terminó porque se agotó el límite de tiempo "
        "de la celda tras {epochs} época(s), así que se califica con ese entrenamiento parcial",
        "en": "the last one trained with `fit`; its `fit` did not finish because the cell's time limit ran "
        "out after {epochs} epoch(s), so it is graded with that partial training",
    },
    "artifact.why.last_created": {
        "es": "el último que se creó entre los que encajan con los datos del ejercicio (ninguno de ellos se "
        "entrenó con `fit`)",
        "en": "the last one created among those that fit the exercise's data (none of them was trained "
        "with `fit`)",
    },
    "artifact.why.last_created_any": {
        "es": "el último que se creó con alguna capa (ninguno se entrenó con `fit`)",
        "en": "the last one created with any layers (none was trained with `fit`)",
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
        "es": "El modelo `{name}` no se puede cargar de forma segura. Keras solo reconstruye "
        "sin riesgo lo que conoce por su nombre: una capa `Lambda`, una clase propia o una función "
        "como activación (`activation=tf.nn.relu`) no se cargan. Usa capas estándar de Keras y "
        "activaciones por su nombre (`activation='relu'`). Error de Keras: `{error}`",
        "en": "Model `{name}` cannot be loaded safely. Keras only rebuilds safely what it "
        "knows by name: a `Lambda` layer, a class of your own or a function as an activation "
        "(`activation=tf.nn.relu`) does not load. Use standard Keras layers and activations by "
        "name (`activation='relu'`). Keras's error: `{error}`",
    },
    "model.not_built": {
        "es": "El modelo `{name}` ({layers}) no está construido: Keras no sabe qué forma tiene su entrada, "
        "así que sus capas aún no tienen pesos. Agrega `keras.Input(shape=...)` como primera capa o "
        "entrénalo con `fit`.",
        "en": "Model `{name}` ({layers}) is not built: Keras does not know the shape of its input, so its "
        "layers have no weights yet. Add `keras.Input(shape=...)` as its first layer or train it with "
        "`fit`.",
    },
    "model.empty": {
        "es": "El modelo `{name}` no tiene ninguna capa. Agrégale las capas que pide el enunciado.",
        "en": "Model `{name}` has no layers. Add the layers the statement asks for.",
    },
    "model.not_built_because": {
        "es": "El modelo `{name}` ({layers}) no está construido: sin `keras.Input`, Keras conoce la forma de su "
        "entrada en el primer `fit`, y ningún `fit` suyo terminó. {cause}",
        "en": "Model `{name}` ({layers}) is not built: without `keras.Input`, Keras learns its input shape at "
        "the first `fit`, and none of its `fit` calls finished. {cause}",
    },
    "model.no_weighted_layers": {
        "es": "El modelo `{name}` no tiene pesos: ninguna de sus capas ({layers}) tiene parámetros que "
        "aprender, así que no hay nada que entrenar ni que evaluar. Agrega las capas con pesos que "
        "pide el enunciado (por ejemplo `Dense` o `Conv2D`).",
        "en": "Model `{name}` has no weights: none of its layers ({layers}) has parameters to learn, so "
        "there is nothing to train or evaluate. Add the layers with weights the statement asks for "
        "(for instance `Dense` or `Conv2D`).",
    },
    "model.expected": {
        "es": "un modelo de Keras",
        "en": "a Keras model",
    },
    "value.expected": {
        "es": "un valor simple (un número, un texto, una tupla, una lista o un arreglo de NumPy)",
        "en": "a plain value (a number, a string, a tuple, a list or a NumPy array)",
    },
}
