"""Regional markers and their weights: the data behind detect_region (regions.py).

The markers live in data files, one per variety (data/regions/<variety>.toml), each group of
markers with its weight and the sources it was checked against. A weight says how strongly a
marker points at a variety: 1.0 is nearly exclusive ("che", "güey", "parce", "vosotros"), 0.3-0.5
is shared or also ordinary Spanish ("chévere", "ahorita", "coche"). A marker may point at several
varieties ("guagua" is a bus in the Caribbean, a baby in Chile and the Andes): each file gives its
own weight. The [features] of a file weigh the morphology and spelling that regions.py recognises
(voseo and vosotros endings, Chilean -ái, Caribbean elisions, the -ico diminutive...).
"""

import tomllib
from dataclasses import dataclass
from importlib.resources import files

from vocalio_shared.regions import Region

Weights = dict[Region, float]

# The features regions.py knows how to recognise; a data file may weigh only these.
FEATURES = frozenset(
    {
        "voseo_as_es",
        "voseo_is",
        "vosotros_ais_eis",
        "chilean_ai",
        "elided_s",
        "ao_participle",
        "itico_diminutive",
        "vocative_tio",
        "interjection_vale",
        "final_pues",
        "de_una",
        # Issue 19, running text: spelling of speech, Spain's plural imperative, a construction.
        "s_aspiration",
        "chilean_ih",
        "vosotros_imperative",
        "tener_de_no",
        # Issue 19, second batch: no + verb + más for "ya no" (Río de la Plata).
        "no_mas",
    }
)


@dataclass(frozen=True)
class MarkerData:
    words: dict[str, Weights]
    phrases: dict[str, Weights]
    # Demonyms: they count only when the writer speaks as one of them (regions.py).
    demonyms: dict[str, Weights]
    # Words that mark a variety only when they open an exclamation (¡aguas!, ¡sirvió!).
    exclamations: dict[str, Weights]
    # Tag questions: what stands alone between ¿ and ? or after a comma («¿viste?», «, ¿cachai?»).
    tags: dict[str, Weights]
    features: dict[str, Weights]
    # (marker, variety) -> the source keys of that variety's file that back it.
    sources: dict[tuple[str, Region], tuple[str, ...]]
    # variety -> source key -> citation.
    citations: dict[Region, dict[str, str]]
    # Ordinary words whose endings look regional (ordinary.toml), and the determiners before tío.
    ordinary: frozenset[str]
    determiners: frozenset[str]


def _group_sources(group: dict, citations: dict[str, str], where: str) -> tuple[str, ...]:
    keys = group["source"]
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    unknown = [key for key in keys if key not in citations]
    if not keys or unknown:
        raise ValueError(f"{where}: every marker group cites known sources (unknown: {unknown})")
    return keys


def _add(table: dict[str, Weights], marker: str, region: Region, weight: float) -> None:
    weights = table.setdefault(marker, {})
    # A marker listed twice for one variety keeps its strongest weight.
    weights[region] = max(weight, weights.get(region, 0.0))


def load_markers() -> MarkerData:
    words: dict[str, Weights] = {}
    phrases: dict[str, Weights] = {}
    demonyms: dict[str, Weights] = {}
    exclamations: dict[str, Weights] = {}
    tags: dict[str, Weights] = {}
    features: dict[str, Weights] = {}
    sources: dict[tuple[str, Region], tuple[str, ...]] = {}
    citations: dict[Region, dict[str, str]] = {}
    ordinary: frozenset[str] = frozenset()
    determiners: frozenset[str] = frozenset()
    folder = files("vocalio_text").joinpath("data/regions")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        if "variety" not in data:
            ordinary = frozenset(data["not_regional"].split())
            determiners = frozenset(data["determiners"].split())
            continue
        region = Region(data["variety"])
        citations[region] = dict(data["sources"])
        kinds = (("words", words), ("phrases", phrases), ("exclamations", exclamations), ("tags", tags))
        for kind, table in kinds:
            for group in data.get(kind, []):
                keys = _group_sources(group, citations[region], f"{entry.name} {kind}")
                items = group["items"] if kind in ("phrases", "tags") else group["items"].split()
                for item in items:
                    marker = " ".join(item.casefold().split())
                    _add(table, marker, region, float(group["weight"]))
                    sources[(marker, region)] = keys
        if "self_reference" in data:
            group = data["self_reference"]
            keys = _group_sources(group, citations[region], f"{entry.name} self_reference")
            for item in group["items"].split():
                _add(demonyms, item.casefold(), region, float(group["weight"]))
                sources[(item.casefold(), region)] = keys
        for name, weight in data.get("features", {}).items():
            if name not in FEATURES:
                raise ValueError(f"{entry.name}: unknown feature {name!r}")
            features.setdefault(name, {})[region] = float(weight)
    return MarkerData(words, phrases, demonyms, exclamations, tags, features, sources, citations, ordinary, determiners)


MARKERS = load_markers()
LEXICAL_MARKERS = MARKERS.words
PHRASE_MARKERS = MARKERS.phrases
DEMONYMS = MARKERS.demonyms
EXCLAMATIONS = MARKERS.exclamations
TAG_QUESTIONS = MARKERS.tags
FEATURE_WEIGHTS = MARKERS.features
