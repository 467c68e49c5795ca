"""Shell escapes (``!pip``, ``!wget``) and magics (``%pip``, ``%tensorboard``): nothing is
installed or downloaded; a download of a provided dataset is answered with its local copy."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from typing import Any

from .paths import translate
from .state import ORIGINAL, event, say

_SKIP_PROGRAMS = {
    "pip", "pip3", "conda", "mamba", "micromamba", "apt", "apt-get", "sudo", "wget", "curl", "git",
    "kaggle", "gdown", "ssh", "scp", "rsync", "npm", "yarn", "brew", "easy_install", "nohup",
    "add-apt-repository", "snap",
}


# ---- shell escapes (!cmd) and magics (%pip ...)
def _programs(command: str) -> list[list[str]]:
    """The argument lists of each simple command in a shell line (``a && b | c``)."""
    out = []
    for part in re.split(r"&&|\|\||[;|&\n]", command):
        try:
            words = shlex.split(part)
        except ValueError:
            words = part.split()
        while words and ("=" in words[0] and not words[0].startswith("-")):  # VAR=x cmd
            words = words[1:]
        if words:
            out.append(words)
    return out


def _program_name(words: list[str]) -> str:
    name = os.path.basename(words[0].strip("\"'"))
    if re.match(r"^python[0-9.]*$", name) and len(words) > 2 and words[1] == "-m":
        return words[2]  # python -m pip
    return name


def _download_locally(words: list[str]) -> str | None:
    """``wget URL`` / ``curl -o f URL`` of a dataset the exercise provides: copy it instead."""
    urls = [w for w in words if "://" in w]
    if len(urls) != 1:
        return None
    target = translate(urls[0])
    if target == urls[0]:
        return None
    out = None
    for flag in ("-O", "-o", "--output", "--output-document"):
        if flag in words and words.index(flag) + 1 < len(words):
            out = words[words.index(flag) + 1]
    if out is None or (out == urls[0]):
        out = re.split(r"[\\/]", urls[0].split("?")[0].rstrip("/"))[-1]
    if out != "-" and os.path.abspath(out) != os.path.abspath(target):
        shutil.copyfile(target, out)
    return out


def _shell(command: str, capture: bool) -> Any:
    programs = _programs(command)
    names = [_program_name(w) for w in programs]
    blocked = [n for n in names if n in _SKIP_PROGRAMS]
    if blocked:
        if len(programs) == 1 and names[0] in ("wget", "curl"):
            try:
                saved = _download_locally(programs[0])
            except OSError:
                saved = None
            if saved:
                event("shell_answered", command=command[:200], file=saved)
                say(f"'{command[:80]}': sin red; se copió el archivo del ejercicio a '{saved}'.",
                     f"'{command[:80]}': no network; the exercise's file was copied to '{saved}'.")
                return "" if capture else 0
        event("shell_skipped", command=command[:200], program=blocked[0])
        say(f"'!{command[:80]}' omitido: el grader no instala paquetes ni descarga nada (sin red).",
             f"'!{command[:80]}' skipped: the grader installs and downloads nothing (no network).")
        return "" if capture else 0
    original = ORIGINAL["getoutput" if capture else "system"]
    return original(command)


def install_shell_policy() -> None:
    try:
        from IPython import get_ipython
    except Exception:
        return
    shell = get_ipython()
    if shell is None:
        return
    ORIGINAL.update(system=shell.system, getoutput=shell.getoutput)

    def system(cmd: str) -> Any:
        return _shell(cmd, capture=False)

    def getoutput(cmd: str, split: bool = True, depth: int = 0) -> Any:
        text = _shell(cmd, capture=True)
        if isinstance(text, str):  # skipped: an empty result like IPython's own
            from IPython.utils.text import SList

            return SList(text.splitlines()) if split else text
        return text

    shell.system = system
    shell.getoutput = getoutput

    def skip_magic(name: str) -> Any:
        def magic(line: str = "", cell: str | None = None) -> None:
            text = f"%{name} {line}".strip()[:200]
            event("magic_skipped", magic=text)
            say(f"'{text}' omitido (el entorno del grader ya está listo, sin red).",
                 f"'{text}' skipped (the grader's environment is ready, no network).")

        return magic

    for name in ("pip", "conda", "mamba", "tensorboard"):
        shell.register_magic_function(skip_magic(name), "line", name)

    def tensorflow_version(line: str = "") -> None:  # Colab-only magic
        event("magic_skipped", magic=f"%tensorflow_version {line}".strip())

    shell.register_magic_function(tensorflow_version, "line", "tensorflow_version")

    # `%load_ext tensorboard` would replace the skipped `%tensorboard` with one that starts a
    # server: the extension is not loaded (with or without tensorboard installed)
    manager = getattr(shell, "extension_manager", None)
    for method, verb in (("load_extension", "load_ext"), ("reload_extension", "reload_ext")):
        original = getattr(manager, method, None)
        if original is None:
            continue

        def extension(module_str: str, _original: Any = original, _verb: str = verb) -> Any:
            if str(module_str).strip().partition(".")[0] != "tensorboard":
                return _original(module_str)
            text = f"%{_verb} {module_str}".strip()[:200]
            event("magic_skipped", magic=text)
            say(f"'{text}' omitido: TensorBoard no se abre mientras se califica (sin red).",
                 f"'{text}' skipped: TensorBoard does not open while grading (no network).")
            return None

        setattr(manager, method, extension)

    def shell_cell(line: str = "", cell: str | None = None) -> None:  # Colab's %%shell
        for command in (cell or "").splitlines():
            if command.strip():
                _shell(command, capture=False)

    shell.register_magic_function(shell_cell, "cell", "shell")
    _magic_with_space(shell)


def _magic_with_space(shell: Any) -> None:
    """IPython < 7 read ``% matplotlib inline`` (a space after the ``%``) as the magic; today it
    looks for a magic named ``''``. With ``compat: adapt`` such a line, at the start of a
    statement and naming a line magic that exists, loses the space (rule ``magic_space``)."""
    from .compat import enabled, used

    if not enabled():
        return
    pattern = re.compile(r"^%[ \t]+([A-Za-z_]\w*)(.*)$")

    def transform(lines: list[str]) -> list[str]:
        out, depth, joined = [], 0, False
        for line in lines:
            m = pattern.match(line)
            if m and depth == 0 and not joined and shell.find_line_magic(m.group(1)) is not None:
                line = f"%{m.group(1)}{m.group(2)}" + ("\n" if line.endswith("\n") else "")
                used("magic_space")
            code = line.split("#", 1)[0]
            depth = max(0, depth + sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}"))
            joined = code.rstrip().endswith("\\")
            out.append(line)
        return out

    shell.input_transformers_cleanup.append(transform)
