"""The OPF's metadata → BookMetadataPatch (what the EPUB says; the client's own metadata wins).

EPUB 3 refinements (`<meta refines="#id" property="...">`) and EPUB 2 attributes (`opf:role`,
`opf:scheme`, `opf:event`) are both read. Values are cleaned and cut to the schema's lengths, and a
value the schema still refuses is dropped with a warning rather than failing the import.
"""

import re
from typing import Any

from lxml import etree
from pydantic import ValidationError
from vocalio_shared.schemas.books import BookMetadataPatch

from vocalio_api.books.importing.xhtml import clean_text, fragment_text

DC = "http://purl.org/dc/elements/1.1/"
OPF = "http://www.idpf.org/2007/opf"
_OPF_ROLE = f"{{{OPF}}}role"
_OPF_SCHEME = f"{{{OPF}}}scheme"
_OPF_EVENT = f"{{{OPF}}}event"
_ASIN = re.compile(r"^B[0-9A-Z]{9}$")
_DATE = re.compile(r"^(\d{4})(-\d{2}(-\d{2})?)?")


def _text(el: etree._Element) -> str:
    return " ".join(clean_text("".join(t for t in el.itertext() if isinstance(t, str))).split())


def _max_length(name: str) -> int | None:
    for constraint in BookMetadataPatch.model_fields[name].metadata:
        if hasattr(constraint, "max_length"):
            return constraint.max_length
    return None


def _cut(name: str, value: str | None) -> str | None:
    if not value:
        return None
    limit = _max_length(name)
    return value[:limit].rstrip() if limit else value


def title_from_filename(filename: str | None) -> str | None:
    """`el_viaje.txt` → `el viaje`: a title when the file carries none."""
    if not filename:
        return None
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return " ".join(stem.replace("_", " ").split())[:500] or None


def isbn_of(raw: str) -> str | None:
    """An ISBN-10 or ISBN-13 with a valid check digit, as bare digits (X for ten)."""
    value = raw.strip()
    value = re.sub(r"^(urn:isbn:|isbn[:\s]*)", "", value, flags=re.IGNORECASE)
    digits = re.sub(r"[\s\-]", "", value).upper()
    if re.fullmatch(r"\d{13}", digits):
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        return digits if (10 - total % 10) % 10 == int(digits[12]) else None
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if d == "X" else int(d)) for i, d in enumerate(digits))
        return digits if total % 11 == 0 else None
    return None


def _asin_of(raw: str, scheme: str) -> str | None:
    value = re.sub(r"^(urn:asin:|urn:amazon:|amazon:|asin:|mobi-asin:)", "", raw.strip(), flags=re.IGNORECASE)
    if _ASIN.match(value.upper()) and (
        scheme in ("amazon", "asin", "mobi-asin") or raw.lower().startswith(("urn:", "amazon", "asin"))
    ):
        return value.upper()
    return None


def _date_of(raw: str) -> str | None:
    match = _DATE.match(raw.strip())
    if not match or int(match.group(1)) < 1000:  # calibre writes 0101-01-01 for "no date"
        return None
    return match.group(0)


def _description_of(raw: str) -> str | None:
    """dc:description often carries escaped HTML: take its text."""
    if "<" in raw and ">" in raw:
        try:
            parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
            root = etree.fromstring(f"<div>{raw}</div>", parser)
            raw = fragment_text(root) if root is not None else raw
        except (etree.LxmlError, ValueError):
            raw = re.sub(r"<[^>]*>", " ", raw)
    return " ".join(clean_text(raw).split()) or None


