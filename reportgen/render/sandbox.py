"""The Jinja sandbox every template runs in, and the loader that keeps it in its folders.

A bank's template is code the bank writes, but a report is made on a server that holds the
SMTP password and the ledger.  Plain Jinja lets a template walk from any function to its
module's globals (``cycler.__init__.__globals__.os.popen``) and ``FileSystemLoader``
follows ``..`` and symlinks.  So every template, built-in or the user's, runs here:

* ``ReportSandbox`` is Jinja's ``ImmutableSandboxedEnvironment`` (no attribute that starts
  with ``_``, no unsafe callables, no changing of lists and dicts) that moreover refuses
  every attribute of numpy, pyarrow and pandas objects (the model's long columns: an
  array's ``tofile`` would write anywhere) and of modules;
* ``FolderLoader`` serves a template only when its real path (symlinks resolved) lies
  under one of the template folders, and refuses names with ``..``, a leading ``/``,
  ``\\`` or a drive;
* every ``{{ … }}`` passes ``finalize``: text loses the characters no document may hold
  (formatting.clean_text) and, in the report templates, is cut to ``OUTPUT_MAX``
  characters, so no value can make WeasyPrint's line breaking run for minutes.

A refusal is a ``TemplateError`` (exit 2) that names the template, the line and what was
refused; ``template_error`` turns whatever a template raised into one.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from reportgen.errors import ReportgenError, TemplateError
from reportgen.formatting import ELLIPSIS, clean_text

# Libraries whose objects a template may print or loop over but never look into.
FOREIGN = frozenset({"numpy", "pyarrow", "pandas", "os", "posix", "pathlib", "io", "sys",
                     "subprocess", "shutil", "socket", "importlib"})
# The longest text one ``{{ … }}`` of a report template writes: table cells are cut much
# shorter by the ``fmt`` filter; this bounds everything else a template may print (the
# longest the built-in templates print is 130 characters).  Measured on the dekad PDF: a
# customer name of 200 characters in its table cells costs 10.6 s against 9 s for 60,
# one of 1,000 characters 148 s.
OUTPUT_MAX = 200


def _foreign(obj: Any) -> bool:
    if isinstance(obj, ModuleType):
        return True
    module = getattr(type(obj), "__module__", None) or ""
    return module.partition(".")[0] in FOREIGN


class ReportSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, closed also to library objects and modules."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if _foreign(obj) or isinstance(value, ModuleType):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def is_safe_callable(self, obj: Any) -> bool:
        owner = getattr(obj, "__self__", None)
        if owner is not None and _foreign(owner):
            return False
        return bool(super().is_safe_callable(obj))


def finalizer(limit: int | None) -> Callable[[Any], Any]:
    """What ``{{ … }}`` does to a value before escaping it: clean text, cut at ``limit``.

    Markup (a macro's output, already finalized piece by piece) is cleaned but never cut,
    which could cut a tag in half.
    """

    def finalize(value: Any) -> Any:
        if isinstance(value, Markup):
            return Markup(clean_text(value))
        if isinstance(value, str):
            value = clean_text(value)
            if limit is not None and len(value) > limit:
                value = value[: limit - 1] + ELLIPSIS
        return value

    return finalize


def sandbox(loader: jinja2.BaseLoader | None = None, *, limit: int | None = OUTPUT_MAX,
            autoescape: bool = True, **options: Any) -> ReportSandbox:
    """A ``ReportSandbox`` with the house rules: undefined names raise, output finalized."""
    return ReportSandbox(loader=loader, autoescape=autoescape,
                         undefined=jinja2.StrictUndefined, finalize=finalizer(limit),
                         **options)


def check_name(name: str) -> None:
    """Refuse a template name that could leave its folder: ``..``, absolute, ``\\``, a drive."""
    parts = PurePosixPath(name).parts
    if (".." in parts or name.startswith("/") or "\\" in name
            or (parts and ":" in parts[0] and len(parts[0]) == 2)):
        raise TemplateError(f"template name {name!r} leaves the template folders: a "
                            "template may include, import or extend only templates inside "
                            "them, by a name relative to the folder (e.g. \"_table.html\")")


class FolderLoader(jinja2.FileSystemLoader):
    """``FileSystemLoader`` for one folder that serves only files inside ``allowed``.

    A symlink is followed (a bank may link a shared header into its folder) but the file
    it ends at must itself lie under one of the template folders.
    """

    def __init__(self, folder: Path, allowed: Sequence[Path]) -> None:
        super().__init__(str(folder))
        self.allowed = [Path(root).resolve() for root in allowed]

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        check_name(template)
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(root) for root in self.allowed):
            raise TemplateError(f"template {template!r} is a link to {real}, outside the "
                                f"template folders ({', '.join(map(str, self.allowed))}); "
                                "a template may use only files inside them")
        return source, filename, uptodate


def template_error(exc: Exception, name: str) -> ReportgenError | None:
    """``exc`` (raised while rendering template ``name``) as a ``TemplateError`` naming
    the template file and line; ``None`` when it did not come from a template (a bug)."""
    if isinstance(exc, ReportgenError):
        return exc
    where = _template_frame(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        needed = "" if exc.name == name else f" (needed by {name})"
        return TemplateError(f"template {exc.name!r} not found{needed}")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"template {exc.filename or exc.name}, line {exc.lineno}: "
                             f"{exc.message}")
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(f"template {where or name}: {exc.message} (a user template "
                             "may refer to a name the report does not define)")
    if isinstance(exc, jinja2.TemplateError):  # SecurityError and the like
        return TemplateError(f"template {where or name}: {exc.message or exc} (templates run "
                             "in a sandbox; see docs/templates.md for what they may use)")
    if where is not None:  # a Python error in a template's expression, e.g. 1 / 0
        return TemplateError(f"template {where}: {type(exc).__name__}: {exc}")
    return None


def _template_frame(exc: BaseException) -> str | None:
    """"file, line N" of the innermost template frame of ``exc``'s traceback."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if not frame.filename.endswith(".py") and frame.filename not in ("<template>",
                                                                         "<string>"):
            found = f"{Path(frame.filename).name}, line {frame.lineno}"
    return found
