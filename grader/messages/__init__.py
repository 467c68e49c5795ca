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
        "es": "No se encontró la variable `{name}`: el kernel de Python se detuvo en la celda {cell} "
        "antes de definirla. Revisa esa celda (¿`os._exit`, `sys.exit`, memoria agotada?).",
        "en": "Variable `{name}` was not found: the Python kernel stopped in cell {cell} before "
        "defining it. Check that cell (`os._exit`, `sys.exit`, out of memory?).",
    },
    "artifact.absent_timeout": {
        "es": "No se encontró la variable `{name}`: la celda {cell} superó el límite de tiempo "
        "({limit} s) antes de definirla. Revisa si tiene un bucle infinito, o usa menos épocas o un "
        "modelo más pequeño.",
        "en": "Variable `{name}` was not found: cell {cell} went over the time limit ({limit} s) "
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
    # ---------------------------------------------------------------- training (the grader's fit log)
    "training.ok": {
        "es": "Entrenamiento como se pedía (registrado por el grader: {fits}).",
        "en": "Training as asked (logged by the grader: {fits}).",
    },
    "training.no_fit": {
        "es": "El grader no registró ningún entrenamiento terminado (`fit`) del modelo; se esperaba "
        "al menos {expected}. Entrena el modelo con `model.fit(...)` y ejecuta todas las celdas.",
        "en": "The grader logged no finished training (`fit`) of the model; at least {expected} was "
        "expected. Train the model with `model.fit(...)` and run every cell.",
    },
    "training.no_callback": {
        "es": "Ningún `fit` usó un callback `{type}` (callbacks usados: {used}). Créalo y pásalo con "
        "`model.fit(..., callbacks=[...])`.",
        "en": "No `fit` used a `{type}` callback (callbacks used: {used}). Create one and pass it with "
        "`model.fit(..., callbacks=[...])`.",
    },
    "training.callback_setting": {
        "es": "El callback `{type}` tiene {setting}; se esperaba {expected_setting}. Cambia esos "
        "argumentos al crearlo.",
        "en": "The `{type}` callback has {setting}; expected {expected_setting}. Change those "
        "arguments where you create it.",
    },
    "training.no_validation": {
        "es": "El entrenamiento no tenía datos de validación, así que `val_accuracy` y `val_loss` no "
        "existen y el callback no puede vigilarlos. Pasa `validation_data=(X_val, y_val)` o "
        "`validation_split=0.2` a `fit`.",
        "en": "Training had no validation data, so `val_accuracy` and `val_loss` do not exist and the "
        "callback cannot monitor them. Pass `validation_data=(X_val, y_val)` or "
        "`validation_split=0.2` to `fit`.",
    },
    "training.not_stopped": {
        "es": "La parada temprana no detuvo el entrenamiento: se entrenaron {run} de {allowed} épocas. "
        "Comprueba `monitor` (¿existe esa métrica?), `patience` y que haya datos de validación.",
        "en": "Early stopping did not stop training: {run} of {allowed} epochs were trained. Check "
        "`monitor` (does that metric exist?), `patience` and that there is validation data.",
    },
    "training.not_stopped_cap": {
        "es": "La parada temprana no detuvo el entrenamiento antes del límite de épocas del grader "
        "({allowed} de las {asked} pedidas). Con la paciencia indicada debería detenerse antes: "
        "revisa `monitor`, `patience` y `min_delta`.",
        "en": "Early stopping did not stop training before the grader's epoch limit ({allowed} of the "
        "{asked} asked). With the patience given it should stop earlier: check `monitor`, "
        "`patience` and `min_delta`.",
    },
    "training.not_stopped_budget": {
        "es": "El entrenamiento llegó al límite de tiempo del grader ({run} épocas) sin que la parada "
        "temprana lo detuviera. Revisa `monitor`, `patience` y `min_delta`.",
        "en": "Training reached the grader's time limit ({run} epochs) without early stopping "
        "stopping it. Check `monitor`, `patience` and `min_delta`.",
    },
    "training.reported_epoch": {
        "es": "`{name}` vale {found}, pero el grader registró que la parada temprana se detuvo en la "
        "época {logged} (`stopped_epoch`). Guarda en `{name}` el valor de `es.stopped_epoch` después "
        "de entrenar.",
        "en": "`{name}` is {found}, but the grader logged that early stopping stopped at epoch "
        "{logged} (`stopped_epoch`). Store `es.stopped_epoch` in `{name}` after training.",
    },
    "training.batch_missing": {
        "es": "Falta entrenar con batch_size={missing} (el grader registró: {used}). El enunciado pide "
        "comparar esos tamaños de lote: entrena una vez con cada uno.",
        "en": "No training with batch_size={missing} (the grader logged: {used}). The statement asks "
        "to compare these batch sizes: train once with each.",
    },
    "training.on_split": {
        "es": "El `fit` de la celda {cell} entrena con los datos de {split} de {dataset} ({rows} "
        "ejemplos). Esos datos sirven para evaluar: entrena con los de entrenamiento y deja los de "
        "prueba para medir cómo generaliza el modelo.",
        "en": "The `fit` in cell {cell} trains on the {split} data of {dataset} ({rows} examples). "
        "That data is for evaluation: train on the training data and keep the test data to measure "
        "how well the model generalizes.",
    },
    # ---------------------------------------------------------------- free text
    "text.ok": {
        "es": "Respuesta de {found} palabras que toca las ideas pedidas. Es provisional: tu profesor "
        "lee las respuestas de texto libre.",
        "en": "A {found}-word answer that touches the ideas asked for. Provisional: your instructor "
        "reads free-text answers.",
    },
    "text.too_short": {
        "es": "`{name}` tiene {found} palabras; se piden al menos {min_words}. Explica con tus "
        "palabras qué observaste y por qué.",
        "en": "`{name}` has {found} words; at least {min_words} are asked. Explain in your own words "
        "what you observed and why.",
    },
    "text.missing_idea": {
        "es": "A `{name}` le falta hablar de: {missing}. Completa la explicación (tu profesor la "
        "leerá).",
        "en": "`{name}` does not talk about: {missing}. Complete the explanation (your instructor "
        "will read it).",
    },
    "text.not_text": {
        "es": "`{name}` debe ser un texto (str) con tu explicación; es de tipo {found_type}.",
        "en": "`{name}` must be a string with your explanation; it has type {found_type}.",
    },
    # ---------------------------------------------------------------- predictions (hidden labels)
    "predictions.ok": {
        "es": "{metric} de tus predicciones para los {n} pasajeros de `{file}`, calculada por el "
        "grader con las etiquetas reales (que tú no tienes): {found}; se pedía al menos {expected}.",
        "en": "{metric} of your predictions for the {n} passengers in `{file}`, computed by the "
        "grader with the real labels (which you do not have): {found}; at least {expected} was asked.",
    },
    "predictions.low": {
        "es": "{metric} de tus predicciones para los {n} pasajeros de `{file}`, calculada por el "
        "grader con las etiquetas reales: {found}; se pedía al menos {expected}. Revisa el "
        "preprocesamiento (datos faltantes rellenados, variables de texto convertidas a números, "
        "escala calculada con los datos de entrenamiento), la red y el número de épocas.",
        "en": "{metric} of your predictions for the {n} passengers in `{file}`, computed by the "
        "grader with the real labels: {found}; at least {expected} was asked. Check the "
        "preprocessing (missing data filled in, text columns turned into numbers, scaling computed "
        "on the training data), the network and the number of epochs.",
    },
    "predictions.swapped": {
        "es": "{metric} de tus predicciones para los {n} pasajeros de `{file}`: {found}; se pedía al "
        "menos {expected}. Con 0 y 1 intercambiados sería {swapped}: parece que codificaste las "
        "clases al revés. 1 debe significar `{positive}` y 0 lo contrario.",
        "en": "{metric} of your predictions for the {n} passengers in `{file}`: {found}; at least "
        "{expected} was asked. With 0 and 1 swapped it would be {swapped}: it looks like the "
        "classes are encoded the other way round. 1 must mean `{positive}` and 0 the opposite.",
    },
    "predictions.none": {
        "es": "`{name}` vale `None`: todavía no guardaste ahí tus predicciones. Se esperan {n} "
        "predicciones (0 o 1), una por pasajero de `{file}` y en el mismo orden, por ejemplo "
        "`{name} = (model.predict(X_test) >= 0.5).astype(int).ravel()`.",
        "en": "`{name}` is `None`: you have not stored your predictions in it yet. {n} predictions "
        "(0 or 1) are expected, one per passenger in `{file}` and in the same order, for example "
        "`{name} = (model.predict(X_test) >= 0.5).astype(int).ravel()`.",
    },
    "predictions.not_array": {
        "es": "`{name}` es de tipo `{found_type}` ({found}); se esperaban {n} predicciones (0 o 1), "
        "una por pasajero de `{file}` y en el mismo orden: un array de NumPy, una lista o un "
        "DataFrame con las columnas PassengerId y Survived.",
        "en": "`{name}` has type `{found_type}` ({found}); {n} predictions (0 or 1) were expected, "
        "one per passenger in `{file}` and in the same order: a NumPy array, a list or a DataFrame "
        "with columns PassengerId and Survived.",
    },
    "predictions.wrong_length": {
        "es": "`{name}` tiene {found_len} predicciones; se esperaban {expected_len}: una por pasajero "
        "de `{file}`, en el mismo orden que el archivo. Si quitaste filas de `{file}` (por ejemplo "
        "con `dropna()`), no lo hagas: rellena los datos que faltan y predice para todos los pasajeros.",
        "en": "`{name}` has {found_len} predictions; {expected_len} were expected: one per passenger "
        "in `{file}`, in the file's order. If you removed rows from `{file}` (with `dropna()`, for "
        "example), don't: fill in the missing data and predict for every passenger.",
    },
    "predictions.other_split": {
        "es": "`{name}` tiene {found_len} predicciones, tantas como pasajeros hay en `{other_file}`; "
        "se piden las de `{file}`: {expected_len}, una por pasajero y en el mismo orden. Aplica a "
        "`{file}` el mismo preprocesamiento y usa `model.predict` sobre esos datos.",
        "en": "`{name}` has {found_len} predictions, as many as there are passengers in "
        "`{other_file}`; the ones for `{file}` are asked for: {expected_len}, one per passenger and "
        "in the same order. Apply the same preprocessing to `{file}` and call `model.predict` on it.",
    },
    "predictions.wrong_shape": {
        "es": "`{name}` tiene forma {found}; se esperaban {n} predicciones, una por pasajero de "
        "`{file}` y en el mismo orden: un vector de forma ({n},) o ({n}, 1) con 0 o 1, o una tabla "
        "de {n} filas con las columnas PassengerId y Survived (como el archivo de envío de Kaggle). "
        "Por ejemplo: `{name} = (model.predict(X_test) >= 0.5).astype(int).ravel()`.",
        "en": "`{name}` has shape {found}; {n} predictions were expected, one per passenger in "
        "`{file}` and in the same order: a vector of shape ({n},) or ({n}, 1) holding 0 or 1, or a "
        "table of {n} rows with columns PassengerId and Survived (like Kaggle's submission file). "
        "For example: `{name} = (model.predict(X_test) >= 0.5).astype(int).ravel()`.",
    },
    "predictions.bad_values": {
        "es": "`{name}` tiene valores que no son 0/1 ni probabilidades entre 0 y 1 (por ejemplo "
        "{examples}; mínimo {min}, máximo {max}). Guarda 1 si predices que el pasajero sobrevive y "
        "0 si no; si tienes las probabilidades de `model.predict`, conviértelas con "
        "`(p >= 0.5).astype(int)`. Si la última capa no tiene `activation='sigmoid'`, sus salidas "
        "no son probabilidades.",
        "en": "`{name}` holds values that are neither 0/1 nor probabilities between 0 and 1 (for "
        "example {examples}; minimum {min}, maximum {max}). Store 1 when you predict the passenger "
        "survives and 0 otherwise; if you have the probabilities from `model.predict`, turn them "
        "into 0/1 with `(p >= 0.5).astype(int)`. If the last layer has no `activation='sigmoid'`, "
        "its outputs are not probabilities.",
    },
    "predictions.ids_mismatch": {
        "es": "La columna PassengerId de `{name}` no coincide con los {n} pasajeros de `{file}`: "
        "faltan {missing} (por ejemplo {missing_examples}) y sobran o se repiten {extra} (por "
        "ejemplo {extra_examples}). Usa la columna `PassengerId` de `{file}` tal como viene, sin "
        "quitar ni repetir filas.",
        "en": "The PassengerId column of `{name}` does not match the {n} passengers in `{file}`: "
        "{missing} are missing (for example {missing_examples}) and {extra} are extra or repeated "
        "(for example {extra_examples}). Use the `PassengerId` column of `{file}` as it comes, "
        "without removing or repeating rows.",
    },
    "predictions.reordered": {
        "es": "Las filas de `{name}` no seguían el orden de `{file}`; el grader las ordenó por "
        "PassengerId antes de calificar.",
        "en": "The rows of `{name}` were not in the order of `{file}`; the grader sorted them by "
        "PassengerId before grading.",
    },
    "predictions.id_column": {
        "es": "La columna {column} de `{name}` se tomó como PassengerId y la otra como tu predicción.",
        "en": "Column {column} of `{name}` was taken as PassengerId and the other one as your prediction.",
    },
    "predictions.thresholded": {
        "es": "`{name}` tiene probabilidades, no 0/1; el grader tomó 1 cuando son ≥ 0.5. La próxima "
        "vez guarda directamente las clases: `(p >= 0.5).astype(int)`.",
        "en": "`{name}` holds probabilities, not 0/1; the grader took 1 where they are ≥ 0.5. Next "
        "time store the classes directly: `(p >= 0.5).astype(int)`.",
    },
    "predictions.argmax": {
        "es": "`{name}` tiene dos columnas de probabilidades (una salida softmax); el grader tomó en "
        "cada fila la clase más probable.",
        "en": "`{name}` has two columns of probabilities (a softmax output); the grader took the "
        "most likely class of each row.",
    },
    "predictions.constant": {
        "es": "Todas tus predicciones son {value}: la red responde lo mismo para todos los pasajeros. "
        "Revisa que las columnas numéricas estén escaladas y que la red de verdad se entrenó.",
        "en": "All your predictions are {value}: the network answers the same for every passenger. "
        "Check that the numeric columns are scaled and that the network was really trained.",
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
    "ran.not_run": {
        "es": "El notebook no llegó a ejecutarse (el motivo está en el resumen de la ejecución).",
        "en": "The notebook did not run at all (the reason is in the execution summary).",
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
        "es": "Se acabó el tiempo en la celda {cell} (límite: {limit} s). Lo calificado hasta ese "
        "punto se conserva.",
        "en": "Time ran out in cell {cell} (limit: {limit} s). What was graded up to that point is kept.",
    },
    "exec.dead_kernel": {
        "es": "El kernel de Python se detuvo en la celda {cell}; las celdas siguientes no se "
        "ejecutaron. Lo calificado hasta ese punto se conserva.",
        "en": "The Python kernel stopped in cell {cell}; the cells after it did not run. What was "
        "graded up to that point is kept.",
    },
    "exec.oom": {
        "es": "El notebook usó más de {limit} de memoria{during} en la celda {cell} y se detuvo ahí; "
        "lo calificado hasta ese punto se conserva. Para arreglarlo: usa un batch_size menor, no "
        "cargues los datos varias veces y libera lo que no uses (por ejemplo `del` de arreglos grandes).",
        "en": "The notebook used more than {limit} of memory{during} in cell {cell} and was stopped "
        "there; what was graded up to that point is kept. To fix it: use a smaller batch_size, do not "
        "load the data several times and free what you no longer need (`del` large arrays).",
    },
    "exec.process_limit": {
        "es": "El notebook creó demasiados procesos o hilos (más de {limit}) en la celda {cell} y se "
        "detuvo ahí; lo calificado hasta ese punto se conserva. No lances procesos en un bucle "
        "(`os.fork`, `multiprocessing`): Keras ya usa los núcleos disponibles.",
        "en": "The notebook started too many processes or threads (more than {limit}) in cell {cell} "
        "and was stopped there; what was graded up to that point is kept. Do not start processes in a "
        "loop (`os.fork`, `multiprocessing`): Keras already uses the cores available.",
    },
    "exec.disk_limit": {
        "es": "El notebook escribió más de {limit} en disco{during} en la celda {cell} y se detuvo "
        "ahí; lo calificado hasta ese punto se conserva. Guarda solo lo necesario: el modelo final, "
        "no uno por época ni copias de los datos.",
        "en": "The notebook wrote more than {limit} to disk{during} in cell {cell} and was stopped "
        "there; what was graded up to that point is kept. Save only what is needed: the final model, "
        "not one per epoch nor copies of the data.",
    },
    "exec.output_limit": {
        "es": "El notebook imprimió más de {limit} de salida{during} en la celda {cell} y se "
        "detuvo ahí; lo calificado hasta ese punto se conserva. Usa `verbose=0` o `verbose=2` en "
        "`fit` y no imprimas arreglos enteros dentro de bucles.",
        "en": "The notebook printed more than {limit} of output{during} in cell {cell} and was "
        "stopped there; what was graded up to that point is kept. Use `verbose=0` or `verbose=2` in "
        "`fit` and do not print whole arrays inside loops.",
    },
    "limit.during_training": {"es": " mientras entrenaba", "en": " while training"},
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
    "notebook.empty": {"es": "el archivo está vacío", "en": "the file is empty"},
    "notebook.encoding": {"es": "el archivo no es texto UTF-8", "en": "the file is not UTF-8 text"},
    "notebook.json": {"es": "su contenido no es JSON de notebook válido ({error})",
                      "en": "its content is not valid notebook JSON ({error})"},
    "notebook.text": {"es": "es texto común, no un notebook (un .ipynb es JSON y empieza con «{{»)",
                      "en": "it is plain text, not a notebook (an .ipynb is JSON and starts with “{{”)"},
    "notebook.unreadable": {"es": "no se pudo leer el archivo", "en": "the file could not be read"},
    "notebook.too_large": {
        "es": "el archivo ocupa {size} MB y el límite es {limit} MB; borra las salidas "
        "(Editar → Borrar todas las salidas) y vuelve a descargarlo",
        "en": "the file takes {size} MB and the limit is {limit} MB; clear all outputs (Edit → Clear "
        "all outputs) and download it again"},
    "notebook.code_too_large": {
        "es": "las celdas de código suman {size} MB (límite {limit} MB): no pegues datos dentro del "
        "código, léelos del archivo del ejercicio",
        "en": "the code cells add up to {size} MB (limit {limit} MB): do not paste data into the code, "
        "read it from the exercise's file"},
    "notebook.zip_none": {"es": "el zip no contiene ningún cuaderno (.ipynb); tiene: {files}",
                          "en": "the zip holds no notebook (.ipynb); it has: {files}"},
    "notebook.zip_empty": {"es": "el zip no contiene ningún cuaderno (.ipynb): está vacío",
                           "en": "the zip holds no notebook (.ipynb): it is empty"},
    "notebook.zip_many": {"es": "el zip contiene {n} notebooks ({files}); entrega uno solo",
                          "en": "the zip holds {n} notebooks ({files}); hand in just one"},
    "notebook.zip_broken": {"es": "el zip está dañado", "en": "the zip is damaged"},
    "notebook.pdf": {"es": "es un PDF, no un notebook: entrega el archivo .ipynb",
                     "en": "it is a PDF, not a notebook: hand in the .ipynb file"},
    "notebook.html": {"es": "es una exportación HTML, no un notebook: entrega el archivo .ipynb",
                      "en": "it is an HTML export, not a notebook: hand in the .ipynb file"},
    "notebook.archive": {"es": "es un archivo comprimido que no es zip (gz, rar, 7z): entrega el .ipynb "
                                  "o un .zip",
                         "en": "it is a compressed file other than zip (gz, rar, 7z): hand in the .ipynb "
                               "or a .zip"},
    "notebook.binary": {"es": "es un archivo binario, no un notebook", "en": "it is a binary file, not a notebook"},
    "notebook.not_notebook": {"es": "es JSON válido pero no un notebook (no tiene celdas)",
                              "en": "it is valid JSON but not a notebook (it has no cells)"},
    "notebook.language": {"es": "es un notebook de {language}, no de Python",
                          "en": "it is a {language} notebook, not a Python one"},
    # ---------------------------------------------------------------- adaptations (grader.kernel events)
    "adapt.intake_zip": {
        "es": "Se entregó un zip: se calificó el notebook `{file}` que contiene.",
        "en": "A zip was handed in: the notebook inside it, `{file}`, was graded.",
    },
    "adapt.intake_encoding": {
        "es": "El notebook estaba guardado en {encoding}, no en UTF-8; se leyó igual. Guárdalo "
        "desde Jupyter o Colab para evitarlo.",
        "en": "The notebook was saved as {encoding}, not UTF-8; it was read anyway. Save it from "
        "Jupyter or Colab to avoid this.",
    },
    "adapt.intake_nbformat": {
        "es": "El notebook tenía el formato antiguo nbformat {version}; se convirtió al formato 4.",
        "en": "The notebook was in the old nbformat {version}; it was converted to format 4.",
    },
    "adapt.intake_script": {
        "es": "Se entregó un script de Python (`{file}`), no un .ipynb: se convirtió en un notebook "
        "de {cells} celdas de código. Entrega el .ipynb la próxima vez.",
        "en": "A Python script (`{file}`) was handed in, not an .ipynb: it was turned into a notebook "
        "of {cells} code cells. Hand in the .ipynb next time.",
    },
    "adapt.intake_big": {
        "es": "El notebook ocupaba {size} MB ({outputs} MB de salidas, {widgets} MB de estado de "
        "widgets); las salidas se descartaron antes de ejecutarlo.",
        "en": "The notebook took {size} MB ({outputs} MB of outputs, {widgets} MB of widget state); "
        "the outputs were dropped before running it.",
    },
    "adapt.selfcheck_skipped": {
        "es": "La celda de autocomprobación (`check()`) no se ejecutó durante la calificación.",
        "en": "The self-check cell (`check()`) did not run during grading.",
    },
    "adapt.load_data": {
        "es": "`{dataset}.load_data()` se respondió sin red con la copia local ({train} de "
        "entrenamiento, {test} de prueba).",
        "en": "`{dataset}.load_data()` was answered offline from the local copy ({train} training, "
        "{test} test).",
    },
    "adapt.path_redirect": {
        "es": "La ruta `{path}` no existe aquí; se leyó el archivo del ejercicio `{file}`. Para el "
        "futuro: lee los datos con una ruta relativa (`{file}`).",
        "en": "Path `{path}` does not exist here; the exercise's file `{file}` was read instead. "
        "Next time read the data with a relative path (`{file}`).",
    },
    "adapt.url_redirect": {
        "es": "Sin red: `{path}` se leyó de la copia local del ejercicio, `{file}`.",
        "en": "No network: `{path}` was read from the exercise's local copy, `{file}`.",
    },
    "adapt.get_file": {
        "es": "`get_file('{origin}')` no descargó nada: se usó la copia local del ejercicio, `{file}`.",
        "en": "`get_file('{origin}')` downloaded nothing: the exercise's local copy, `{file}`, was used.",
    },
    "adapt.chdir_skipped": {
        "es": "No se cambió a la carpeta `{path}` (no existe aquí); el notebook siguió en la "
        "carpeta del ejercicio.",
        "en": "Did not change to folder `{path}` (it does not exist here); the notebook stayed in "
        "the exercise's folder.",
    },
    "adapt.drive_mount": {
        "es": "`drive.mount('{mountpoint}')` se omitió: no hace falta Google Drive, los archivos "
        "del ejercicio ya están disponibles.",
        "en": "`drive.mount('{mountpoint}')` was skipped: Google Drive is not needed, the "
        "exercise's files are already there.",
    },
    "adapt.files_upload": {
        "es": "`files.upload()` se respondió con los {files} archivo(s) del ejercicio, sin esperar a "
        "nadie.",
        "en": "`files.upload()` was answered with the exercise's {files} file(s), without waiting "
        "for anyone.",
    },
    "adapt.files_download": {
        "es": "`files.download('{file}')` se omitió.",
        "en": "`files.download('{file}')` was skipped.",
    },
    "adapt.skipped_call": {"es": "`{call}` se omitió.", "en": "`{call}` was skipped."},
    "adapt.shell_skipped": {
        "es": "El comando `!{command}` se omitió: el grader no instala paquetes ni descarga nada "
        "(trabaja sin red). Las bibliotecas del curso ya están instaladas.",
        "en": "Command `!{command}` was skipped: the grader installs and downloads nothing (it "
        "works offline). The course's libraries are already installed.",
    },
    "adapt.shell_answered": {
        "es": "`!{command}` no descargó nada: se copió el archivo del ejercicio a `{file}`.",
        "en": "`!{command}` downloaded nothing: the exercise's file was copied to `{file}`.",
    },
    "adapt.magic_skipped": {
        "es": "`{magic}` se omitió (el entorno del grader ya está listo).",
        "en": "`{magic}` was skipped (the grader's environment is ready).",
    },
    "adapt.display_stand_in": {
        "es": "`{module}` no está instalado en el entorno del grader. Como solo muestra resultados "
        "(gráficos, tablas, widgets), se usó un sustituto: sus llamadas se ejecutaron sin mostrar "
        "nada y el resto del notebook siguió. Los cálculos no cambian.",
        "en": "`{module}` is not installed in the grader's environment. As it only displays results "
        "(plots, tables, widgets), a stand-in was used: its calls ran without showing anything and "
        "the rest of the notebook went on. The computations do not change.",
    },
    "adapt.plot_model_skipped": {
        "es": "`plot_model` no dibujó el diagrama del modelo: en el entorno del grader falta "
        "Graphviz (el programa `dot`). El modelo no cambia.",
        "en": "`plot_model` did not draw the model's diagram: Graphviz (the `dot` program) is "
        "missing in the grader's environment. The model does not change.",
    },
    "adapt.epoch_cap": {
        "es": "`fit` pidió {requested} épocas; se entrenaron {applied} (límite de este ejercicio). "
        "El modelo se califica normalmente.",
        "en": "`fit` asked for {requested} epochs; {applied} were trained (this exercise's cap). "
        "The model is graded normally.",
    },
    "adapt.data_fraction": {
        "es": "Comprobación rápida: `fit` entrenó con {used} de {total} ejemplos.",
        "en": "Quick check: `fit` trained on {used} of {total} examples.",
    },
    "adapt.time_budget": {
        "es": "El entrenamiento se detuvo al agotar el tiempo de entrenamiento del ejercicio "
        "({budget} s), tras {epochs} época(s); el modelo se califica tal como quedó.",
        "en": "Training stopped when the exercise's training time ({budget} s) ran out, after "
        "{epochs} epoch(s); the model is graded as it was.",
    },
    "adapt.internal": {"es": "Aviso interno del grader: {detail}", "en": "Grader notice: {detail}"},
    "word.adaptations": {"es": "Adaptaciones del entorno", "en": "Environment adaptations"},
    "word.cell": {"es": "Celda", "en": "Cell"},
    "word.profile": {"es": "Perfil", "en": "Profile"},
    "word.figures": {"es": "Gráficos", "en": "Plots"},
    # ---------------------------------------------------------------- figures (grader/views/figures.py)
    "figure.title_confusion": {"es": "Matriz de confusión de `{owner}` (datos del grader)",
                               "en": "Confusion matrix of `{owner}` (grader's data)"},
    "figure.title_roc": {"es": "Curva ROC de `{owner}` (datos del grader)",
                         "en": "ROC curve of `{owner}` (grader's data)"},
    "figure.title_history": {"es": "Curvas de entrenamiento de `{owner}`", "en": "Training curves of `{owner}`"},
    "figure.predicted": {"es": "Clase predicha", "en": "Predicted class"},
    "figure.actual": {"es": "Clase real", "en": "True class"},
    "figure.fpr": {"es": "Tasa de falsos positivos", "en": "False positive rate"},
    "figure.tpr": {"es": "Tasa de verdaderos positivos", "en": "True positive rate"},
    "figure.chance": {"es": "Azar", "en": "Chance"},
    "figure.train": {"es": "entrenamiento", "en": "training"},
    "figure.validation": {"es": "validación", "en": "validation"},
    "figure.epoch": {"es": "época", "en": "epoch"},
    # ---------------------------------------------------------------- command line (grader.cli)
    "cli.no_such_file": {"es": "{path}: no existe ese archivo ni carpeta; revisa la ruta",
                         "en": "{path}: no such file or folder; check the path"},
    "cli.class_zip": {"es": "{n} entregas en {zip}", "en": "{n} submissions in {zip}"},
    "cli.grading": {"es": "calificando", "en": "grading"},
    "cli.disk_full": {
        "es": "el disco de {folder} está lleno: libera espacio y ejecuta la misma orden de nuevo "
        "({kept} resultados guardados)",
        "en": "the disk of {folder} is full: free space and run the same command again ({kept} results kept)",
    },
    # ---------------------------------------------------------------- LMS exports (grader.classroom.lms)
    "export.no_summary": {"es": "{out}: no hay summary.json; califica primero con `grader grade ... --out {out}`",
                          "en": "{out}: no summary.json; grade first with `grader grade ... --out {out}`"},
    "export.unknown_target": {"es": "{target}: destino desconocido; usa {choices}",
                              "en": "{target}: unknown target; use {choices}"},
    "export.out_file_many": {"es": "--out-file sirve para un solo destino (se pidieron {n})",
                             "en": "--out-file takes a single target ({n} were asked)"},
    "export.canvas_id": {"es": "--canvas-assignment-id es el número de la tarea en Canvas (…/assignments/N), no {value}",
                         "en": "--canvas-assignment-id is the assignment's number in Canvas (…/assignments/N), not {value}"},
    "export.no_id": {
        "es": "{target}: {n} estudiante(s) sin identificador para este LMS, fuera del archivo: {names}",
        "en": "{target}: {n} student(s) without an identifier for this LMS, left out of the file: {names}",
    },
    "export.not_graded": {
        "es": "{target}: {n} entrega(s) sin calificar (falló el grader), con la nota vacía: {names}",
        "en": "{target}: {n} submission(s) not graded (the grader failed), with an empty grade: {names}",
    },
    "export.not_in_worksheet": {
        "es": "{target}: {n} estudiante(s) no están en la hoja descargada de Moodle: {names}",
        "en": "{target}: {n} student(s) are not in the downloaded Moodle worksheet: {names}",
    },
    "export.worksheet_columns": {
        "es": "{path}: no parece una hoja de calificaciones de Moodle (faltan las columnas {missing})",
        "en": "{path}: does not look like a Moodle grading worksheet (columns {missing} are missing)",
    },
    "export.decimal_comma": {
        "es": "{target}: Moodle solo entiende la coma decimal si su idioma la usa (español sí, inglés no)",
        "en": "{target}: Moodle reads a decimal comma only when its language uses one (Spanish does, English does not)",
    },
    "export.written": {"es": "{target}: {path} ({n} filas)", "en": "{target}: {path} ({n} rows)"},
    # ---------------------------------------------------------------- report words
    "word.threshold": {"es": "mínimo", "en": "threshold"},
    "word.isolation": {"es": "Aislamiento", "en": "Isolation"},
    "isolation.filesystem": {
        "es": "Sin bubblewrap: el notebook pudo leer archivos de este usuario (instala `bubblewrap` "
        "para aislarlo del todo).",
        "en": "No bubblewrap: the notebook could read this user's files (install `bubblewrap` to "
        "isolate it fully).",
    },
    "isolation.network": {"es": "El notebook se ejecutó con acceso a la red.",
                          "en": "The notebook ran with network access."},
    "isolation.memory_watchdog": {
        "es": "Límite de memoria vigilado por muestreo (sin cgroups): un pico muy rápido puede "
        "superarlo por un instante.",
        "en": "Memory limit watched by sampling (no cgroups): a very fast spike can pass it for a moment.",
    },
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


def _add_legacy() -> None:
    from grader.messages.legacy import MESSAGES

    CATALOG.update(MESSAGES)


_add_legacy()


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
    nested = [k for k in params if k.endswith("_key")]
    for k in nested:  # a parameter that is itself a message ("Layer 2 (Dense)", "a Keras model")
        params[k[: -len("_key")]] = render(params.pop(k), params, lang)
    done = {k[: -len("_key")] for k in nested}
    for k, v in params.items():  # a parameter given in both languages: {"es": ..., "en": ...}
        if isinstance(v, dict) and "es" in v and set(v) <= {"es", "en"}:
            params[k] = v.get(lang) or v["es"]
    return template.format_map(_Safe({k: v if k in done else fmt(v) for k, v in params.items()}))


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
