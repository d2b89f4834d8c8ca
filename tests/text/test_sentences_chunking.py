"""Sentence splitting and chunking on Spanish prose: abbreviations, decimals, ellipses, quotes, dialogue."""

import pytest
from vocalio_text import chunk_text, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Hola. Adiós.", ["Hola.", "Adiós."]),
        ("¿Vienes? ¡Claro que sí! Vamos.", ["¿Vienes?", "¡Claro que sí!", "Vamos."]),
        ("El Sr. Pérez llegó. La Dra. Gómez también.", ["El Sr. Pérez llegó.", "La Dra. Gómez también."]),
        ("Vive en EE. UU. desde 2010.", ["Vive en EE. UU. desde 2010."]),
        ("Ver pág. 12 y núm. 3. Fin.", ["Ver pág. 12 y núm. 3.", "Fin."]),
        ("Pi vale 3.14 más o menos. Y e, 2,71.", ["Pi vale 3.14 más o menos.", "Y e, 2,71."]),
        ("No sé... quizá mañana. Ya veremos.", ["No sé... quizá mañana.", "Ya veremos."]),
        ("Esperó… Nadie vino.", ["Esperó…", "Nadie vino."]),
        ("«¿Quién es?», preguntó. Nadie respondió.", ["«¿Quién es?», preguntó.", "Nadie respondió."]),
        ("Dijo: «Me voy.» Y se fue.", ["Dijo: «Me voy.»", "Y se fue."]),
        ("—¿Vienes? —preguntó ella. —Sí —respondí.", ["—¿Vienes? —preguntó ella.", "—Sí —respondí."]),
        ("—¡Ay! —gritó—. Me duele.", ["—¡Ay! —gritó—.", "Me duele."]),
        ("¡Qué frío! dijo Juan.", ["¡Qué frío! dijo Juan."]),
        ("Primera línea\nSegunda línea", ["Primera línea", "Segunda línea"]),
        ("Párrafo uno.\n\nPárrafo dos.", ["Párrafo uno.", "Párrafo dos."]),
        (
            "Cervantes (1547-1616) escribió el Quijote. Fue un éxito.",
            ["Cervantes (1547-1616) escribió el Quijote.", "Fue un éxito."],
        ),
        ("Lo dijo J. R. R. Tolkien. Nada más.", ["Lo dijo J. R. R. Tolkien.", "Nada más."]),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_chunks_pack_whole_sentences() -> None:
    text = "Uno dos tres. Cuatro cinco seis. Siete ocho nueve."
    assert chunk_text(text, 40) == ["Uno dos tres. Cuatro cinco seis.", "Siete ocho nueve."]


def test_long_sentence_is_cut_at_clauses() -> None:
    text = (
        "En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía un "
        "hidalgo de los de lanza en astillero, adarga antigua, rocín flaco y galgo corredor."
    )
    chunks = chunk_text(text, 80)
    assert all(len(chunk) <= 80 for chunk in chunks)
    assert chunks[0].endswith(",")
    assert " ".join(chunks) == text


def test_clause_too_long_is_cut_between_words() -> None:
    text = " ".join(["palabra"] * 50)
    chunks = chunk_text(text, 30)
    assert all(len(chunk) <= 30 for chunk in chunks)
    assert " ".join(chunks) == text
    assert all(not chunk.startswith(" ") and not chunk.endswith(" ") for chunk in chunks)


def test_never_cuts_inside_a_word_that_fits() -> None:
    text = "Otorrinolaringólogo, esternocleidomastoideo y electroencefalografista trabajaban juntos."
    chunks = chunk_text(text, 25)
    words = set(text.replace(",", " ").replace(".", " ").split())
    for chunk in chunks:
        for word in chunk.replace(",", " ").replace(".", " ").split():
            assert word in words


def test_word_longer_than_budget_is_hard_cut() -> None:
    assert chunk_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_dialogue_chunks_keep_turns_together_when_they_fit() -> None:
    text = "—¿Vienes? —preguntó ella.\n—Sí —respondí."
    assert chunk_text(text, 300) == ["—¿Vienes? —preguntó ella. —Sí —respondí."]


def test_invalid_budget() -> None:
    with pytest.raises(ValueError):
        chunk_text("hola", 0)
