"""Keras 2's scikit-learn wrappers (``keras.wrappers.scikit_learn.KerasClassifier(build_fn=…)``)
served by Keras 3's ``keras.wrappers.SKLearnClassifier`` / ``SKLearnRegressor`` (rule
``sklearn_wrapper``; ``compat`` installs them when the old module is imported)."""

# ruff: noqa: BLE001
from __future__ import annotations

import sys
from typing import Any

from .compat import used

_FIT_KEYS = ("epochs", "batch_size", "verbose", "validation_split", "validation_data", "shuffle", "callbacks",
             "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch", "nb_epoch")


def sklearn_wrappers(wrappers: Any) -> dict[str, Any]:
    """Keras 2's ``KerasClassifier(build_fn=f, epochs=…, batch_size=…, units=…)``: the keyword
    arguments that ``fit`` takes go to ``fit``, the others to ``f``, as Keras 2 split them; the
    classifier trains on class indices (one-hot only for a categorical cross-entropy loss) and
    predicts as ``predict_classes`` did, as Keras 2's did."""
    classifier, regressor = _keras2_classifier(wrappers.SKLearnClassifier), _keras2_regressor(wrappers.SKLearnRegressor)

    def factory(name: str, today: Any) -> Any:
        def make(build_fn: Any = None, **sk_params: Any) -> Any:
            used("sklearn_wrapper")
            fit = {("epochs" if k == "nb_epoch" else k): v for k, v in sk_params.items() if k in _FIT_KEYS}
            build = {k: v for k, v in sk_params.items() if k not in _FIT_KEYS}
            return today(model=_without_data(build_fn), model_kwargs=build or None, fit_kwargs=fit or None)

        make.__name__ = make.__qualname__ = name
        return make

    return {"KerasClassifier": factory("KerasClassifier", classifier),
            "KerasRegressor": factory("KerasRegressor", regressor)}


def _without_data(build_fn: Any) -> Any:
    def model(X: Any = None, y: Any = None, **kwargs: Any) -> Any:  # noqa: N803
        return build_fn(**kwargs)  # Keras 2 called build_fn with its own parameters only

    model._dl_grader_build_fn = build_fn  # type: ignore[attr-defined]
    return model


def _clone(self: Any) -> Any:
    """``sklearn.base.clone`` (cross_val_score, GridSearchCV): the same settings, fit's included."""
    return type(self)(model=self.model, warm_start=self.warm_start, model_kwargs=self.model_kwargs,
                      fit_kwargs=self.fit_kwargs)


def _keras2_classifier(base: Any) -> Any:
    class KerasClassifier(base):  # type: ignore[misc, valid-type]
        __sklearn_clone__ = _clone

        def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:  # noqa: N803
            np = sys.modules["numpy"]
            keras = sys.modules["keras"]
            X, y = np.asarray(X), np.asarray(y)
            if y.ndim == 2 and y.shape[1] > 1:  # already one-hot
                self.classes_, index = np.arange(y.shape[1]), y.argmax(axis=1)
            else:
                self.classes_, index = np.unique(y.ravel(), return_inverse=True)
            model = self.model(X=X, y=index, **(self.model_kwargs or {}))
            loss = getattr(model, "loss", None)
            name = loss if isinstance(loss, str) else type(loss).__name__
            categorical = name in ("categorical_crossentropy", "CategoricalCrossentropy")
            target = keras.utils.to_categorical(index, len(self.classes_)) if categorical else index
            settings = {**(self.fit_kwargs or {}), **kwargs}
            self.history_ = model.fit(X, target, **settings)
            self.model_ = model
            self.n_features_in_ = X.shape[1] if X.ndim > 1 else 1
            return self

        def predict_proba(self, X: Any) -> Any:  # noqa: N803
            np = sys.modules["numpy"]
            proba = np.asarray(self.model_.predict(np.asarray(X), verbose=0))
            return np.hstack([1 - proba, proba]) if proba.shape[-1] == 1 else proba

        def predict(self, X: Any) -> Any:  # noqa: N803
            proba = self.predict_proba(X)
            return self.classes_[proba.argmax(axis=-1)]

    return KerasClassifier


def _keras2_regressor(base: Any) -> Any:
    class KerasRegressor(base):  # type: ignore[misc, valid-type]
        __sklearn_clone__ = _clone

        def predict(self, X: Any) -> Any:  # noqa: N803
            np = sys.modules["numpy"]
            out = np.asarray(self.model_.predict(np.asarray(X), verbose=0))
            return out.squeeze(axis=-1) if out.ndim > 1 and out.shape[-1] == 1 else out

    return KerasRegressor
