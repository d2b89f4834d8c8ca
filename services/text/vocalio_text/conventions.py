"""Regional reading conventions: where the written form of numbers and money differs by country.

Every rule that depends on the region lives here, so the documentation (docs/text.md, "Regional readings") can list
them from one place:

- Decimal mark. Spain and most of South America write "3,14" and "1.500"; Mexico, Central
  America and the Caribbean (Dominican Republic, Puerto Rico) write "3.14" and "1,500". A lone
  mark followed by three digits is read as a thousands separator unless it is the region's
  decimal mark. Neutral follows the RAE/Spain convention.
- Decimal word. Where the point is the decimal mark, people say "punto" ("tres punto catorce");
  elsewhere "coma".
- "$". Neutral reads dollars (the international reading). In Argentina/Uruguay (rioplatense),
  Mexico, Colombia and Chile the sign is the local peso; in the Caribbean variant it is read as
  "peso" too (Dominican Republic, Cuba). The andean variant keeps dollars (Ecuador uses the US
  dollar; Peru and Bolivia write S/ and Bs.). In neutral and caribbean, which hold both readings, a
  country named in the sentence decides (country_cues.py): Puerto Rico's "$" is the dollar. In
  caribbean the country named also sets the decimal mark (Venezuela writes and says the comma). A
  number that shows its marks ("1,234,567", "15,000") sets the decimal mark for its sentence in
  every region.
- Minor unit. "€" cents are "céntimos"; dollar and peso cents are "centavos".
- "Bs". Bolivia's boliviano in the andean variant (La Paz writes "Bs 3,74"); elsewhere Venezuela's
  bolívar. Bolivia also writes "$us" for the US dollar, said plain "dólares".
"""

from dataclasses import dataclass

from vocalio_shared.regions import Region


@dataclass(frozen=True)
class RegionalConventions:
    decimal_mark: str
    decimal_word: str
    dollar_sign_major: str  # singular name of the unit written "$"
    dollar_sign_plural: str
    bs_is_boliviano: bool = False  # "Bs" is the boliviano (Bolivia), not the bolívar (Venezuela)
    # Where the variety holds several countries' conventions ("$" pesos or dollars, the decimal
    # mark), a country named in the sentence decides (country_cues.py): None (the region decides),
    # "neutral" or "caribbean" (which cue list applies).
    country_cues: str | None = None


_COMMA_DECIMAL_DOLLAR = RegionalConventions(",", "coma", "dólar", "dólares")
_NEUTRAL = RegionalConventions(",", "coma", "dólar", "dólares", country_cues="neutral")
_COMMA_DECIMAL_PESO = RegionalConventions(",", "coma", "peso", "pesos")
_POINT_DECIMAL_PESO = RegionalConventions(".", "punto", "peso", "pesos")

CONVENTIONS: dict[Region, RegionalConventions] = {
    Region.NEUTRAL: _NEUTRAL,
    Region.RIOPLATENSE: _COMMA_DECIMAL_PESO,
    Region.COLOMBIAN: _COMMA_DECIMAL_PESO,
    Region.CHILEAN: _COMMA_DECIMAL_PESO,
    Region.MEXICAN: _POINT_DECIMAL_PESO,
    Region.CARIBBEAN: RegionalConventions(".", "punto", "peso", "pesos", country_cues="caribbean"),
    Region.ANDEAN: RegionalConventions(",", "coma", "dólar", "dólares", bs_is_boliviano=True),
    Region.PENINSULAR: _COMMA_DECIMAL_DOLLAR,
}


def conventions_for(region: Region | None) -> RegionalConventions:
    return CONVENTIONS[region or Region.NEUTRAL]
