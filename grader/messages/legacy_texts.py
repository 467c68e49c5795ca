"""The hints for Keras 1/2 code that fails under Keras 3 (``grader.messages.legacy`` decides
which one a failed cell gets): each names the removed API and today's spelling, with the
student's own names in the example."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "legacy.numpy_scalar": {
        "es": "NumPy 2 ya no convierte un array de un elemento (por ejemplo `y[i]` de una columna "
        "`(n, 1)`) en un número con `int(...)`, `float(...)` o `'%d' % ...`, como hacían las "
        "versiones anteriores: toma el número con `.item()` (`y[i].item()`) o con `y[i][0]`.",
        "en": "NumPy 2 no longer turns a one-element array (say `y[i]` of an `(n, 1)` column) into a "
        "number in `int(...)`, `float(...)` or `'%d' % ...`, as older versions did: take the number "
        "with `.item()` (`y[i].item()`) or with `y[i][0]`.",
    },
    "legacy.np_utils": {
        "es": "`np_utils` ya no existe en Keras 3 (se eliminó en Keras 2.x): usa "
        "`from keras.utils import to_categorical` y `to_categorical({args})`.",
        "en": "`np_utils` no longer exists in Keras 3 (it was removed in Keras 2.x): use "
        "`from keras.utils import to_categorical` and `to_categorical({args})`.",
    },
    "legacy.sklearn_wrapper": {
        "es": "`{module}` (`{wrapper}`) ya no existe en Keras 3: se eliminó y pasó al paquete "
        "`scikeras` (`from scikeras.wrappers import {wrapper}`), que no está instalado en el "
        "grader. Entrena el modelo con Keras directamente (`model.fit(x, y, epochs=10)`), usa "
        "`keras.wrappers.{builtin}(model=crear_modelo)`, que viene con Keras 3 (`crear_modelo` "
        "debe recibir `X` e `y`), o consulta a tu instructor.",
        "en": "`{module}` (`{wrapper}`) no longer exists in Keras 3: it was removed and moved to "
        "the `scikeras` package (`from scikeras.wrappers import {wrapper}`), which is not "
        "installed in the grader. Train the model with Keras directly (`model.fit(x, y, "
        "epochs=10)`), use `keras.wrappers.{builtin}(model=build_model)`, which ships with "
        "Keras 3 (`build_model` must accept `X` and `y`), or ask your instructor.",
    },
    "legacy.layers_module": {
        "es": "El módulo `{module}` ya no existe en Keras 3 (era una ruta interna de Keras 1/2): "
        "importa las capas directamente de `{pkg}.layers`, por ejemplo "
        "`from {pkg}.layers import {names}`.",
        "en": "Module `{module}` no longer exists in Keras 3 (it was an internal Keras 1/2 "
        "path): import layers straight from `{pkg}.layers`, for example "
        "`from {pkg}.layers import {names}`.",
    },
    "legacy.merge_layer": {
        "es": "`{name}` (la capa de Keras 1 para combinar tensores) ya no existe en Keras 3 (se "
        "eliminó en Keras 2): usa la capa de cada modo, por ejemplo "
        "`{pkg}.layers.Concatenate()([a, b])` en vez de `mode='concat'`, o `Add`, `Multiply`, "
        "`Average` o `Dot`.",
        "en": "`{name}` (the Keras 1 layer that combined tensors) no longer exists in Keras 3 (it "
        "was removed in Keras 2): use the layer for each mode, for example "
        "`{pkg}.layers.Concatenate()([a, b])` instead of `mode='concat'`, or `Add`, `Multiply`, "
        "`Average` or `Dot`.",
    },
    "legacy.vis_utils": {
        "es": "`{pkg}.utils.vis_utils` ya no existe en Keras 3 (se eliminó): usa "
        "`from {pkg}.utils import plot_model` y `plot_model(model)`.",
        "en": "`{pkg}.utils.vis_utils` no longer exists in Keras 3 (it was removed): use "
        "`from {pkg}.utils import plot_model` and `plot_model(model)`.",
    },
    "legacy.image_data_generator": {
        "es": "`keras.preprocessing.image.ImageDataGenerator` ya no existe en Keras 3 (se "
        "eliminó): carga las imágenes con `keras.utils.image_dataset_from_directory(carpeta)` "
        "y aumenta los datos con capas como `keras.layers.RandomFlip(\"horizontal\")` dentro "
        "del modelo. (`tensorflow.keras.preprocessing.image.ImageDataGenerator` todavía existe, "
        "pero está obsoleto.)",
        "en": "`keras.preprocessing.image.ImageDataGenerator` no longer exists in Keras 3 (it "
        "was removed): load images with `keras.utils.image_dataset_from_directory(folder)` and "
        "augment data with layers such as `keras.layers.RandomFlip(\"horizontal\")` inside the "
        "model. (`tensorflow.keras.preprocessing.image.ImageDataGenerator` still exists, but it "
        "is deprecated.)",
    },
    "legacy.image_dim_ordering": {
        "es": "`{name}` ya no existe en Keras 3 (en Keras 2 se reemplazó por `image_data_format`): "
        "usa `{example}`; "
        "`'th'` ahora se llama `\"channels_first\"` y `'tf'`, `\"channels_last\"`.",
        "en": "`{name}` no longer exists in Keras 3 (Keras 2 replaced it with `image_data_format`): "
        "use `{example}`; `'th'` is now called `\"channels_first\"` and `'tf'`, "
        "`\"channels_last\"`.",
    },
    "legacy.optimizers_legacy": {
        "es": "`keras.optimizers.legacy` ya no existe en Keras 3 (los optimizadores antiguos de "
        "Keras 2 se eliminaron): usa el optimizador normal, por ejemplo "
        "`keras.optimizers.{optimizer}(learning_rate=0.001)`. Instalar `tf_keras`, como sugiere "
        "el error, no es posible en el grader.",
        "en": "`keras.optimizers.legacy` no longer exists in Keras 3 (the old Keras 2 optimizers "
        "were removed): use the regular optimizer, for example "
        "`keras.optimizers.{optimizer}(learning_rate=0.001)`. Installing `tf_keras`, as the "
        "error suggests, is not possible in the grader.",
    },
    "legacy.predict_classes": {
        "es": "`{model}.predict_classes()` ya no existe en Keras 3 (se eliminó en Keras 2.6): "
        "usa `np.argmax({model}.predict({x}), axis=1)` si la salida es softmax, o "
        "`({model}.predict({x}) > 0.5).astype(\"int32\")` si es una sola neurona sigmoid.",
        "en": "`{model}.predict_classes()` no longer exists in Keras 3 (it was removed in Keras "
        "2.6): use `np.argmax({model}.predict({x}), axis=1)` for a softmax output, or "
        "`({model}.predict({x}) > 0.5).astype(\"int32\")` for a single sigmoid unit.",
    },
    "legacy.predict_proba": {
        "es": "`{model}.predict_proba()` ya no existe en Keras 3 (se eliminó en Keras 2.6): "
        "usa `{model}.predict({x})`, que ya devuelve las probabilidades si la última capa usa "
        "softmax o sigmoid.",
        "en": "`{model}.predict_proba()` no longer exists in Keras 3 (it was removed in Keras "
        "2.6): use `{model}.predict({x})`, which already returns probabilities when the last "
        "layer uses softmax or sigmoid.",
    },
    "legacy.generator_method": {
        "es": "`{model}.{method}()` ya no existe en Keras 3 (estaba obsoleto desde TensorFlow 2.1): "
        "`{new}` acepta generadores y `Sequence` directamente, por ejemplo "
        "`{model}.{new}({arg})`.",
        "en": "`{model}.{method}()` no longer exists in Keras 3 (it was deprecated since "
        "TensorFlow 2.1): `{new}` accepts generators and `Sequence` objects directly, for example "
        "`{model}.{new}({arg})`.",
    },
    "legacy.fit_epochs": {
        "es": "El argumento `nb_epoch=` de `fit` ya no existe en Keras 3 (se renombró en "
        "Keras 2): usa `epochs=`, por ejemplo `{model}.fit(x, y, epochs={value})`.",
        "en": "The `nb_epoch=` argument of `fit` no longer exists in Keras 3 (it was renamed in "
        "Keras 2): use `epochs=`, for example `{model}.fit(x, y, epochs={value})`.",
    },
    "legacy.fit_samples": {
        "es": "El argumento `{old}=` de `fit` ya no existe en Keras 3 (se eliminó en Keras 2): "
        "usa `{new}=`, que cuenta lotes (batches) y no muestras, por ejemplo "
        "`{model}.fit(gen, {new}=len(x_train) // batch_size)`.",
        "en": "The `{old}=` argument of `fit` no longer exists in Keras 3 (it was removed in "
        "Keras 2): use `{new}=`, which counts batches, not samples, for example "
        "`{model}.fit(gen, {new}=len(x_train) // batch_size)`.",
    },
    "legacy.optimizer_lr": {
        "es": "El argumento `lr=` de los optimizadores ya no existe en Keras 3 (se reemplazó por "
        "`learning_rate=` en Keras 2.3): usa `keras.optimizers.{optimizer}(learning_rate="
        "{value})`.",
        "en": "The `lr=` argument of optimizers no longer exists in Keras 3 (it was replaced by "
        "`learning_rate=` in Keras 2.3): use `keras.optimizers.{optimizer}(learning_rate="
        "{value})`.",
    },
    "legacy.optimizer_lr_decay": {
        "es": "Los argumentos `lr=` y `decay=` de los optimizadores ya no existen en Keras 3 "
        "(`decay=` se ignora con un aviso): usa `learning_rate=` con un schedule, por ejemplo "
        "`keras.optimizers.{optimizer}(learning_rate=keras.optimizers.schedules."
        "InverseTimeDecay({value}, decay_steps=1, decay_rate={decay}))`.",
        "en": "The `lr=` and `decay=` arguments of optimizers no longer exist in Keras 3 "
        "(`decay=` is ignored with a warning): use `learning_rate=` with a schedule, for "
        "example `keras.optimizers.{optimizer}(learning_rate=keras.optimizers.schedules."
        "InverseTimeDecay({value}, decay_steps=1, decay_rate={decay}))`.",
    },
    "legacy.optimizer_lr_attr": {
        "es": "El atributo `.lr` de los optimizadores (`{optimizer}`) ya no existe en Keras 3: "
        "usa `.learning_rate`, por ejemplo `{var}.learning_rate = 0.001` para cambiarlo o "
        "`float({var}.learning_rate)` para leerlo.",
        "en": "The `.lr` attribute of optimizers (`{optimizer}`) no longer exists in Keras 3: "
        "use `.learning_rate`, for example `{var}.learning_rate = 0.001` to change it or "
        "`float({var}.learning_rate)` to read it.",
    },
    "legacy.conv_keras1": {
        "es": "`{layer}({filters}, {rows}, {cols}, ...)` es la sintaxis de Keras 1: en Keras 3 "
        "el tercer argumento es `strides`, así que esa capa avanza {cols} píxeles por paso y "
        "reduce mucho la imagen. Usa `Conv2D({filters}, ({rows}, {cols}))`, con `padding=` en vez de "
        "`border_mode=` y `strides=` en vez de `subsample=`.",
        "en": "`{layer}({filters}, {rows}, {cols}, ...)` is Keras 1 syntax: in Keras 3 the third "
        "argument is `strides`, so that layer moves {cols} pixels per step and shrinks the "
        "image. Use `Conv2D({filters}, ({rows}, {cols}))`, with `padding=` instead of "
        "`border_mode=` and `strides=` instead of `subsample=`.",
    },
    "legacy.layer_kwarg": {
        "es": "El argumento `{old}=` de `{layer}` ya no existe en Keras 3 (se renombró en "
        "Keras 2): usa `{new}=`, por ejemplo `{example}`.",
        "en": "The `{old}=` argument of `{layer}` no longer exists in Keras 3 (it was renamed "
        "in Keras 2): use `{new}=`, for example `{example}`.",
    },
}
