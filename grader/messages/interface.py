"""The words around the results: figures, the command line, the notebook's self-check, the class dashboard, LMS exports, the report's words."""

TEXTS: dict[str, dict[str, str]] = {
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
    "cli.claimed_elsewhere": {
        "es": "{n} entrega(s) las está calificando otra ejecución de grader (equipo {who}, proceso {pid}) con "
              "este mismo almacén: se esperan sus resultados en lugar de calificarlas dos veces",
        "en": "{n} submission(s) are being graded by another grader run (host {who}, process {pid}) on this "
              "store: waiting for its results instead of grading them twice",
    },
    "report.crashed": {
        "es": "# Sin calificar: {notebook}\n\nNo se pudo terminar de calificar esta entrega: {message}",
        "en": "# Not graded: {notebook}\n\nThe grading of this submission could not finish: {message}",
    },
    "cluster.version": {
        "es": "aquí está instalado dl-grader {here} y el cliente usa {client}: instala la misma versión en los "
              "workers (pip install dl-grader=={client})",
        "en": "dl-grader {here} is installed here and the client runs {client}: install the same version on the "
              "workers (pip install dl-grader=={client})",
    },
    "cluster.sandbox": {"es": "{problem} (se pidió --sandbox {level})", "en": "{problem} (asked for --sandbox {level})"},
    "cluster.no_bwrap": {
        "es": "bubblewrap (bwrap) no funciona en este nodo, así que los notebooks verían su sistema de archivos: "
              "instálalo (apt install bubblewrap) o califica con --sandbox namespace",
        "en": "bubblewrap (bwrap) does not work on this node, so student notebooks would see its filesystem: "
              "install it (apt install bubblewrap) or grade with --sandbox namespace",
    },
    "cluster.no_gpu": {"es": "este nodo no ve ninguna GPU y la clase se califica con --device gpu",
                       "en": "no GPU is visible on this node and the class is graded with --device gpu"},
    "cluster.gpus_taken": {
        "es": "cada GPU de este nodo ({n}) ya tiene su propio worker; inicia un proceso worker por GPU "
              "(processes: igual a gpus: en la configuración del clúster)",
        "en": "every GPU of this node ({n}) already has a worker of its own; start one worker process per GPU "
              "(processes: = gpus: in the cluster config)",
    },
    "cluster.no_data": {
        "es": "los datos no están en {folder} en este nodo (o difieren de los del cliente): {files}; monta ahí la "
              "carpeta compartida, o pon data: auto en la configuración del clúster para enviarlos",
        "en": "the datasets are not in {folder} on this node (or differ from the client's): {files}; mount the "
              "shared folder there, or set data: auto in the cluster config to have them shipped",
    },
    "cluster.bad_shipped": {
        "es": "los datos enviados a {folder} no coinciden con las sumas SHA-256 del cliente: {files}",
        "en": "the datasets shipped to {folder} do not match the client's SHA-256 checksums: {files}",
    },
    "cluster.refused": {"es": "el nodo {host} ({worker}) no califica: {reason}",
                        "en": "node {host} ({worker}) refuses to grade: {reason}"},
    "cluster.shipping": {
        "es": "nodo {host}: se envían {n} archivo(s) de datos ({mb} MB), verificados allí por suma SHA-256",
        "en": "node {host}: sending {n} dataset file(s) ({mb} MB), checked there by SHA-256",
    },
    "cluster.waiting": {"es": "esperando a que se unan los workers de Dask …", "en": "waiting for Dask workers to join …"},
    "cluster.none_can": {"es": "ningún worker del clúster puede calificar {exercise}: {reasons}",
                         "en": "no worker of the cluster can grade {exercise}: {reasons}"},
    "cluster.no_workers": {
        "es": "ningún worker de Dask se unió en {seconds} s: revisa los trabajos del planificador (squeue, qstat …) "
              "y sus registros (log_directory en la configuración del clúster)",
        "en": "no Dask worker joined within {seconds} s: look at the scheduler's jobs (squeue, qstat …) and their "
              "logs (log_directory in the cluster config)",
    },
    "cluster.left": {"es": "el worker se fue mientras recibía los datos", "en": "the worker left while receiving the datasets"},
    "cluster.died": {
        "es": "El proceso de Dask que calificaba este notebook murió {n} vez/veces (la última en el nodo {host}): el "
              "notebook pudo ocupar toda la memoria del nodo, o el trabajo fue desalojado. No se asignó puntaje; "
              "vuelve a ejecutar la misma orden para reintentarlo, o califícalo solo con `grader grade`.",
        "en": "The Dask worker grading this notebook died {n} time(s) (last on node {host}): the notebook may have "
              "taken the node's memory, or the job was pre-empted. No score was given; run the same command again "
              "to retry it, or grade it alone with `grader grade`.",
    },
    "cli.class_zip": {"es": "{n} entregas en {zip}", "en": "{n} submissions in {zip}"},
    "cli.review_at": {"es": "Revisión en {url} (Ctrl-C para terminar)", "en": "Review at {url} (Ctrl-C to stop)"},
    "cli.overrides_read": {"es": "{n} cambio(s) de {out}/overrides.csv guardados como correcciones manuales",
                           "en": "{n} change(s) in {out}/overrides.csv kept as overrides"},
    "override.check": {
        "es": "Revisado por {who}: {points} punto(s). {comment}",
        "en": "Reviewed by {who}: {points} point(s). {comment}",
    },
    "override.whole": {
        "es": "Nota fijada por {who}: {points}. {comment}",
        "en": "Score set by {who}: {points}. {comment}",
    },
    "roster.no_notebook": {
        "es": "La entrega no tiene ningún notebook (.ipynb, .py o .zip que lo contenga); trae: {files}. Entrega el "
              "notebook (en Colab: Archivo → Descargar → .ipynb) y se calificará.",
        "en": "The submission holds no notebook (an .ipynb, a .py or a .zip with one); it holds: {files}. Hand in "
              "the notebook (in Colab: File → Download → .ipynb) and it will be graded.",
    },
    "roster.empty": {
        "es": "La entrega está vacía: no trae ningún archivo. Entrega el notebook .ipynb y se calificará.",
        "en": "The submission is empty: it holds no file. Hand in the .ipynb notebook and it will be graded.",
    },
    "roster.missing": {
        "es": "Sin entrega: la lista de la clase ({roster}) nombra a este estudiante, pero la descarga no trae nada "
              "suyo.",
        "en": "No submission: the class list ({roster}) names this student, but the download holds nothing of theirs.",
    },
    "roster.unknown": {
        "es": "{path}: no se reconoce como lista de la clase; usa la hoja de calificaciones de Moodle, la exportación "
              "del libro de calificaciones de Canvas o un CSV con las columnas student, student_id, email, submitted_at",
        "en": "{path}: not recognised as a class list; use Moodle's grading worksheet, Canvas's gradebook export or "
              "a CSV with the columns student, student_id, email, submitted_at",
    },
    "cli.grading": {"es": "calificando", "en": "grading"},
    "data.first_use": {
        "es": "el conjunto de datos '{name}' no está en esta máquina: se descarga de su fuente oficial y se "
              "verifica, una sola vez, en {folder} (--no-fetch lo evita)",
        "en": "dataset '{name}' is not on this machine: downloading it from its official source and verifying "
              "it, once, into {folder} (--no-fetch turns this off)",
    },
    "cli.from_store": {"es": "guardado", "en": "from the store"},
    "cli.class_done": {
        "es": "{n} entrega(s): {graded} calificadas, {cached} ya estaban en el almacén; informes en {out}/ "
              "(panel {out}/index.html, libro de notas {out}/gradebook.csv)",
        "en": "{n} submission(s): {graded} graded, {cached} already in the store; reports in {out}/ "
              "(class dashboard {out}/index.html, gradebook {out}/gradebook.csv)",
    },
    # ---------------------------------------------------------------- self-check in the notebook (grader.selfcheck)
    "selfcheck.graded": {"es": 'Calificado: {path} (guardado hace {age})', "en": 'Graded: {path} (saved {age} ago)'},
    "selfcheck.nopath": {"es": "No se encontró el archivo del notebook. Guárdalo y pasa su ruta: check('mi_notebook.ipynb').", "en": "Could not find the notebook's file. Save it and pass its path: check('my_notebook.ipynb')."},
    "selfcheck.skipped": {"es": 'check(): se omite mientras el grader califica este notebook.', "en": 'check(): skipped while the grader grades this notebook.'},
    "selfcheck.check": {"es": 'Comprobación', "en": 'Check'},
    "selfcheck.result": {"es": 'Resultado', "en": 'Result'},
    "selfcheck.points": {"es": 'Puntos', "en": 'Points'},
    "selfcheck.expected": {"es": 'Esperado', "en": 'Expected'},
    "selfcheck.found": {"es": 'Encontrado', "en": 'Found'},
    "selfcheck.detail": {"es": 'Detalle', "en": 'Details'},
    "selfcheck.failed": {"es": 'El grader no pudo calificar: {why}', "en": 'The grader could not grade it: {why}'},
    # ---------------------------------------------------------------- class dashboard (grader.classroom.gradebook)
    "dashboard.graded": {"es": 'entregas calificadas', "en": 'submissions graded'},
    "dashboard.mean": {"es": 'promedio', "en": 'mean'},
    "dashboard.histogram": {"es": 'Distribución de puntajes', "en": 'Score distribution'},
    "dashboard.pass_rate": {"es": 'Aprobación por comprobación', "en": 'Pass rate per check'},
    "dashboard.students": {"es": 'Estudiantes', "en": 'Students'},
    "dashboard.student": {"es": 'Estudiante', "en": 'Student'},
    "dashboard.score": {"es": 'Puntaje', "en": 'Score'},
    "dashboard.status": {"es": 'Ejecución', "en": 'Execution'},
    "dashboard.seconds": {"es": 'Segundos', "en": 'Seconds'},
    "dashboard.failures": {"es": 'Fallos más comunes', "en": 'Most common failures'},
    "dashboard.slowest": {"es": 'Entregas más lentas', "en": 'Slowest submissions'},
    "dashboard.public": {"es": "parte pública:", "en": "public part:"},
    "dashboard.similar": {"es": "Código muy parecido (una pista para mirar, no una prueba)",
                          "en": "Unusually alike code (a lead to look at, not proof)"},
    "dashboard.leaderboard": {"es": 'Tabla de posiciones (datos de prueba ocultos)', "en": 'Leaderboard (hidden test data)'},
    "cli.rescored": {
        "es": "{n} entrega(s) recalificadas en {seconds} s sin ejecutar ningún notebook; informes en {out}/ "
              "(panel {out}/index.html, libro de notas {out}/gradebook.csv)",
        "en": "{n} submission(s) rescored in {seconds} s without running any notebook; reports in {out}/ "
              "(dashboard {out}/index.html, gradebook {out}/gradebook.csv)",
    },
    "cli.rescore_kept": {
        "es": "{n} entrega(s) sin evidencia guardada (falló el grader o se calificaron con una versión anterior) "
              "quedan como estaban: {who}. Para rehacerlas: grader grade ... --regrade",
        "en": "{n} submission(s) with no stored evidence (the grader failed, or an older version graded them) "
              "stay as they were: {who}. To redo them: grader grade ... --regrade",
    },
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
    "word.node": {"es": "nodo", "en": "node"},
    "word.instructor": {"es": "Solo para docentes", "en": "Instructor only"},
    "status.pass": {"es": "correcto", "en": "pass"},
    "status.fail": {"es": "incorrecto", "en": "fail"},
    "status.missing": {"es": "sin datos", "en": "missing"},
    "status.error": {"es": "error", "en": "error"},
}