def read_metadata(package: etree._Element, warnings: list[str]) -> BookMetadataPatch:
    meta_el = package.find(f"{{{OPF}}}metadata")
    if meta_el is None:
        return BookMetadataPatch()
    refines: dict[str, dict[str, str]] = {}
    for meta in meta_el.iter(f"{{{OPF}}}meta"):
        target, prop = meta.get("refines"), meta.get("property")
        if target and prop:
            refines.setdefault(target.lstrip("#"), {}).setdefault(prop, _text(meta))

    def refined(el: etree._Element, prop: str) -> str | None:
        return refines.get(el.get("id") or "\x00", {}).get(prop)

    fields: dict[str, Any] = {}
    titles = [(el, _text(el)) for el in meta_el.iter(f"{{{DC}}}title") if _text(el)]
    main = next((t for el, t in titles if refined(el, "title-type") == "main"), None)
    main = main or next((t for el, t in titles if refined(el, "title-type") in (None, "main")), None)
    fields["title"] = main or (titles[0][1] if titles else None)
    fields["subtitle"] = next((t for el, t in titles if refined(el, "title-type") == "subtitle"), None)

    authors: list[str] = []
    narrator = None
    for el in [*meta_el.iter(f"{{{DC}}}creator"), *meta_el.iter(f"{{{DC}}}contributor")]:
        name = _text(el)
        if not name:
            continue
        role = (refined(el, "role") or el.get(_OPF_ROLE) or el.get("role") or "").strip().lower()
        is_creator = el.tag == f"{{{DC}}}creator"
        if role == "aut" or (not role and is_creator):
            if name not in authors:
                authors.append(name)
        elif role == "nrt" and narrator is None:
            narrator = name
    fields["authors"] = authors[:20] or None
    fields["narrator"] = narrator

    fields["language"] = next((_text(el) for el in meta_el.iter(f"{{{DC}}}language") if _text(el)), None)
    fields["publisher"] = next((_text(el) for el in meta_el.iter(f"{{{DC}}}publisher") if _text(el)), None)
    dates = [(el.get(_OPF_EVENT) or "").lower() for el in meta_el.iter(f"{{{DC}}}date")]
    date_els = list(meta_el.iter(f"{{{DC}}}date"))
    ordered = [el for el, event in zip(date_els, dates, strict=True) if event in ("publication", "")] + date_els
    fields["date"] = next((d for d in (_date_of(_text(el)) for el in ordered) if d), None)
    for el in meta_el.iter(f"{{{DC}}}identifier"):
        raw = _text(el)
        scheme = (el.get(_OPF_SCHEME) or refined(el, "identifier-type") or "").lower()
        if fields.get("isbn") is None and (isbn := isbn_of(raw)):
            fields["isbn"] = isbn
        if fields.get("asin") is None and (asin := _asin_of(raw, scheme)):
            fields["asin"] = asin
    description = next((_text(el) for el in meta_el.iter(f"{{{DC}}}description") if _text(el)), None)
    fields["description"] = _description_of(description) if description else None
    fields["genre"] = next((_text(el) for el in meta_el.iter(f"{{{DC}}}subject") if _text(el)), None)

    named = {(m.get("name") or "").lower(): (m.get("content") or "").strip() for m in meta_el.iter(f"{{{OPF}}}meta")}
    series, part = named.get("calibre:series") or None, named.get("calibre:series_index") or None
    collections = [m for m in meta_el.iter(f"{{{OPF}}}meta") if m.get("property") == "belongs-to-collection"]
    collections.sort(key=lambda m: refined(m, "collection-type") != "series")
    if collections and _text(collections[0]):
        series = _text(collections[0])
        part = refined(collections[0], "group-position") or part
    fields["series"] = series
    fields["series_part"] = _series_part(part) if part else None
    return _patch(fields, warnings)


def _series_part(raw: str) -> str | None:
    value = raw.strip()
    if re.fullmatch(r"\d+\.0+", value):  # calibre writes 2.0
        value = value.split(".")[0]
    return value or None


def _patch(fields: dict[str, Any], warnings: list[str]) -> BookMetadataPatch:
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = _cut(name, value)
        elif isinstance(value, list):
            value = [v[:500] for v in value if v]
        if value:
            cleaned[name] = value
    while True:
        try:
            return BookMetadataPatch(**cleaned)
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err.get("loc")}
            if not bad or not bad & set(cleaned):
                return BookMetadataPatch()
            for name in bad:
                if cleaned.pop(name, None) is not None:
                    warnings.append(f"the EPUB's {name} metadata is not usable: left out")
