"""An abbreviation's dot that is also the sentence's full stop: "40 has.", "el 14 d. C.", "el 30 jun."

Spanish writes one dot where an abbreviation ends a sentence (RAE, Ortografía 2010, 3.4.1.1). A pass
that reads the abbreviation takes its dot with it, so it gives the full stop back when the sentence
ends there: at the end of the text (closing quotes or brackets allowed) or before a capital or an
opening sign.
"""

import re

_NEXT_SENTENCE = re.compile(r"\s+[¿¡«\"—A-ZÁÉÍÓÚÑ]")
_TEXT_END = re.compile(r"[\"'»”)\]]*\s*$")
_WORD = re.compile(r"[^\W\d_]{2,}")


def with_full_stop(match: re.Match[str], spoken: str) -> str:
    """`spoken`, plus the full stop the written abbreviation's dot stood for, if it stood for one.

    At the end of the text only a sentence has a full stop: a bare label ("500 a. C." in a list or
    a table cell) gets none, as times.py does for "10 p. m.".
    """
    if not match.group(0).endswith(".") or spoken.endswith("."):
        return spoken
    if match.string.startswith((")", "]"), match.end()):
        return spoken  # "(200 gr.)": inside brackets the dot is the abbreviation's, the sentence goes on
    if _NEXT_SENTENCE.match(match.string, match.end()):
        return spoken + "."
    if _TEXT_END.match(match.string, match.end()) and _WORD.search(match.string, 0, match.start()):
        return spoken + "."
    return spoken
