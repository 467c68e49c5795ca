"""What the model checks say: structure, output shapes and parameter counts, each with its
variant for a hidden check (grader.pipeline.reveal: never the expected value)."""

TEXTS: dict[str, dict[str, str]] = {
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
    "structure.count_range": {
        "es": "El modelo tiene {found} capas; el ejercicio admite de {fewest} a {most}. Revisa que no falte ni sobre "
        "ninguna.",
        "en": "The model has {found} layers; the exercise allows {fewest} to {most}. Check that none is missing or "
        "extra.",
    },
    "structure.type": {
        "es": "Capa {pos}: es `{found}`; se esperaba `{expected}`.",
        "en": "Layer {pos}: is `{found}`; expected `{expected}`.",
    },
    "structure.wrong_optional": {
        "es": "La arquitectura no coincide con la pedida ({summary_expected}; entre corchetes, las capas que "
        "puedes poner o no); la tuya: {summary_found}.",
        "en": "The architecture does not match the one asked for ({summary_expected}; in brackets, the layers "
        "you may leave out); yours: {summary_found}.",
    },
    "structure.missing_layer": {
        "es": "Falta `{expected}` {where}.",
        "en": "`{expected}` is missing {where}.",
    },
    "shapes.missing_layer": {
        "es": "Falta una capa con salida de forma {expected} {where}.",
        "en": "A layer with output shape {expected} is missing {where}.",
    },
    "params.missing_layer": {
        "es": "Falta una capa de {expected} parámetros {where}.",
        "en": "A layer with {expected} parameters is missing {where}.",
    },
    "layer.where.first": {"es": "al principio del modelo", "en": "at the start of the model"},
    "layer.where.after": {"es": "después de la capa {pos} (`{after}`)", "en": "after layer {pos} (`{after}`)"},
    "structure.other_model": {
        "es": "`{name}` tiene {found} capas y el ejercicio pide {expected}: es otra red, no la que pide el "
        "enunciado. Si es tu respuesta, constrúyela de nuevo con las capas pedidas; si es otro modelo del "
        "notebook, guarda el del ejercicio en su propia variable.",
        "en": "`{name}` has {found} layers and the exercise asks for {expected}: it is another network, not "
        "the one the statement asks for. If it is your answer, build it again with the layers asked for; if it "
        "is another model of the notebook, keep the exercise's in a variable of its own.",
    },
    "structure.logits_output": {
        "es": "Capa {pos} ({layer}): no tiene activación (da logits) y la pérdida se compiló con `from_logits=True`; "
        "el ejercicio pide {expected} en la salida. Pon `activation={expected}` y quita `from_logits=True` de la "
        "pérdida: cambiar solo una de las dos aplicaría la activación dos veces o ninguna.",
        "en": "Layer {pos} ({layer}): it has no activation (it outputs logits) and the loss was compiled with "
        "`from_logits=True`; the exercise asks for {expected} at the output. Set `activation={expected}` and remove "
        "`from_logits=True` from the loss: changing only one of them would apply the activation twice or not at all.",
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
        "es": "La forma de salida del modelo es la pedida: {found}.",
        "en": "The model's output shape is the one asked for: {found}.",
    },
    "shapes.ok_input": {
        "es": "La forma de entrada del modelo es la pedida: {found}.",
        "en": "The model's input shape is the one asked for: {found}.",
    },
    "shapes.ok_layers": {
        "es": "Las formas coinciden capa a capa: {found}.",
        "en": "The shapes match layer by layer: {found}.",
    },
    "shapes.wrong": {
        "es": "{what}: forma {found}; se esperaba {expected}.",
        "en": "{what}: shape {found}; expected {expected}.",
    },
    "shapes.wrong_after_change": {
        "es": "{what}: forma {found}; se esperaba {expected}. Cambia por la capa que sobra o falta antes de "
        "ella (recibe otra entrada): corrige esa primero.",
        "en": "{what}: shape {found}; expected {expected}. It changes because of the extra or missing layer "
        "before it (it receives another input): fix that one first.",
    },
    "params.wrong_after_change": {
        "es": "{what}: {found} parámetros; se esperaban {expected}. Cambia por la capa que sobra o falta justo "
        "antes (recibe otra entrada): corrige esa primero.",
        "en": "{what}: {found} parameters; expected {expected}. It changes because of the extra or missing "
        "layer just before it (it receives another input): fix that one first.",
    },
    "shapes.wrong_input": {
        "es": "{what}: forma {found}; se esperaba {expected}. La capa está como se pide: la diferencia viene de lo "
        "que recibe de las capas anteriores (al corregirlas, se corrige).",
        "en": "{what}: shape {found}; expected {expected}. The layer is set as asked: the difference comes from what "
        "it receives from the layers before it (fixing them fixes it).",
    },
    "params.wrong_input": {
        "es": "{what}: {found} parámetros; se esperaban {expected}. La capa está como se pide: la diferencia viene "
        "de lo que recibe de las capas anteriores (al corregirlas, se corrige).",
        "en": "{what}: {found} parameters; expected {expected}. The layer is set as asked: the difference comes "
        "from what it receives from the layers before it (fixing them fixes it).",
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
    # ------------------------------------------ hidden checks (grader.pipeline.reveal): never the expected value
    "structure.wrong.hidden": {
        "es": "La arquitectura no coincide con la pedida; la tuya: {summary_found}.",
        "en": "The architecture does not match the one asked for; yours: {summary_found}.",
    },
    "structure.other_model.hidden": {
        "es": "`{name}` tiene {found} capas: es otra red, no la que pide el enunciado.",
        "en": "`{name}` has {found} layers: it is another network, not the one the statement asks for.",
    },
    "structure.count.hidden": {
        "es": "El modelo tiene {found} capas: no son las que pide el ejercicio.",
        "en": "The model has {found} layers: not the number the exercise asks for.",
    },
    "structure.count_range.hidden": {
        "es": "El modelo tiene {found} capas: no son las que admite el ejercicio.",
        "en": "The model has {found} layers: not a number the exercise allows.",
    },
    "structure.type.hidden": {
        "es": "Capa {pos}: `{found}` no es el tipo de capa pedido.",
        "en": "Layer {pos}: `{found}` is not the type of layer asked for.",
    },
    "structure.missing_layer.hidden": {
        "es": "Falta una capa {where}.",
        "en": "A layer is missing {where}.",
    },
    "shapes.missing_layer.hidden": {
        "es": "Falta una capa {where}.",
        "en": "A layer is missing {where}.",
    },
    "params.missing_layer.hidden": {
        "es": "Falta una capa {where}.",
        "en": "A layer is missing {where}.",
    },
    "structure.wrong_optional.hidden": {
        "es": "La arquitectura no coincide con la pedida; la tuya: {summary_found}.",
        "en": "The architecture does not match the one asked for; yours: {summary_found}.",
    },
    "structure.logits_output.hidden": {
        "es": "Capa {pos} ({layer}): no tiene activación (da logits) y la pérdida se compiló con `from_logits=True`; "
        "no es lo que pide el ejercicio en la salida. Revisa la activación de la salida y la pérdida a la vez.",
        "en": "Layer {pos} ({layer}): it has no activation (it outputs logits) and the loss was compiled with "
        "`from_logits=True`; not what the exercise asks for at the output. Check the output's activation and the "
        "loss together.",
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
        "es": "La forma de salida coincide con la pedida.",
        "en": "The output shape matches the one asked for.",
    },
    "shapes.ok_input.hidden": {
        "es": "La forma de entrada coincide con la pedida.",
        "en": "The input shape matches the one asked for.",
    },
    "shapes.ok_layers.hidden": {
        "es": "Las formas coinciden, capa a capa, con las pedidas.",
        "en": "The shapes match the ones asked for, layer by layer.",
    },
    "params.ok.hidden": {
        "es": "Número de parámetros correcto.",
        "en": "Parameter count is right.",
    },
    "shapes.wrong_after_change.hidden": {
        "es": "{what}: forma {found}; no es la pedida. Cambia por la capa que sobra o falta antes de ella: "
        "corrige esa primero.",
        "en": "{what}: shape {found}; not the one asked for. It changes because of the extra or missing layer "
        "before it: fix that one first.",
    },
    "params.wrong_after_change.hidden": {
        "es": "{what}: {found} parámetros; no es la cantidad correcta. Cambia por la capa que sobra o falta justo "
        "antes: corrige esa primero.",
        "en": "{what}: {found} parameters; not the right count. It changes because of the extra or missing layer "
        "just before it: fix that one first.",
    },
    "shapes.wrong_input.hidden": {
        "es": "{what}: forma {found}; no es la pedida. La capa está como se pide: la diferencia viene de lo que "
        "recibe de las capas anteriores.",
        "en": "{what}: shape {found}; not the one asked for. The layer is set as asked: the difference comes from "
        "what it receives from the layers before it.",
    },
    "params.wrong_input.hidden": {
        "es": "{what}: {found} parámetros; no es la cantidad correcta. La capa está como se pide: la diferencia "
        "viene de lo que recibe de las capas anteriores.",
        "en": "{what}: {found} parameters; not the right count. The layer is set as asked: the difference comes "
        "from what it receives from the layers before it.",
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
}
