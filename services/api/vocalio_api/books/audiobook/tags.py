"""The tags of a book's files, named as ffmpeg names them (its `-metadata` keys).

Audiobookshelf reads (server/utils/prober.js, ffprobe's tag names): title from `album` (else
`title`), authors from `artist` (else `album_artist`), narrators from `composer`, `description`
(else `comment`), `publisher`, `date`, `subtitle`, `genre`, series from `series`/`show`/`mvnm` with
the part from `series-part`/`episode_id`/`mvin`/`part` (else both from `grouping`, "Series #2"),
`isbn`, `asin`, `language`. We write all of them, in every file. Apple's players read the iTunes
atoms (`©alb`, `©ART`, `©wrt`, `desc`/`ldes`, `stik` = 2 for an audiobook).

Every file says its narration is synthetic, twice: in words (comment and description) and in a tag
of its own (`AI_NARRATION=1`) that a catalogue can filter on.
"""

from vocalio_shared.schemas.books import BookMetadata

SYNTHETIC_NARRATOR = "Vocalio (voz sintética)"  # the composer tag when the book names no narrator
AI_DISCLOSURE = "Narración: voz sintética (IA), generada con Vocalio."
AI_NARRATION_TAG = "AI_NARRATION"
ENCODED_BY = "Vocalio"
MP4_MEDIA_TYPE_AUDIOBOOK = "2"  # iTunes `stik`

# What ffmpeg's mp4/ipod muxer writes as iTunes atoms; every other key goes into a freeform
# "----:com.apple.iTunes:<key>" atom (`vocalio_api.books.audiobook.mp4atoms`), which ffprobe reads
# back under the same key.
MP4_NATIVE_KEYS = frozenset(
    {
        "title", "artist", "album_artist", "composer", "album", "date", "comment", "genre", "copyright",
        "grouping", "lyrics", "description", "synopsis", "show", "episode_id", "network", "keywords",
        "media_type", "track", "disc",
    }
)  # fmt: skip


def _authors(metadata: BookMetadata) -> str | None:
    # ", " is what Audiobookshelf's name parser splits "First Last, First Last" on.
    names = [" ".join(name.split()) for name in metadata.authors if name.strip()]
    return ", ".join(names) or None


def description_with_disclosure(metadata: BookMetadata) -> str:
    if metadata.description and metadata.description.strip():
        return f"{metadata.description.strip()}\n\n{AI_DISCLOSURE}"
    return AI_DISCLOSURE


def _common(metadata: BookMetadata) -> dict[str, str | None]:
    series_part = metadata.series_part
    grouping = None
    if metadata.series:
        grouping = f"{metadata.series} #{series_part}" if series_part else metadata.series
    return {
        "album": metadata.title,
        "subtitle": metadata.subtitle,
        "artist": _authors(metadata),
        "album_artist": _authors(metadata),
        "composer": metadata.narrator or SYNTHETIC_NARRATOR,
        "genre": metadata.genre,
        "date": metadata.date,
        "publisher": metadata.publisher,
        "language": metadata.language,
        "series": metadata.series,
        "series-part": series_part if metadata.series else None,
        "show": metadata.series,
        "episode_id": series_part if metadata.series else None,
        "grouping": grouping,
        "isbn": metadata.isbn,
        "asin": metadata.asin,
        "comment": AI_DISCLOSURE,
        "description": description_with_disclosure(metadata),
        "encoded_by": ENCODED_BY,
        AI_NARRATION_TAG: "1",
    }


def _present(tags: dict[str, str | None]) -> dict[str, str]:
    return {key: value.strip() for key, value in tags.items() if value is not None and value.strip()}


def part_title(title: str, part: int, parts: int) -> str:
    return title if parts <= 1 else f"{title} (Parte {part} de {parts})"


def book_tags(metadata: BookMetadata, *, part: int = 1, parts: int = 1) -> dict[str, str]:
    """The tags of an m4b (one part of `parts`). Album stays the book's title in every part, so a
    library groups the parts as one book; the title and disc say which part this is."""
    tags = _common(metadata)
    tags.update(
        {
            "title": part_title(metadata.title, part, parts),
            "synopsis": description_with_disclosure(metadata),  # `ldes`: iTunes keeps `desc` short, the long one here
            "media_type": MP4_MEDIA_TYPE_AUDIOBOOK,
            "disc": f"{part}/{parts}",
            "track": f"{part}/{parts}",
        }
    )
    return _present(tags)


def chapter_tags(metadata: BookMetadata, *, number: int, count: int, title: str) -> dict[str, str]:
    """The tags of one chapter file (mp3 ID3v2, FLAC Vorbis comments, WAV INFO as far as it goes):
    the chapter is the track, the book the album."""
    tags = _common(metadata)
    tags.update({"title": title, "track": f"{number}/{count}", "disc": "1/1"})
    return _present(tags)
