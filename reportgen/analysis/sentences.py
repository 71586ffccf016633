"""The sentence templates: one Jinja template per topic and language, bank-overridable.

``templates/analysis/{topic}.{lang}.txt`` is found the way every template is
(docs/templates.md): the bank's own folder first (``{templates}/analysis/``), then the
built-ins, which stay reachable as ``default:{topic}.{lang}.txt``.  The environment is a
``SandboxedEnvironment`` (a template a bank hands in can read the facts it is given and
nothing else), undefined names raise, and autoescape is off: the text is plain, and the
HTML/PDF escapes it when it puts it on the page, like any other data.

A template's line breaks are for its author: each paragraph's lines are joined ("" in
Chinese, one space in English; in English no space is left before a punctuation mark and
one is put after a sentence's full stop) and blank results are dropped.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

import reportgen
from reportgen.errors import TemplateError

BUILTIN = Path(reportgen.__file__).resolve().parent.parent / "templates" / "analysis"
JOINER = {"zh": "", "en": " "}
_BREAKS = re.compile(r"[ \t]*\n\s*")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.;:)])")
_NO_SPACE_AFTER_MARK = re.compile(r"([,.;:])(?=[A-Z(])")
_SPACES = re.compile(r"  +")


@functools.lru_cache(maxsize=8)
def environment(templates: Path | None) -> SandboxedEnvironment:
    """The one environment analysis sentences are rendered in: the bank's folder
    ``{templates}/analysis`` first, then the built-ins (also as ``default:NAME``).

    Kept per folder: compiling the templates costs more than drafting (a run drafts every
    report it makes); Jinja reloads a template whose file changed."""
    builtin = jinja2.FileSystemLoader(BUILTIN)
    search: list[jinja2.BaseLoader] = []
    if templates is not None:
        search.append(jinja2.FileSystemLoader(Path(templates) / "analysis"))
    search += [jinja2.PrefixLoader({"default": builtin}, delimiter=":"), builtin]
    return SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(search),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def sentence(env: SandboxedEnvironment, topic: str, lang: str, context: dict[str, Any]) -> str:
    """The paragraph of ``topic`` in ``lang``; "" when the template says nothing."""
    name = f"{topic}.{lang}.txt"
    try:
        raw = env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"analysis template {exc.name!r} not found (templates/analysis "
                            "or the analysis folder of --templates)") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"analysis template {exc.filename or exc.name}, line "
                            f"{exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"analysis template {name}: {exc.message} (a user template may "
                            "refer to a figure the topic does not define)") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"analysis template {name}: {exc} (templates may only read the "
                            "figures they are given)") from None
    text = _BREAKS.sub(JOINER[lang], raw).strip()
    if lang == "en":  # a line break before a comma must not leave "up 1.00 ,"
        text = _SPACE_BEFORE_MARK.sub(r"\1", text)
        text = _NO_SPACE_AFTER_MARK.sub(r"\1 ", text)
        text = _SPACES.sub(" ", text)
    return text
