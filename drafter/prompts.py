"""Prompt templates: files under `prompts/`, shipped as package data, filled with named variables.

A template names its variables as `{{ name }}`. Rendering with a variable missing, or with one
the template does not use, is an error that names the variable.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from .errors import DrafterError

_VAR = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
PACKAGE = "drafter.prompt_files"


class PromptError(DrafterError):
    pass


@cache
def load(name: str) -> str:
    """The text of `prompts/<name>.md`."""
    try:
        return resources.files(PACKAGE).joinpath(f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"No prompt file {name}.md: reinstall the package (`make setup`).") from None


def variables(name: str) -> set[str]:
    return set(_VAR.findall(load(name)))


def render(name: str, **values: str) -> str:
    """Fill a template; every variable must be supplied and every supplied value used."""
    wanted = variables(name)
    missing = sorted(wanted - values.keys())
    if missing:
        raise PromptError(f"Prompt {name!r} needs variable(s) {', '.join(missing)}.")
    unused = sorted(values.keys() - wanted)
    if unused:
        raise PromptError(f"Prompt {name!r} does not use variable(s) {', '.join(unused)}.")
    return _VAR.sub(lambda m: values[m.group(1)], load(name)).strip() + "\n"


def system_prompt() -> str:
    """The drafting step's system prompt: the same for every draft, so its cache can be reused."""
    return render("draft_system", examples=load("draft_examples").strip())
