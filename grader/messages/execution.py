"""What the report says about running the notebook: the execution, its outcome and the adaptations made for it."""

TEXTS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- execution
    "ran.ok": {
        "es": "Todas las celdas se ejecutaron sin errores.",
        "en": "Every cell ran without errors.",
    },
    "ran.failed": {
        "es": "{n} celda(s) de código no terminaron bien: {cells}. Corrígelas y ejecuta todo el notebook "
        "de principio a fin antes de entregarlo.",
        "en": "{n} code cell(s) did not finish cleanly: {cells}. Fix them and run the whole notebook "
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
        "es": "La celda de código {cell} lanzó {ename}: {evalue}. Las demás celdas se ejecutaron igual.",
        "en": "Code cell {cell} raised {ename}: {evalue}. The other cells still ran.",
    },
    "exec.timeout": {
        "es": "Se acabó el tiempo en la celda de código {cell} (límite: {limit} s). Lo calificado hasta ese "
        "punto se conserva.",
        "en": "Time ran out in code cell {cell} (limit: {limit} s). What was graded up to that point is kept.",
    },
    "exec.timeout_cell": {
        "es": "La celda de código {cell} superó su límite de tiempo ({limit} s) y se interrumpió; las demás celdas "
        "se ejecutaron igual.",
        "en": "Code cell {cell} ran past its time limit ({limit} s) and was interrupted; the other cells still ran.",
    },
    "exec.timeout_cells": {
        "es": "Estas celdas de código superaron su límite de tiempo ({limit} s) y se interrumpieron: {cells}; las "
        "demás celdas se ejecutaron igual.",
        "en": "These code cells ran past their time limit ({limit} s) and were interrupted: {cells}; the other "
        "cells still ran.",
    },
    "exec.dead_kernel": {
        "es": "El kernel de Python se detuvo en la celda de código {cell}; las celdas siguientes no se "
        "ejecutaron. Lo calificado hasta ese punto se conserva.",
        "en": "The Python kernel stopped in code cell {cell}; the cells after it did not run. What was "
        "graded up to that point is kept.",
    },
    "exec.oom": {
        "es": "El notebook usó más de {limit} de memoria{during} en la celda de código {cell} y se detuvo ahí; "
        "lo calificado hasta ese punto se conserva. Para arreglarlo: usa un batch_size menor, no "
        "cargues los datos varias veces y libera lo que no uses (por ejemplo `del` de arreglos grandes).",
        "en": "The notebook used more than {limit} of memory{during} in code cell {cell} and was stopped "
        "there; what was graded up to that point is kept. To fix it: use a smaller batch_size, do not "
        "load the data several times and free what you no longer need (`del` large arrays).",
    },
    "exec.process_limit": {
        "es": "El notebook creó demasiados procesos o hilos (más de {limit}) en la celda de código {cell} y se "
        "detuvo ahí; lo calificado hasta ese punto se conserva. No lances procesos en un bucle "
        "(`os.fork`, `multiprocessing`): Keras ya usa los núcleos disponibles.",
        "en": "The notebook started too many processes or threads (more than {limit}) in code cell {cell} "
        "and was stopped there; what was graded up to that point is kept. Do not start processes in a "
        "loop (`os.fork`, `multiprocessing`): Keras already uses the cores available.",
    },
    "exec.disk_limit": {
        "es": "El notebook escribió más de {limit} en disco{during} en la celda de código {cell} y se detuvo "
        "ahí; lo calificado hasta ese punto se conserva. Guarda solo lo necesario: el modelo final, "
        "no uno por época ni copias de los datos.",
        "en": "The notebook wrote more than {limit} to disk{during} in code cell {cell} and was stopped "
        "there; what was graded up to that point is kept. Save only what is needed: the final model, "
        "not one per epoch nor copies of the data.",
    },
    "exec.output_limit": {
        "es": "El notebook imprimió más de {limit} de salida{during} en la celda de código {cell} y se "
        "detuvo ahí; lo calificado hasta ese punto se conserva. Usa `verbose=0` o `verbose=2` en "
        "`fit` y no imprimas arreglos enteros dentro de bucles.",
        "en": "The notebook printed more than {limit} of output{during} in code cell {cell} and was "
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
        "es": "`fit` pidió {requested} épocas; el grader lo limitó a {applied} (el límite de este ejercicio), "
        "y no resta puntos por ello.",
        "en": "`fit` asked for {requested} epochs; the grader limited it to {applied} (this exercise's cap), "
        "and takes no points for that.",
    },
    "adapt.data_fraction": {
        "es": "Comprobación rápida: `fit` entrenó con {used} de {total} ejemplos.",
        "en": "Quick check: `fit` trained on {used} of {total} examples.",
    },
    "adapt.time_budget_partial": {
        "es": "El entrenamiento se detuvo al agotar el tiempo de entrenamiento del ejercicio "
        "({budget} s), tras {epochs} época(s) completa(s) y {batches} lote(s) de la siguiente; el modelo "
        "quedó como estaba en ese momento.",
        "en": "Training stopped when the exercise's training time ({budget} s) ran out, after "
        "{epochs} whole epoch(s) and {batches} batch(es) of the next; the model stayed as it was at "
        "that moment.",
    },
    "adapt.time_budget": {
        "es": "El entrenamiento se detuvo al agotar el tiempo de entrenamiento del ejercicio "
        "({budget} s), tras {epochs} época(s); el modelo quedó como estaba en ese momento.",
        "en": "Training stopped when the exercise's training time ({budget} s) ran out, after "
        "{epochs} epoch(s); the model stayed as it was at that moment.",
    },
    "adapt.compat": {
        "es": "Código de una versión anterior: `{old}` ya no existe; se ejecutó como `{new}`{note}, que es como se "
              "escribe hoy (cámbialo en tu notebook).",
        "en": "Code for an older version: `{old}` no longer exists; it ran as `{new}`{note}, which is how it is "
              "written today (change it in your notebook).",
    },
    "adapt.compat_dropped": {
        "es": "Código de una versión anterior: `{old}` ya no hace falta{note}; se omitió (bórralo de tu notebook).",
        "en": "Code for an older version: `{old}` is no longer needed{note}; it was skipped (delete it from your "
              "notebook).",
    },
    # words a rule's spelling needs, appended after it (grader.kernel.compat.RULES)
    "adapt.compat_note.predict_classes": {
        "es": " (con una sola salida, `(model.predict(x) > 0.5).astype('int32')`, como hacía Keras 2)",
        "en": " (with a single output, `(model.predict(x) > 0.5).astype('int32')`, as Keras 2 did)",
    },
    "adapt.compat_note.checkpoint_h5": {
        "es": " (si guarda solo los pesos, `'best.weights.h5'`)",
        "en": " (when it saves weights only, `'best.weights.h5'`)",
    },
    "adapt.compat_note.optimizer_epsilon_none": {
        "es": " (con épsilon 1e-7, el valor que significaba `None`)",
        "en": " (with epsilon 1e-7, the value `None` stood for)",
    },
    "adapt.compat_note.image_data_generator": {
        "es": " (la misma clase; hoy se prefieren las capas `keras.layers.Random*`)",
        "en": " (the same class; today the `keras.layers.Random*` layers are preferred)",
    },
    "adapt.compat_note.text_preprocessing": {
        "es": " (la misma clase; hoy se prefiere la capa `keras.layers.TextVectorization`)",
        "en": " (the same class; today the `keras.layers.TextVectorization` layer is preferred)",
    },
    "adapt.compat_note.tf_eager": {
        "es": ": TensorFlow 2 ejecuta siempre en modo eager",
        "en": ": TensorFlow 2 always runs eagerly",
    },
    # rules for code that still runs today, but that the grader must rewrite to grade the model
    "adapt.compat_as.tf_activation": {
        "es": "Una capa creada al ejecutar esta celda usa `{old}`. Funciona, pero Keras guarda esa función de "
        "TensorFlow con un nombre que no puede volver a cargar de forma segura, y el grader necesita poder cargar "
        "los modelos que califica: se ejecutó como `{new}`, que calcula lo mismo. Escríbelo así en tu notebook.",
        "en": "A layer created while this cell ran uses `{old}`. It works, but Keras saves that TensorFlow function "
        "under a name it cannot load back safely, and the grader must be able to load the models it grades: it ran "
        "as `{new}`, which computes the same. Write it that way in your notebook.",
    },
    "adapt.internal": {"es": "Aviso interno del grader: {detail}", "en": "Grader notice: {detail}"},
    "word.adaptations": {"es": "Adaptaciones del entorno", "en": "Environment adaptations"},
    "word.cell": {"es": "Celda de código", "en": "Code cell"},
    "word.profile": {"es": "Perfil", "en": "Profile"},
    "word.figures": {"es": "Gráficos", "en": "Plots"},
}
