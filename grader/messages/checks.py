"""What the checks say: values, hidden checks, metrics (the model's structure, shapes and
parameters: grader.messages.model; the artifacts themselves, found or missing:
grader.messages.artifacts)."""

TEXTS: dict[str, dict[str, str]] = {
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
    "metric.ok.hidden": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; llega al mínimo pedido.",
        "en": "{metric} computed by the grader on {data}: {found}; it reaches the threshold.",
    },
    "metric.low.hidden": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; no llega al mínimo pedido. {cause}",
        "en": "{metric} computed by the grader on {data}: {found}; it does not reach the threshold. {cause}",
    },
    "metric.cause.no_overfit.hidden": {
        "es": "Su último `fit` (celda de código {cell}; épocas: {epochs}; {optimizer}) terminó con `{train_metric}` = "
        "{train} en sus datos de entrenamiento, cerca de lo que mide el grader: el modelo no se ajusta de más, le "
        "falta aprender. Necesita más capacidad o más entrenamiento: revisa la arquitectura que pide el enunciado "
        "(capas ocultas, neuronas), el optimizador y el número de épocas.",
        "en": "Its last `fit` (code cell {cell}; epochs: {epochs}; {optimizer}) ended with `{train_metric}` = {train} "
        "on its training data, close to what the grader measures: the model does not overfit, it has not learned "
        "enough. It needs more capacity or more training: check the architecture the statement asks for (hidden "
        "layers, units), the optimizer and the number of epochs.",
    },
    "metric.cause.underfit.hidden": {
        "es": "Su último `fit` (celda de código {cell}; épocas: {epochs}; {optimizer}) terminó con `{train_metric}` = "
        "{train} en sus datos de entrenamiento: el modelo tampoco aprende esos datos. Revisa lo que controla el "
        "aprendizaje: el optimizador y su tasa de aprendizaje, la regularización, la función de pérdida, la "
        "escala de los datos y el número de épocas.",
        "en": "Its last `fit` (code cell {cell}; epochs: {epochs}; {optimizer}) ended with `{train_metric}` = {train} "
        "on its training data: the model does not learn that data either. Check what drives learning: the "
        "optimizer and its learning rate, regularisation, the loss function, the scale of the data and the "
        "number of epochs.",
    },
    "reveal.pass": {"es": "Correcto.", "en": "Correct."},
    "reveal.fail": {
        "es": "No es correcto. Esta comprobación no muestra el valor esperado: revisa el enunciado.",
        "en": "Not correct. This check does not show the expected value: read the statement again.",
    },
    "word.hidden": {"es": "oculto", "en": "hidden"},    # ---------------------------------------------------------------- metrics
    "metric.ok": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; se pedía al menos {expected}.",
        "en": "{metric} computed by the grader on {data}: {found}; at least {expected} was asked.",
    },
    "metric.low": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; se pedía al menos {expected}. {cause}",
        "en": "{metric} computed by the grader on {data}: {found}; at least {expected} was asked. {cause}",
    },
    "metric.cause.general": {
        "es": "Revisa el preprocesamiento, la función de pérdida y el número de épocas.",
        "en": "Check preprocessing, the loss function and the number of epochs.",
    },
    "metric.cause.trained": {
        "es": "Su último `fit` (celda de código {cell}; épocas: {epochs}; {optimizer}) terminó sin error. Revisa el "
        "preprocesamiento, la función de pérdida, el optimizador y el número de épocas.",
        "en": "Its last `fit` (code cell {cell}; epochs: {epochs}; {optimizer}) finished without error. Check preprocessing, "
        "the loss function, the optimizer and the number of epochs.",
    },
    "metric.cause.budget_stopped": {
        "es": "Su último `fit` (celda de código {cell}; {optimizer}) lo detuvo el límite de {budget} s de "
        "entrenamiento del grader, así que no se sabe si el modelo aprende: usa menos épocas o una red más "
        "ligera para que el entrenamiento quepa en ese tiempo.",
        "en": "Its last `fit` (code cell {cell}; {optimizer}) was stopped by the grader's {budget} s training "
        "limit, so whether the model learns cannot be told: use fewer epochs or a lighter network so that "
        "training fits in that time.",
    },
    "metric.cause.budget_stopped_others": {
        "es": "Su último `fit` (celda de código {cell}; {optimizer}) lo detuvo el límite de {budget} s de "
        "entrenamiento del grader, así que no se sabe si el modelo aprende: los `fit` anteriores del "
        "notebook ya habían gastado {before} s. Entrena el modelo del ejercicio sin que otros `fit` gasten antes "
        "ese tiempo.",
        "en": "Its last `fit` (code cell {cell}; {optimizer}) was stopped by the grader's {budget} s training "
        "limit, so whether the model learns cannot be told: the notebook's earlier `fit` calls had already "
        "spent {before} s. Train the exercise's model without other `fit` calls spending that time first.",
    },
    "metric.cause.underfit": {
        "es": "Su último `fit` (celda de código {cell}; épocas: {epochs}; {optimizer}) terminó con `{train_metric}` = "
        "{train} en sus datos de entrenamiento, también por debajo de {expected}: el modelo no llega a aprender "
        "ni esos datos. Revisa lo que controla el aprendizaje: el optimizador y su tasa de aprendizaje, la "
        "regularización, la función de pérdida, la escala de los datos y el número de épocas.",
        "en": "Its last `fit` (code cell {cell}; epochs: {epochs}; {optimizer}) ended with `{train_metric}` = {train} "
        "on its training data, below {expected} too: the model does not even learn that data. Check what "
        "drives learning: the optimizer and its learning rate, regularisation, the loss function, the scale "
        "of the data and the number of epochs.",
    },
    "metric.cause.no_overfit": {
        "es": "Su último `fit` (celda de código {cell}; épocas: {epochs}; {optimizer}) terminó con `{train_metric}` = "
        "{train} en sus datos de entrenamiento, cerca de lo que mide el grader ({found}): el modelo no se ajusta "
        "de más, le falta aprender. Para llegar a {expected} necesita más capacidad o más entrenamiento: revisa "
        "la arquitectura que pide el enunciado (capas ocultas, neuronas), el optimizador y el número de épocas.",
        "en": "Its last `fit` (code cell {cell}; epochs: {epochs}; {optimizer}) ended with `{train_metric}` = {train} "
        "on its training data, close to what the grader measures ({found}): the model does not overfit, it has "
        "not learned enough. To reach {expected} it needs more capacity or more training: check the architecture "
        "the statement asks for (hidden layers, units), the optimizer and the number of epochs.",
    },
    "metric.cause.no_generalize": {
        "es": "Su último `fit` (celda de código {cell}; épocas: {epochs}; {optimizer}) terminó con `{train_metric}` = "
        "{train} en sus datos de entrenamiento: los aprende, pero no llega en {data}. El grader prepara esos "
        "datos como pide el enunciado; si preparaste los tuyos de otra forma (otra escala, otra forma, otras "
        "etiquetas), hazlo como pide. Si no, el modelo se ajusta de más a sus datos: menos épocas, Dropout o "
        "regularización.",
        "en": "Its last `fit` (code cell {cell}; epochs: {epochs}; {optimizer}) ended with `{train_metric}` = {train} "
        "on its training data: it learns them, but not {data}. The grader prepares that data as the statement "
        "asks; if you prepared yours otherwise (another scale, shape or labels), do as it asks. If not, the "
        "model overfits its data: fewer epochs, Dropout or regularisation.",
    },
    "metric.capped_full": {
        "es": "El grader limitó este `fit` (celda de código {cell}) a {allowed} épocas; el notebook pedía {asked}. "
        "Con todas sus épocas el resultado podría ser otro.",
        "en": "The grader limited this `fit` (code cell {cell}) to {allowed} epochs; the notebook asked for {asked}. "
        "With all of them the result might differ.",
    },
    "metric.capped_full_time_partial": {
        "es": "El entrenamiento se detuvo en la celda de código {cell}, tras {epochs} época(s) completa(s) y "
        "{batches} lote(s) de la siguiente, al agotar los {budget} s que el grader da a los `fit` de un notebook. "
        "Con más tiempo el resultado podría ser otro.",
        "en": "Training stopped in code cell {cell}, after {epochs} whole epoch(s) and {batches} batch(es) of the "
        "next, when the {budget} s the grader gives a notebook's `fit` calls ran out. With more time the result "
        "might differ.",
    },
    "metric.capped_full_time": {
        "es": "El entrenamiento se detuvo en la celda de código {cell}, tras {epochs} época(s), al agotar los {budget} s "
        "que el grader da a los `fit` de un notebook. Con más tiempo el resultado podría ser otro.",
        "en": "Training stopped in code cell {cell}, after {epochs} epoch(s), when the {budget} s the grader gives "
        "a notebook's `fit` calls ran out. With more time the result might differ.",
    },
    "score.compat_charge": {
        "es": "Se descuentan {points} punto(s): el notebook solo corrió porque el grader adaptó {n} nombre(s) "
              "antiguo(s) ({rules}); escríbelos como se indica en las adaptaciones y no se descontará nada.",
        "en": "{points} point(s) taken off: the notebook ran only because the grader adapted {n} old name(s) "
              "({rules}); write them as the adaptations say and nothing is taken off.",
    },
    "score.late": {
        "es": "Entregado {late} después del plazo ({due}): se descuenta el {percent} % de la nota máxima, "
              "{points} punto(s) (la política de entregas tardías quita el {penalty} % por cada {unit} empezado, "
              "como mucho el {cap} %).",
        "en": "Handed in {late} after the due date ({due}): {percent} % of the maximum score is taken off, "
              "{points} point(s) (the late policy takes {penalty} % for each {unit} begun, at most {cap} %).",
    },
    "score.late_flag": {
        "es": "El LMS marca esta entrega como tardía pero la descarga no dice cuándo se entregó: se descuenta lo "
              "mínimo, un {unit} empezado, el {percent} % de la nota máxima ({points} punto(s)). Si fue más tarde, "
              "da las horas de entrega con --roster.",
        "en": "The LMS marks this submission late but the download does not say when it was handed in: the least "
              "is taken off, one {unit} begun, {percent} % of the maximum score ({points} point(s)). If it was "
              "later, give the submission times with --roster.",
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
    "metric.data_holdout_unseen": {
        "es": "las {n} filas de prueba de {dataset} con las que el modelo no se entrenó (de las {total} de "
        "train_test_split con test_size={test_size}, random_state={random_state}: el `fit` de la celda de "
        "código {cell} entrenó con las otras {seen})",
        "en": "the {n} test rows of {dataset} the model was not trained on (of the {total} of "
        "train_test_split with test_size={test_size}, random_state={random_state}: the `fit` in code cell "
        "{cell} trained on the other {seen})",
    },
    "metric.trained_on_holdout": {
        "es": "{metric}: no se puede medir. El `fit` de la celda de código {cell} entrenó el modelo con {seen} de "
        "las {total} filas que el grader reserva para evaluar (train_test_split con test_size={test_size}, "
        "random_state={random_state}), y quedan {n}, menos de las {min} necesarias. Separa los datos como "
        "pide el enunciado y entrena solo con la parte de entrenamiento.",
        "en": "{metric}: cannot be measured. The `fit` in code cell {cell} trained the model on {seen} of the "
        "{total} rows the grader keeps for evaluation (train_test_split with test_size={test_size}, "
        "random_state={random_state}), leaving {n}, fewer than the {min} needed. Split the data as the "
        "statement asks and train on the training part only.",
    },
    "metric.split_all": {"es": "todos los datos", "en": "all the data"},
    "metric.split_train": {"es": "entrenamiento", "en": "training"},
    "metric.split_test": {"es": "prueba", "en": "test"},
    "metric.trained_on_evaluated": {
        "es": "{metric} calculada por el grader sobre {data}: {found}, pero no cuenta: el `fit` de la celda "
        "de código {cell} entrenó el modelo con esas mismas {rows} filas, así que la medida no dice cómo "
        "generaliza. Entrena solo con los datos de entrenamiento y deja los de {split} para evaluar.",
        "en": "{metric} computed by the grader on {data}: {found}, but it does not count: the `fit` in "
        "code cell {cell} trained the model on those same {rows} rows, so the measure says nothing "
        "about how it generalizes. Train on the training data only and keep the {split} data for "
        "evaluation.",
    },
    "metric.untrained": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; se pedía al menos {expected}. {cause}",
        "en": "{metric} computed by the grader on {data}: {found}; at least {expected} was asked. {cause}",
    },
    "metric.untrained.hidden": {
        "es": "{metric} calculada por el grader sobre {data}: {found}; no llega al mínimo pedido. {cause}",
        "en": "{metric} computed by the grader on {data}: {found}; it does not reach the threshold. {cause}",
    },
    "metric.cause.no_fit": {
        "es": "El modelo no se entrenó: ninguna celda llama a `fit` y el grader no registró ningún "
        "entrenamiento, así que se evaluó con sus pesos iniciales. Entrénalo con `{name}.fit(...)`.",
        "en": "The model was not trained: no cell calls `fit` and the grader recorded no training, so it "
        "was evaluated with its initial weights. Train it with `{name}.fit(...)`.",
    },
    "metric.cause.zero_epochs": {
        "es": "El modelo no se entrenó: su `fit` (celda de código {cell}) no completó ninguna época. "
        "Revisa `epochs` en esa llamada.",
        "en": "The model was not trained: its `fit` (code cell {cell}) did not complete a single epoch. "
        "Check `epochs` in that call.",
    },
    "metric.cause.fit_failed": {
        "es": "El modelo no se entrenó: su `fit` en la celda de código {cell} falló ({error}), así que se "
        "evaluó sin entrenar. Corrige ese error.",
        "en": "The model was not trained: its `fit` in code cell {cell} failed ({error}), so it was "
        "evaluated untrained. Fix that error.",
    },
    "metric.cause.fit_cell_failed": {
        "es": "El modelo no se entrenó: la celda de código {cell}, que llama a `fit`, falló ({ename}) antes "
        "de entrenarlo, así que se evaluó sin entrenar. Corrige ese error.",
        "en": "The model was not trained: code cell {cell}, which calls `fit`, failed ({ename}) before "
        "training it, so it was evaluated untrained. Fix that error.",
    },
    "metric.cause.fit_cell_failed_root": {
        "es": "El modelo no se entrenó: la celda de código {cell}, que llama a `fit`, falló ({ename}) porque "
        "antes había fallado la celda de código {root_cell}, de la que depende ({root_ename}: {root_evalue}), "
        "así que se evaluó sin entrenar. Corrige primero ese error.",
        "en": "The model was not trained: code cell {cell}, which calls `fit`, failed ({ename}) because code "
        "cell {root_cell}, which it depends on, had failed before ({root_ename}: {root_evalue}), so it was "
        "evaluated untrained. Fix that error first.",
    },
    "metric.cause.fit_timeout": {
        "es": "El modelo no se entrenó: la celda de código {cell}, que llama a `fit`, superó el tiempo máximo de "
        "una celda ({limit} s) antes de terminar, así que se evaluó sin entrenar. Entrena con menos épocas o "
        "menos datos para que quepa en ese tiempo.",
        "en": "The model was not trained: code cell {cell}, which calls `fit`, went over a cell's time limit "
        "({limit} s) before finishing, so it was evaluated untrained. Train with fewer epochs or less data so "
        "that it fits in that time.",
    },
    "metric.cause.fit_not_run": {
        "es": "El modelo no se entrenó: la celda de código {cell}, que llama a `fit`, no llegó a ejecutarse "
        "porque la ejecución se detuvo en la celda de código {stopped}. Resuelve lo que la detuvo.",
        "en": "The model was not trained: code cell {cell}, which calls `fit`, never ran because the run "
        "stopped in code cell {stopped}. Fix what stopped it.",
    },
    "metric.cause.fit_other_model": {
        "es": "El grader no registró ningún `fit` de `{name}`: los `fit` del notebook que entrenaron ({n_other}) "
        "son de otro modelo, así que `{name}` se evaluó sin entrenar. Comprueba que `{name}` es el modelo que "
        "entrenaste (o entrénalo).",
        "en": "The grader recorded no `fit` of `{name}`: the notebook's {n_other} `fit` call(s) trained "
        "another model, so `{name}` was evaluated untrained. Check that `{name}` is the model you "
        "trained (or train it).",
    },
    "metric.capped": {
        "es": "Esta ejecución usó el perfil `{profile}`, que recortó el entrenamiento de este modelo a "
        "{cut}; el perfil completo permite {allows}. Ese recorte puede haber decidido este resultado: "
        "califica con el perfil completo para saberlo.",
        "en": "This run used the `{profile}` profile, which cut this model's training to {cut}; the full "
        "profile allows {allows}. That cut may have decided this result: grade under the full profile "
        "to know.",
    },
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
