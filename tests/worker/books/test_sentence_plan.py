"""The chapter's sentence plan: units in reading order, keys that survive edits elsewhere."""

from vocalio_shared.books import is_sentence_key, sentence_seed
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import LexiconEntry
from vocalio_worker.sentence_plan import (
    ChapterPlan,
    PauseBefore,
    RenderIdentity,
    VoiceIdentity,
    paragraphs,
    plan_chapter,
    transcript_sha256,
)

VOICE = VoiceIdentity(sha256="a" * 64, transcript_sha256=transcript_sha256("Hola, soy la voz."))
RENDER = RenderIdentity(engine="espeak", model="espeak-ng", sample_rate_hz=44100, speed=1.0, nfe_step=None)
CHAPTER = (
    "Era una mañana fría de 1923. El tren llegó tarde.\n\n"
    "María bajó con dos maletas. Nadie la esperaba en el andén.\n\n"
    "—¿Señora Pérez? —preguntó un hombre."
)


def plan(text: str = CHAPTER, title: str | None = "Capítulo 1", **changes: object) -> ChapterPlan:
    arguments: dict[str, object] = {
        "book_seed": 1234,
        "region": Region.NEUTRAL,
        "lexicon": None,
        "max_chunk_chars": 1000,
        "voice": VOICE,
        "render": RENDER,
    } | changes
    return plan_chapter(text, title, **arguments)  # type: ignore[arg-type]


def test_the_title_is_the_first_unit_then_the_sentences_in_reading_order() -> None:
    units = plan().units
    assert units[0].is_title and units[0].source == "Capítulo 1" and units[0].spoken == "Capítulo uno"
    assert [unit.source for unit in units[1:]] == [
        "Era una mañana fría de 1923.",
        "El tren llegó tarde.",
        "María bajó con dos maletas.",
        "Nadie la esperaba en el andén.",
        "—¿Señora Pérez? —preguntó un hombre.",
    ]
    assert "mil novecientos veintitrés" in units[1].spoken  # normalized: what the engine reads
    assert [unit.sentence for unit in units] == list(range(6))
    assert [unit.pause_before for unit in units] == [
        PauseBefore.NONE,
        PauseBefore.TITLE,
        PauseBefore.SENTENCE,
        PauseBefore.PARAGRAPH,
        PauseBefore.SENTENCE,
        PauseBefore.PARAGRAPH,
    ]


def test_without_a_title_the_first_sentence_has_no_pause_before_it() -> None:
    units = plan(title=None).units
    assert not units[0].is_title and units[0].pause_before == PauseBefore.NONE
    assert len(units) == 5


def test_every_unit_has_a_key_and_the_seed_comes_from_its_text() -> None:
    for unit in plan().units:
        assert is_sentence_key(unit.key)
        assert unit.seed == sentence_seed(1234, unit.spoken)


def test_editing_one_sentence_changes_only_its_key() -> None:
    before = plan()
    after = plan(CHAPTER.replace("El tren llegó tarde.", "El tren llegó muy tarde."))
    changed = [(a.source, b.source) for a, b in zip(before.units, after.units, strict=True) if a.key != b.key]
    assert changed == [("El tren llegó tarde.", "El tren llegó muy tarde.")]


def test_inserting_a_paragraph_keeps_every_other_key() -> None:
    before = plan()
    after = plan(CHAPTER.replace("\n\nMaría", "\n\nLlovía sin parar.\n\nMaría"))
    assert set(before.unique_keys) <= set(after.unique_keys)
    assert len(after.unique_keys) == len(before.unique_keys) + 1


def test_keys_change_with_the_voice_the_engine_settings_and_the_book_seed() -> None:
    base = set(plan().unique_keys)
    other_voice = VoiceIdentity(sha256="b" * 64, transcript_sha256=VOICE.transcript_sha256)
    faster = RenderIdentity(engine="espeak", model="espeak-ng", sample_rate_hz=44100, speed=1.2, nfe_step=None)
    for changed in (plan(voice=other_voice), plan(render=faster), plan(book_seed=99)):
        assert base.isdisjoint(changed.unique_keys)
    assert set(plan().unique_keys) == base  # and nothing else moves them


def test_a_sentence_longer_than_a_chunk_becomes_several_units_of_one_sentence() -> None:
    long_sentence = (
        "Caminaron juntos por la orilla del río, entre los sauces y las piedras, mientras el sol bajaba "
        "detrás de las montañas, y hablaron de la guerra, de los hermanos que no volvieron, de la casa "
        "vieja que ya nadie cuidaba y de todo lo que habían perdido sin darse cuenta."
    )
    units = plan(f"Empezó así. {long_sentence} Fin.", title=None, max_chunk_chars=80).units
    long_units = [unit for unit in units if unit.source == long_sentence]
    assert len(long_units) >= 3
    assert {unit.sentence for unit in long_units} == {1}
    assert [unit.pause_before for unit in long_units] == [PauseBefore.SENTENCE] + [PauseBefore.NONE] * (
        len(long_units) - 1
    )
    assert len({unit.key for unit in long_units}) == len(long_units)
    assert units[-1].source == "Fin." and units[-1].sentence == 2


def test_a_repeated_sentence_is_one_key_and_text_with_nothing_to_say_is_skipped() -> None:
    chapter = "—Sí.\n\n* * *\n\n—Sí."
    result = plan(chapter, title=None)
    assert [unit.source for unit in result.units] == ["—Sí.", "—Sí."]
    assert len(result.unique_keys) == 1
    assert result.units[1].pause_before == PauseBefore.PARAGRAPH


def test_the_lexicon_changes_what_is_spoken_and_so_the_key() -> None:
    lexicon = [LexiconEntry(term="Pérez", say="Péres")]
    plain, with_lexicon = plan(title=None), plan(title=None, lexicon=lexicon)
    assert "Péres" in with_lexicon.units[-1].spoken
    assert plain.units[-1].key != with_lexicon.units[-1].key
    assert plain.units[0].key == with_lexicon.units[0].key


def test_paragraphs_split_at_blank_lines_only() -> None:
    assert paragraphs("Uno.\nDos.\n\n  \nTres.\r\n\r\nCuatro.") == ["Uno.\nDos.", "Tres.", "Cuatro."]
