"""The guard on its own: which rewrites keep the facts of the source."""

import pytest
from vocalio_llm_bridge import guard

BOUNDS = guard.LengthBounds(0.6, 2.0)


@pytest.mark.parametrize(
    ("source", "rewrite"),
    [
        ("Pagó 1.500 euros.", "Pagó mil quinientos euros."),
        ("Pagó 1 500 euros.", "Pagó mil quinientos euros."),
        ("Pagó 1500 euros.", "Pagó mil quinientos euros."),
        ("Mide 3,14 metros.", "Mide tres coma catorce metros."),
        ("Mide 3,5 metros.", "Mide tres con cinco metros."),
        ("Llegó a las 10:30.", "Llegó a las diez y media."),
        ("Abre a las 14:00.", "Abre a las catorce horas."),
        ("Nació el 12/10/1492.", "Nació el doce de octubre de mil cuatrocientos noventa y dos."),
        ("Subió un 50%.", "Subió un cincuenta por ciento."),
        ("Tenía 2 millones.", "Tenía dos millones."),
        ("Tenía 3,5 millones.", "Tenía tres coma cinco millones."),
        ("Tenía 3,5 millones.", "Tenía tres millones quinientos mil."),
        ("Vio 1 gato.", "Vio un gato."),
        ("Llegó 1º y luego 2ª.", "Llegó primero y luego segunda."),
        ("Tenía 21 años.", "Tenía veintiún años."),
        ("Son tres gatos.", "Son 3 gatos."),
        ("La ONU y EE.UU. firmaron.", "La o ene u y los Estados Unidos firmaron."),
        ("El Sr. Pérez vive en San José.", "El señor Pérez vive en San José."),
        ("¿Vendrá María?", "¿Vendrá María?"),
    ],
)
def test_faithful_rewrites_are_accepted(source: str, rewrite: str) -> None:
    assert guard.check(source, rewrite, source, BOUNDS) == guard.Verdict(True)


@pytest.mark.parametrize(
    ("source", "rewrite", "reason"),
    [
        ("Pagó 1.500 euros.", "Pagó mil euros.", guard.REASON_NUMBERS),
        ("Mide 3,14 metros.", "Mide tres metros.", guard.REASON_NUMBERS),
        ("Llegó a las 10:30.", "Llegó a las diez y cuarto.", guard.REASON_NUMBERS),
        ("Nació en 1492.", "Nació en mil cuatrocientos noventa y tres.", guard.REASON_NUMBERS),
        ("Nació en 1492.", "Nació hace mucho.", guard.REASON_NUMBERS),
        ("Lo dijo Ana en Quito.", "Lo dijo ella en la ciudad.", guard.REASON_NAMES),
        ("Lo dijo Ana en Quito.", "Lo dijo Ana en Lima.", guard.REASON_NAMES),
        ("Hola.", "", guard.REASON_EMPTY),
        ("Era una tarde tranquila.", "Era una tarde tranquila. " * 10, guard.REASON_LENGTH),
    ],
)
def test_unfaithful_rewrites_are_rejected(source: str, rewrite: str, reason: str) -> None:
    verdict = guard.check(source, rewrite, source, BOUNDS)
    assert not verdict.accepted and verdict.reason == reason, verdict


def test_length_is_measured_against_the_rules_output() -> None:
    source = "Costó 1.234.567 €."
    spoken = "Costó un millón doscientos treinta y cuatro mil quinientos sesenta y siete euros."
    # Against the short source this is a 4.5x expansion; against the rules' own expansion it is 1x.
    assert guard.check(source, spoken, spoken, BOUNDS).accepted


def test_sentence_initial_words_are_not_names() -> None:
    assert guard.proper_names("Ayer llovió. Después salió el sol en Lima. ¿Quién vino? Ana.") == {"Lima"}
