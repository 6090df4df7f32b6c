"""Ranking care managers: acuity-weighted load, language and discipline (pure, no database)."""

from carenav.programs.assignment import StaffLoad, primary_language, rank_staff, weighted_load
from carenav.programs.definitions import caseload_weights, get_program


def staff(name: str, load: float, discipline: str = "RN", languages: tuple[str, ...] = ("en",)) -> StaffLoad:
    return StaffLoad(
        user=name, name=name, discipline=discipline, languages=languages, load=load, patients=int(load)
    )


def test_weighted_load_counts_tiers() -> None:
    assert weighted_load([1, 1, 2, 4, None], caseload_weights()) == 3 + 3 + 2 + 0.5 + 1


def test_lowest_weighted_load_first() -> None:
    ranked = rank_staff(
        [staff("busy", 12), staff("light", 4), staff("mid", 8)], "en", get_program("CCM"), caseload_weights()
    )
    assert [s.user for s in ranked] == ["light", "mid", "busy"]
    assert ranked[0].reasons[0].startswith("weighted caseload 4")


def test_language_match_outweighs_a_small_load_difference() -> None:
    ranked = rank_staff(
        [staff("ann", 4, languages=("en",)), staff("bea", 8, languages=("en", "es"))],
        "es-MX",
        get_program("CCM"),
        caseload_weights(),
    )
    assert [s.user for s in ranked] == ["bea", "ann"]
    assert "speaks the patient's language (es)" in ranked[0].reasons
    assert any("interpreter needed" in r for r in ranked[1].reasons)
    assert ranked[1].score == 4 + caseload_weights().language_mismatch_penalty


def test_language_does_not_outweigh_a_large_load_difference() -> None:
    ranked = rank_staff(
        [staff("ann", 2), staff("bea", 30, languages=("es",))], "es", get_program("CCM"), caseload_weights()
    )
    assert ranked[0].user == "ann"


def test_required_discipline_excludes_others() -> None:
    ranked = rank_staff(
        [staff("nurse", 0, "RN"), staff("social", 10, "LCSW"), staff("bh", 5, "BH")],
        "en",
        get_program("BHI"),
        caseload_weights(),
    )
    assert [s.user for s in ranked] == ["bh", "social"]
    assert "LCSW: a required discipline for BHI" in ranked[1].reasons


def test_preferred_discipline_is_a_penalty_not_a_bar() -> None:
    ranked = rank_staff(
        [staff("chw", 1, "CHW"), staff("rn", 2, "RN")], "en", get_program("CCM"), caseload_weights()
    )
    assert [s.user for s in ranked] == ["rn", "chw"]
    assert any("not a preferred discipline for CCM" in r for r in ranked[1].reasons)


def test_primary_language() -> None:
    assert primary_language("es-MX") == "es" and primary_language("EN") == "en" and primary_language("") == ""
