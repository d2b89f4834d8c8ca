"""MkDocs hook: the configuration reference, generated at build time from the pydantic-settings classes.

A page holding the marker `<!-- settings-reference -->` gets, in its place, one table per settings class:
each environment variable (VOCALIO_ prefix), its type and bounds, its default and the field's description.
Nothing is copied by hand, so the page cannot drift from the code.

Which modules to import comes from ONE list, `vocalio_cli.env_example.SETTINGS_CLASSES` (the same list
`.env.example` and the compose tests use). After importing them, every subclass of `CommonSettings` is
discovered, so a class that moves to another module still appears as long as that list names a module that
imports it; a module that fails to import stops the build with its name.
"""

import enum
import importlib
import inspect
import json
import types
import typing
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from markdown.extensions.toc import slugify
from pydantic import SecretStr
from pydantic.fields import FieldInfo

MARKER = "<!-- settings-reference -->"
NO_DESCRIPTION = "*(no description in the code)*"


def _import_settings_modules() -> tuple[type, list[tuple[str, str]]]:
    """Import every module of the one list; answer CommonSettings and the (title, class name) pairs."""
    try:
        from vocalio_cli.env_example import SETTINGS_CLASSES
        from vocalio_shared.settings import CommonSettings
    except ImportError as error:
        raise RuntimeError(
            f"settings reference: cannot import the settings list ({error}); "
            "build the docs in the project's environment (`make docs`)"
        ) from error
    for _, module_name, _ in SETTINGS_CLASSES:
        try:
            importlib.import_module(module_name)
        except Exception as error:
            raise RuntimeError(
                f"settings reference: module {module_name!r} (listed in vocalio_cli.env_example.SETTINGS_CLASSES) "
                f"failed to import: {type(error).__name__}: {error}"
            ) from error
    return CommonSettings, [(title, class_name) for title, _, class_name in SETTINGS_CLASSES]


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _ordered_classes() -> list[tuple[str, type]]:
    """CommonSettings first, then the listed classes in list order, then any other discovered subclass."""
    common, listed = _import_settings_modules()
    discovered = {cls for cls in _subclasses(common) if cls.__module__.startswith("vocalio_")}
    titles = dict((class_name, title) for title, class_name in listed)
    order = [class_name for _, class_name in listed]
    by_name: dict[str, type] = {}
    for cls in discovered:
        by_name.setdefault(cls.__name__, cls)
    missing = [name for name in order if name not in by_name]
    if missing:
        raise RuntimeError(
            f"settings reference: {', '.join(missing)} named in vocalio_cli.env_example.SETTINGS_CLASSES "
            "is not a subclass of CommonSettings after importing the listed modules"
        )
    ordered: list[tuple[str, type]] = [("Common to every service", common)]
    ordered += [(titles[name], by_name[name]) for name in order]
    ordered += sorted(((cls.__qualname__, cls) for cls in discovered if cls.__name__ not in titles), key=lambda x: x[0])
    return ordered


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " or ".join(json.dumps(arg) for arg in args)
    if origin in (typing.Union, types.UnionType):
        parts = [_type_name(arg) for arg in args if arg is not type(None)]
        return " | ".join(parts) + (" | unset" if type(None) in args else "")
    if origin in (list, tuple, set, frozenset):
        return f"{origin.__name__}[{', '.join(_type_name(arg) for arg in args)}] (JSON)"
    if origin is dict:
        return f"dict[{', '.join(_type_name(arg) for arg in args)}] (JSON)"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " or ".join(json.dumps(member.value) for member in annotation)
    if annotation is SecretStr:
        return "secret"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _bounds(field: FieldInfo) -> str:
    signs = {Ge: ("≥", "ge"), Gt: (">", "gt"), Le: ("≤", "le"), Lt: ("<", "lt")}
    parts: list[str] = []
    for item in field.metadata:
        for kind, (sign, attribute) in signs.items():
            if isinstance(item, kind):
                parts.append(f"{sign} {getattr(item, attribute)}")
        if isinstance(item, MinLen):
            parts.append(f"≥ {item.min_length} chars")
        if isinstance(item, MaxLen):
            parts.append(f"≤ {item.max_length} chars")
    return ", ".join(parts)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if field.default_factory is not None and isinstance(value, str):
        return "computed at start"  # e.g. the worker id (hostname-pid): no fixed value to show
    if value is None or isinstance(value, SecretStr):
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if isinstance(value, Path):
        return f"`{value}`"
    if isinstance(value, list | tuple | dict):
        from pydantic import TypeAdapter

        return f"`{TypeAdapter(type(value)).dump_json(value).decode()}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    # A pipe would end the table cell, inside code spans too: escape it.
    return text.replace("|", "\\|").replace("\n", " ")


def _own_fields(cls: type) -> list[tuple[str, FieldInfo]]:
    """Fields the class declares itself; inherited ones are listed under the class that declares them."""
    own = inspect.get_annotations(cls)
    return [(name, field) for name, field in cls.model_fields.items() if name in own]


def _anchor(title: str) -> str:
    # the same slug MkDocs' table of contents gives the heading, so the links resolve
    return slugify(title, "-")


def render_reference() -> str:
    from vocalio_shared.settings import ENV_PREFIX

    classes = _ordered_classes()
    rendered = {cls for _, cls in classes}
    titles = {cls: title for title, cls in classes}
    lines: list[str] = []
    for title, cls in classes:
        lines += [f"## {title}", ""]
        lines += [f"Class `{cls.__module__}.{cls.__qualname__}`.", ""]
        bases = [base for base in cls.__mro__[1:] if base in rendered]
        if bases:
            inherited = ", ".join(f"[{titles[base]}](#{_anchor(titles[base])})" for base in bases)
            lines += [f"Also reads the variables of: {inherited}.", ""]
        heirs = [title for title, other in classes if other is not cls and issubclass(other, cls)]
        if heirs and cls is not classes[0][1]:  # the common class is read by every service: its title says so
            lines += [f"Its variables are read by: {', '.join(heirs)}.", ""]
        fields = _own_fields(cls)
        if not fields:
            lines += ["No variables of its own.", ""]
            continue
        lines += ["| variable | type | default | description |", "| --- | --- | --- | --- |"]
        for name, field in fields:
            type_text = _type_name(field.annotation)
            bounds = _bounds(field)
            if bounds:
                type_text += f"; {bounds}"
            description = (field.description or "").strip() or NO_DESCRIPTION
            row = [f"`{ENV_PREFIX}{name.upper()}`", type_text, _default(field), description]
            lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
        lines.append("")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render_reference())
