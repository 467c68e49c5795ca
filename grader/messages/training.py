"""What the checks say about training (the grader's fit log), free-text answers and predictions on hidden labels."""

TEXTS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- training (the grader's fit log)
    "training.ok": {
        "es": "El entrenamiento cumple lo que mira esta comprobación: {checked} (registrado por el grader: {fits}).",
        "en": "Training meets what this check looks at: {checked} (logged by the grader: {fits}).",
    },
    "training.no_fit": {
        "es": "El grader no registró ningún entrenamiento terminado (`fit`) del modelo; se esperaba "
        "al menos {expected}. Entrena el modelo con `model.fit(...)` y ejecuta todas las celdas.",
        "en": "The grader logged no finished training (`fit`) of the model; at least {expected} was "
        "expected. Train the model with `model.fit(...)` and run every cell.",
    },
    "training.no_fit_because": {
        "es": "El grader no registró ningún entrenamiento terminado (`fit`); se esperaba al menos {expected}. {cause}",
        "en": "The grader logged no finished training (`fit`); at least {expected} was expected. {cause}",
    },
    # why no fit finished (grader.checks.causes.untrained), said of training rather than of a metric
    "training.cause.fit_failed": {
        "es": "El `fit` de la celda de código {cell} falló ({error}). Corrige ese error.",
        "en": "The `fit` in code cell {cell} failed ({error}). Fix that error.",
    },
    "training.cause.fit_timeout": {
        "es": "La celda de código {cell}, que llama a `fit`, superó el tiempo máximo de una celda ({limit} s) antes "
        "de terminar. Entrena con menos épocas o menos datos para que quepa en ese tiempo.",
        "en": "Code cell {cell}, which calls `fit`, went over a cell's time limit ({limit} s) before finishing. "
        "Train with fewer epochs or less data so that it fits in that time.",
    },
    "training.cause.fit_cell_failed": {
        "es": "La celda de código {cell}, que llama a `fit`, falló ({ename}) antes de entrenar. Corrige ese error.",
        "en": "Code cell {cell}, which calls `fit`, failed ({ename}) before training. Fix that error.",
    },
    "training.cause.fit_cell_failed_root": {
        "es": "La celda de código {cell}, que llama a `fit`, falló ({ename}) porque antes había fallado la celda de "
        "código {root_cell}, de la que depende ({root_ename}: {root_evalue}). Corrige primero ese error.",
        "en": "Code cell {cell}, which calls `fit`, failed ({ename}) because code cell {root_cell}, which it "
        "depends on, had failed before ({root_ename}: {root_evalue}). Fix that error first.",
    },
    "training.cause.fit_not_run": {
        "es": "La celda de código {cell}, que llama a `fit`, no llegó a ejecutarse porque la ejecución se detuvo "
        "en la celda de código {stopped}. Resuelve lo que la detuvo.",
        "en": "Code cell {cell}, which calls `fit`, never ran because the run stopped in code cell {stopped}. "
        "Fix what stopped it.",
    },
    "training.cause.fit_other_model": {
        "es": "Los {n_other} `fit` del notebook entrenaron otro modelo, no `{name}`. Entrena `{name}` (o guarda en "
        "`{name}` el modelo que entrenas).",
        "en": "The notebook's {n_other} `fit` call(s) trained another model, not `{name}`. Train `{name}` (or "
        "keep the model you train in `{name}`).",
    },
    "training.cause.zero_epochs": {
        "es": "Su `fit` (celda de código {cell}) no completó ninguna época. Revisa `epochs` en esa llamada.",
        "en": "Its `fit` (code cell {cell}) did not complete a single epoch. Check `epochs` in that call.",
    },
    "training.zero_epochs": {
        "es": "El modelo no se entrenó: {fits} — ninguna llamada a `fit` ejecutó una sola época, y se "
        "esperaba al menos {expected} entrenamiento. Pasa un número de épocas mayor que 0 "
        "(`model.fit(..., epochs=10)`) y ejecuta todas las celdas.",
        "en": "The model was not trained: {fits} — no `fit` call ran a single epoch, and at least "
        "{expected} training was expected. Pass a number of epochs above 0 (`model.fit(..., epochs=10)`) "
        "and run every cell.",
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
    "training.batch_missing_one": {
        "es": "Falta entrenar con batch_size={missing}, el tamaño de lote que pide el enunciado (el grader "
        "registró: {used}). Pasa `batch_size={missing}` a `fit`.",
        "en": "No training with batch_size={missing}, the batch size the statement asks for (the grader "
        "logged: {used}). Pass `batch_size={missing}` to `fit`.",
    },
    "training.on_split": {
        "es": "El `fit` de la celda de código {cell} entrena con los datos de {split} de {dataset} ({rows} "
        "ejemplos). Esos datos sirven para evaluar: entrena con los de entrenamiento y deja los de "
        "prueba para medir cómo generaliza el modelo.",
        "en": "The `fit` in code cell {cell} trains on the {split} data of {dataset} ({rows} examples). "
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
    "predictions.nan_counted_wrong": {
        "es": "`{name}` tiene {n_nan} predicción(es) NaN: a esas filas de {file} les quedó alguna característica "
        "sin valor, y se contaron como fallos. Revisa cómo construyes las características de prueba (valores "
        "que faltan, uniones o índices que no coinciden).",
        "en": "`{name}` has {n_nan} NaN prediction(s): those rows of {file} were left with a feature without a "
        "value, and they were counted as misses. Check how you build the test features (missing values, joins or "
        "indexes that do not line up).",
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
}
