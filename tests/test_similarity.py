"""Unusually alike submissions (grader.classroom.similarity): renamed variables and new comments do
not hide a copy, the statement's own code never makes two students alike, and the class folder gets
the pairs side by side."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat import v4

from grader.classroom import similarity

STATEMENT = ["import numpy as np\nfrom tensorflow import keras\n(x_train, y_train), (x_test, y_test) = "
             "keras.datasets.mnist.load_data()\nx_train = x_train / 255.0\nx_test = x_test / 255.0\n"]
ORIGINAL = """def build(units_a, units_b, rate):
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(units_a, activation='relu'), keras.layers.Dropout(rate),
                              keras.layers.Dense(units_b, activation='relu'), keras.layers.Dropout(rate),
                              keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return model

red = build(300, 100, 0.5)
historia = red.fit(x_train, y_train, epochs=12, batch_size=64, validation_split=0.1, verbose=0)
for epoca, (a, b) in enumerate(zip(historia.history['accuracy'], historia.history['val_accuracy'])):
    print(epoca, round(a, 4), round(b, 4), 'sobreajuste' if a - b > 0.02 else '')
"""
# the same code with every name changed and other comments: a copy all the same
RENAMED = (ORIGINAL.replace("build", "armar").replace("units_a", "n1").replace("units_b", "n2")
           .replace("rate", "p").replace("red", "net").replace("historia", "h").replace("epoca", "e")
           .replace("'sobreajuste'", "'overfit!'"))
RENAMED = "# mi propia solución, hecha sola\n" + RENAMED
OWN = """modelo = keras.models.Sequential()
modelo.add(keras.layers.Flatten(input_shape=[28, 28]))
for n in (300, 100):
    modelo.add(keras.layers.Dense(n))
    modelo.add(keras.layers.Activation('relu'))
    modelo.add(keras.layers.Dropout(0.5))
modelo.add(keras.layers.Dense(10, activation='softmax'))
modelo.compile('adam', 'sparse_categorical_crossentropy', ['accuracy'])
print(modelo.evaluate(x_test, y_test, verbose=0))
"""


def _nb(path: Path, cells: list[str]) -> Path:
    nbformat.write(v4.new_notebook(cells=[v4.new_markdown_cell("# Tarea")] +
                                   [v4.new_code_cell(c) for c in cells]), path)
    return path


def test_a_renamed_copy_is_found_and_the_statement_is_not_a_match(tmp_path: Path) -> None:
    statement = _nb(tmp_path / "statement.ipynb", STATEMENT)
    subs = [(name, _nb(tmp_path / f"{name}.ipynb", STATEMENT + cells)) for name, cells in [
        ("ana", [ORIGINAL]), ("luis", ["%matplotlib inline", RENAMED]), ("eva", [OWN]),
        ("solo_enunciado_1", []), ("solo_enunciado_2", [])]]
    found = similarity.pairs(subs, statement)
    assert [(p["a"], p["b"]) for p in found] == [("ana", "luis")]
    assert found[0]["similarity"] > 0.8
    cell = found[0]["cells"][0]
    assert (cell["a_cell"], cell["b_cell"]) == (2, 3)  # code cells as the students number them
    assert any(hit and "keras.layers.Dense(" in piece for piece, hit in cell["b"])
    # without the statement as boilerplate, the two who only ran it would look alike
    assert ("solo_enunciado_1", "solo_enunciado_2") in [(p["a"], p["b"]) for p in similarity.pairs(subs, None)]


def test_the_class_folder_shows_the_pairs_side_by_side(tmp_path: Path) -> None:
    statement = _nb(tmp_path / "statement.ipynb", STATEMENT)
    subs = [("ana <b>", _nb(tmp_path / "a.ipynb", [ORIGINAL])), ("luis", _nb(tmp_path / "l.ipynb", [RENAMED]))]
    page = similarity.write(similarity.pairs(subs, statement), tmp_path, "es").read_text(encoding="utf-8")
    assert "ana &lt;b&gt; · luis" in page and "<mark>" in page
    assert json.loads((tmp_path / "similarity.json").read_text(encoding="utf-8"))[0]["b"] == "luis"
    assert "Ningún par" in similarity.write([], tmp_path, "es").read_text(encoding="utf-8")
