"""Two ways of reaching into libraries the student imports: a callback right after a module is
first imported, and a function's code swapped in place (so every alias of it runs the new code)."""

from __future__ import annotations

import types
from importlib.abc import MetaPathFinder
from typing import Any


class AfterImport(MetaPathFinder):
    """Runs a callback right after a top-level module finishes importing."""

    def __init__(self, name: str, callback: Any) -> None:
        self.name, self.callback, self.busy = name, callback, False

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name or self.busy:
            return None
        self.busy = True
        try:
            from importlib.util import find_spec

            spec = find_spec(fullname)
        finally:
            self.busy = False
        if spec is None or spec.loader is None:
            return spec
        loader, callback = spec.loader, self.callback
        original_exec = loader.exec_module

        def exec_module(module: Any) -> None:
            original_exec(module)
            try:
                callback()
            except Exception:
                pass

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec



def swap_code(target: Any, hook: str, source: str) -> Any:
    """Give the function ``target`` the code of the same-named function in ``source`` (which
    calls this module's ``hook``), so every reference to it — ``keras.utils.X`` and the names
    imported before — runs the new code; a copy of the old function, or None if done already."""
    if hook in target.__code__.co_names:
        return None
    original = types.FunctionType(target.__code__, target.__globals__, target.__name__,
                                  target.__defaults__, target.__closure__)
    original.__kwdefaults__ = target.__kwdefaults__
    scope: dict[str, Any] = {}
    exec(source, scope)
    target.__code__ = scope[target.__name__].__code__
    target.__defaults__ = None
    target.__kwdefaults__ = None
    return original
