"""The Peers page's address (exchange/peers/url.py): codes in, the same codes out, and anything else named."""

from hypothesis import given
from hypothesis import strategies as st

from exchange.models import HHS_REGIONS, JURISDICTION_TYPES, POPULATION_BANDS, URBAN_RURAL_LEVELS
from exchange.peers import profiles, url
from exchange.peers.likeness import PeerFilters

filters = st.builds(
    PeerFilters,
    jurisdiction=st.lists(st.sampled_from(JURISDICTION_TYPES), unique=True).map(tuple),
    size=st.lists(st.sampled_from(POPULATION_BANDS), unique=True).map(tuple),
    urban=st.lists(st.sampled_from(URBAN_RURAL_LEVELS), unique=True).map(tuple),
    region=st.lists(st.sampled_from(HHS_REGIONS), unique=True).map(tuple),
    governance=st.lists(st.sampled_from(tuple(profiles.GOVERNANCE)), unique=True).map(tuple),
)


@given(filters)
def test_any_filters_survive_the_address_unchanged(chosen):
    assert url.from_params(url.to_params(chosen)) == (chosen, ())


@given(st.dictionaries(st.sampled_from(["jurisdiction", "size", "urban", "region", "governance", "other"]),
                       st.lists(st.text(max_size=60), max_size=14)))
def test_a_forged_address_never_fails_and_keeps_only_known_codes(params):
    chosen, ignored = url.from_params(params)
    assert set(chosen.region) <= set(HHS_REGIONS) and set(chosen.size) <= set(POPULATION_BANDS)
    assert set(ignored) <= {"jurisdiction", "size", "urban", "region", "governance"}


def test_an_empty_or_unknown_value_is_named_and_the_rest_kept():
    chosen, ignored = url.from_params({"region": ["5", "0", "12"], "size": "medium", "urban": ["Rural"]})
    assert chosen == PeerFilters(size=("medium",), region=(5,)) and ignored == ("urban", "region")
