"""Word lists for the identifying-text check (exchange/privacy/identifying.py): data only."""

from __future__ import annotations

KINDS = {
    "department": "Department name",
    "place": "Place name",
    "state": "State or territory",
    "jurisdiction": "Jurisdiction type",
    "population": "Population figure",
    "staff": "Staff figure",
    "person": "Staff name",
    "contact": "Contact detail",
    "link": "Link",
}

# Words of a department's name that say what it is, not where: "Alameda County Public Health Department".
ORG_WORDS = frozenset("""public health department departments dept of and in the for services service human division
commission bureau office agency board center centre disease control prevention community wellness mental hygiene
environment environmental administration comprehensive whole program system authority metro metropolitan hhs
family protection""".split())

# Words that end a place name and can be dropped for its short form ("Alameda County" → "Alameda").
PLACE_SUFFIXES = frozenset("""county counties parish borough city town township village district nation tribe
reservation pueblo band rancheria valley island islands basin boundary""".split())

# Words too common to flag on their own (a short name made only of these is not used).
GENERIC_WORDS = frozenset("""north south east west northern southern eastern western central northeast northwest
southeast southwest coastal valley river rivers lake lakes mountain mountains county counties city town district
districts region regional state territory nation tribe band new fort saint st san santa la los el de united unified
upper lower greater tri two three four health public community department far suburban""".split())

# Words that say which kind of jurisdiction a department is, flagged when the K rule hides the type.
_GOVERNING = "our governing board"
_BOARD_OF_HEALTH = "our board of health"
_LEADER = "our elected leadership"
_HERE = "our jurisdiction"
_WIDE = "jurisdiction-wide"
_OFFICIALS = "elected officials"
_COUNTY = {
    "our county": _HERE, "county board": _GOVERNING, "our county board": _GOVERNING, "the county board": _GOVERNING,
    "county commission": _GOVERNING, "county commissioners": _OFFICIALS, "board of commissioners": _GOVERNING,
    "the board of commissioners": _GOVERNING, "commissioners court": _GOVERNING, "board of supervisors": _GOVERNING,
    "the board of supervisors": _GOVERNING, "county supervisors": _OFFICIALS, "county executive": _LEADER,
    "county administrator": "our administrator", "county board of health": _BOARD_OF_HEALTH,
    "county health board": _BOARD_OF_HEALTH, "countywide": _WIDE, "county-wide": _WIDE,
    "county residents": "residents", "county government": "our local government", "county staff": "our staff",
}
_CITY = {
    "our city": _HERE, "city council": _GOVERNING, "our city council": _GOVERNING, "the city council": _GOVERNING, "council members": _OFFICIALS,
    "mayor": _LEADER, "the mayor": _LEADER, "city hall": "our local government", "citywide": _WIDE,
    "city-wide": _WIDE, "city manager": "our administrator", "city residents": "residents",
    "city board of health": _BOARD_OF_HEALTH, "city staff": "our staff",
}
_CITY_COUNTY = {
    **_COUNTY, **_CITY, "our city and county": _HERE, "metro council": _GOVERNING, "the metro council": _GOVERNING,
    "city-county council": _GOVERNING, "the city-county council": _GOVERNING, "city-county": "local",
    "consolidated government": "our local government", "metro government": "our local government",
}
_DISTRICT = {
    "our district": _HERE, "the district": _HERE, "district board of health": _BOARD_OF_HEALTH,
    "the district board of health": _BOARD_OF_HEALTH, "district board": _BOARD_OF_HEALTH,
    "the district board": _BOARD_OF_HEALTH, "our district board": _BOARD_OF_HEALTH, "member counties": "our area", "our counties": "our area",
    "districtwide": _WIDE, "district-wide": _WIDE, "health district": "health department",
    "our health district": "our department", "district residents": "residents",
}
_LEGISLATURE = {
    "the legislature": _OFFICIALS, "legislature": _OFFICIALS, "legislators": _OFFICIALS, "governor": _LEADER,
    "the governor": _LEADER,
}
_STATE = {
    **_LEGISLATURE, "our state": _HERE, "statewide": _WIDE, "state-wide": _WIDE, "state legislature": _OFFICIALS,
    "the state legislature": _OFFICIALS, "state board of health": _BOARD_OF_HEALTH,
    "our local health departments": "our local partners",
}
_TRIBAL = {
    "our nation": _HERE, "the nation": _HERE, "our tribe": _HERE, "the tribe": _HERE, "tribal council": _GOVERNING,
    "the tribal council": _GOVERNING, "our tribal council": _GOVERNING, "tribal": "local", "tribal members": "community members",
    "tribal citizens": "community members", "our citizens": "community members", "enrolled members": "community members",
    "reservation": _HERE, "the reservation": _HERE, "our reservation": _HERE, "tribal government": "our government",
    "tribal nation": _HERE, "tribal health board": _BOARD_OF_HEALTH, "our people": "our community",
}
_TERRITORIAL = {
    **_LEGISLATURE, "our territory": _HERE, "the territory": _HERE, "territorial": "local",
    "territory-wide": _WIDE, "island": _HERE, "islands": _HERE, "our island": _HERE, "our islands": _HERE,
    "islandwide": _WIDE, "island-wide": _WIDE,
}
JURISDICTION_WORDS: dict[str, dict[str, str]] = {
    "county": _COUNTY, "city": _CITY, "city-county": _CITY_COUNTY, "multi-county district": _DISTRICT,
    "state": _STATE, "tribal": _TRIBAL, "territorial": _TERRITORIAL,
}

_POPULATION_WHY = "a population figure: anonymous lessons never show the department's size"
_STAFF_WHY = "a staff count, which tells readers how large your department is"
# Nouns a figure before them makes identifying: "about 120,000 residents", "280 staff". (kind, replacement, why)
FIGURE_NOUNS = {
    "residents": ("population", "our residents", _POPULATION_WHY),
    "inhabitants": ("population", "our residents", _POPULATION_WHY),
    "citizens": ("population", "our residents", _POPULATION_WHY),
    "population": ("population", "our population", _POPULATION_WHY),
    "community members": ("population", "our community members", _POPULATION_WHY),
    "tribal members": ("population", "our community members", _POPULATION_WHY),
    "enrolled members": ("population", "our community members", _POPULATION_WHY),
    "staff": ("staff", "our staff", _STAFF_WHY),
    "employees": ("staff", "our staff", _STAFF_WHY),
    "staff members": ("staff", "our staff", _STAFF_WHY),
    "fte": ("staff", "our staff", _STAFF_WHY),
    "ftes": ("staff", "our staff", _STAFF_WHY),
}
# "<noun> of <figure>": the " of <figure>" part is removed. (kind, _, why, smallest identifying figure)
OF_NOUNS = {
    "population": ("population", "", _POPULATION_WHY, 1000),
    "department": ("staff", "", _STAFF_WHY, 10),
    "staff": ("staff", "", _STAFF_WHY, 10),
    "workforce": ("staff", "", _STAFF_WHY, 10),
    "team": ("staff", "", _STAFF_WHY, 20),
}
# Words that qualify a figure: "between 50,000 and 500,000", "more than half a million", "roughly 280".
SIZE_WORDS = frozenset("""about roughly nearly around approximately some over under almost just more fewer less than
between and to up a half an estimated only barely close""".split())
MAGNITUDES = {"million": 1_000_000, "thousand": 1_000, "hundred": 100}
