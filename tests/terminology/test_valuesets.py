"""The value-set files and the Django-free classifier (carenav.terminology.valuesets)."""

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carenav.terminology import valuesets as vs
from carenav.terminology.valuesets import ICD10, ICD10CM, SNOMED, ValueSetError

REPO = Path(__file__).resolve().parents[2]
SYNTHEA_CONDITIONS = REPO / ".." / "shared" / "data" / "synthea-bulk-10" / "Condition.000.ndjson.gz"


def expand(spec: str) -> list[str]:
    """'I425–I429, I43' -> ['I425', ..., 'I429', 'I43'], written independently of the data generator."""
    out: list[str] = []
    for part in spec.replace("–", "-").split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-")
            stem = lo.rstrip("0123456789")
            out += [
                f"{stem}{i:0{len(lo) - len(stem)}d}"
                for i in range(int(lo[len(stem) :]), int(hi[len(stem) :]) + 1)
            ]
        else:
            out.append(part)
    return out


def diabetes(fourth: str) -> list[str]:
    return [f"E1{d}{c}" for d in "01234" for c in fourth]


# Clinical reference §2.1 (Quan 2005), copied from the table.
QUAN_2005 = {
    "ami": expand("I21, I22, I252"),
    "chf": expand("I099, I110, I130, I132, I255, I420, I425–I429, I43, I50, P290"),
    "pvd": expand("I70, I71, I731, I738, I739, I771, I790, I792, K551, K558, K559, Z958, Z959"),
    "cevd": expand("G45, G46, H340, I60–I69"),
    "dementia": expand("F00–F03, F051, G30, G311"),
    "copd": expand("I278, I279, J40–J47, J60–J67, J684, J701, J703"),
    "rheumd": expand("M05, M06, M315, M32, M33, M34, M351, M353, M360"),
    "pud": expand("K25–K28"),
    "mld": expand("B18, K700–K703, K709, K713–K715, K717, K73, K74, K760, K762–K764, K768, K769, Z944"),
    "diab": diabetes("01689"),
    "diabwc": diabetes("23457"),
    "hp": expand("G041, G114, G801, G802, G81, G82, G830–G834, G839"),
    "rend": expand("I120, I131, N032–N037, N052–N057, N18, N19, N250, Z490–Z492, Z940, Z992"),
    "canc": expand("C00–C26, C30–C34, C37–C41, C43, C45–C58, C60–C76, C81–C85, C88, C90–C97"),
    "msld": expand("I850, I859, I864, I982, K704, K711, K721, K729, K765, K766, K767"),
    "metacanc": expand("C77, C78, C79, C80"),
    "aids": expand("B20, B21, B22, B24"),
}
CHARLSON_1987 = dict(
    ami=1, chf=1, pvd=1, cevd=1, dementia=1, copd=1, rheumd=1, pud=1, mld=1, diab=1,
    diabwc=2, hp=2, rend=2, canc=2, msld=3, metacanc=6, aids=6,
)  # fmt: skip
QUAN_2011 = dict(
    ami=0, chf=2, pvd=0, cevd=0, dementia=2, copd=1, rheumd=1, pud=0, mld=2, diab=0,
    diabwc=1, hp=2, rend=1, canc=2, msld=4, metacanc=6, aids=4,
)  # fmt: skip

# Every SNOMED CT code in the Synthea sample export and where it deliberately goes
# (docs/terminology.md shows the same table). An empty set means "left out on purpose".
SYNTHEA_DECISIONS: dict[str, set[str]] = {
    "274531002": set(),  # abnormal imaging finding
    "75498004": set(),  # acute bacterial sinusitis
    "10509002": set(),  # acute bronchitis
    "195662009": set(),  # acute viral pharyngitis
    "271737000": {"chronic:anemia"},
    "24079001": set(),  # atopic dermatitis
    "698306007": {"chronic:ckd"},  # awaiting kidney transplant
    "162864005": {"chronic:obesity"},
    "408512008": {"chronic:obesity"},
    "233678006": {"chronic:asthma", "charlson:copd"},
    "43724002": set(),  # chill
    "431855005": {"chronic:ckd", "charlson:rend"},
    "431856006": {"chronic:ckd", "charlson:rend"},
    "433144002": {"chronic:ckd", "charlson:rend"},
    "431857002": {"chronic:ckd", "charlson:rend"},
    "278860009": {"chronic:chronic_pain"},
    "1121000119107": {"chronic:chronic_pain"},
    "40055000": set(),  # chronic sinusitis
    "156073000": set(),  # complete miscarriage
    "62106007": set(),  # concussion
    "49727002": set(),  # cough
    "840539006": set(),  # COVID-19
    "44054006": {"chronic:diabetes", "charlson:diab"},
    "127013003": {"chronic:diabetes", "chronic:ckd", "charlson:diabwc"},
    "267036007": set(),  # dyspnea
    "46177005": {"chronic:ckd", "charlson:rend"},
    "301011002": set(),  # E. coli UTI
    "59621000": {"chronic:hypertension"},
    "370247008": set(),  # facial laceration
    "84229001": set(),  # fatigue
    "386661006": set(),  # fever
    "16114001": set(),  # fracture of ankle
    "65966004": set(),  # fracture of forearm
    "160903007": set(),  # full-time employment: not a need
    "266948004": {"sdoh:incarceration"},
    "399261000": {"chronic:ischemic_heart_disease"},
    "161665007": {"chronic:ckd", "charlson:rend"},
    "703151001": set(),  # history of single seizure
    "267020005": set(),  # history of tubal ligation
    "105531004": {"sdoh:inadequate_housing"},
    "80394007": set(),  # hyperglycemia
    "55822004": {"chronic:hyperlipidemia"},
    "302870006": {"chronic:hyperlipidemia"},
    "414545008": {"chronic:ischemic_heart_disease"},
    "57676002": set(),  # joint pain
    "284551006": set(),  # lacerations
    "283371005": set(),
    "284549007": set(),
    "283385000": set(),
    "713458007": {"sdoh:transportation_insecurity"},
    "423315002": {"sdoh:social_connection"},
    "254837009": {"chronic:cancer", "charlson:canc"},
    "237602007": set(),  # metabolic syndrome
    "90781000119102": {"chronic:diabetes", "charlson:diabwc"},
    "19169002": set(),  # miscarriage
    "361055000": {"behavioral_risk:drug_misuse"},
    "48724000": set(),  # mitral regurgitation
    "68962001": set(),  # muscle pain
    "424132000": {"chronic:cancer", "charlson:canc"},
    "254637007": {"chronic:cancer", "charlson:canc"},
    "72892002": set(),  # normal pregnancy
    "741062008": set(),  # not in labor force: not a need by itself
    "78275009": set(),  # obstructive sleep apnea
    "224295006": {"sdoh:education"},
    "239873007": {"chronic:arthritis"},
    "64859006": {"chronic:osteoporosis"},
    "65363002": set(),  # otitis media
    "160904001": set(),  # part-time employment
    "443165006": {"chronic:osteoporosis"},
    "15777000": set(),  # prediabetes
    "157141000119108": {"chronic:diabetes", "charlson:diabwc"},
    "5251000175109": set(),  # high-school equivalency: not a need
    "224299000": set(),  # higher education: not a need
    "197927001": set(),  # recurrent UTI
    "424393004": {"sdoh:violence_exposure"},
    "160968000": set(),  # risk activity involvement: too vague
    "367498001": set(),  # seasonal allergic rhinitis
    "128613002": {"chronic:epilepsy"},
    "91302008": set(),  # sepsis
    "80583007": {"chronic:anxiety"},
    "39898005": set(),  # sleep disorder
    "422650009": {"sdoh:social_connection"},
    "44465007": set(),  # sprain
    "43878008": set(),  # strep throat
    "73595000": {"sdoh:stress"},
    "840544004": set(),  # suspected COVID-19
    "162573006": set(),  # suspected lung cancer
    "266934004": {"sdoh:transportation_insecurity"},
    "10939881000119105": {"behavioral_risk:unhealthy_alcohol_use"},
    "706893006": {"sdoh:intimate_partner_violence"},
    "444814009": set(),  # viral sinusitis
    "56018004": set(),  # wheezing
}


def tags(system: str, code: str) -> set[str]:
    return {f"{m.valueset}:{m.category}" for m in vs.classify(system, code)}


def test_every_file_loads_with_version_and_source() -> None:
    loaded = vs.load_valuesets()
    assert list(loaded) == ["chronic", "charlson", "sdoh", "behavioral_risk"]
    for valueset in loaded.values():
        assert valueset.version == "2026.11"
        assert valueset.source and valueset.notes
        assert valueset.path.name == f"{valueset.id}.json"
    assert vs.load_valuesets() is loaded  # cached


def test_quan_prefix_lists_equal_the_reference_table() -> None:
    charlson = vs.get_valueset("charlson")
    assert [c.key for c in charlson.categories] == list(QUAN_2005)
    for category in charlson.categories:
        assert list(category.icd10cm) == QUAN_2005[category.key], category.key


def test_quan_lists_do_not_overlap_between_categories() -> None:
    charlson = vs.get_valueset("charlson")
    owner = {p: c.key for c in charlson.categories for p in c.icd10cm}
    for prefix, key in owner.items():
        for other, other_key in owner.items():
            if other_key != key:
                assert not prefix.startswith(other), (prefix, other)


def test_icd10cm_additions_are_the_documented_ones() -> None:
    charlson = vs.get_valueset("charlson")
    additions = {c.key: set(c.icd10cm_additions) for c in charlson.categories if c.icd10cm_additions}
    assert additions == {
        "chf": {"I0981"},
        "diab": {f"E0{d}{c}" for d in "89" for c in "01689"},
        "diabwc": {f"E0{d}{c}" for d in "89" for c in "2345"},
        "rend": {"Z493"},
        "canc": {"C4A", "C7A", "C86"},
        "msld": {"I851", "K7682"},
        "metacanc": {"C7B"},
    }


def test_both_weight_sets_match_the_reference() -> None:
    assert vs.charlson_weight_sets() == ("charlson1987", "quan2011")
    assert vs.charlson_weights("charlson1987") == CHARLSON_1987
    assert vs.charlson_weights("quan2011") == QUAN_2011
    assert vs.charlson_weights() == QUAN_2011
    with pytest.raises(KeyError, match="unknown Charlson weight set 'shmi'"):
        vs.charlson_weights("shmi")


def test_hierarchy_and_maximum_scores() -> None:
    assert vs.charlson_hierarchy() == (("msld", "mld"), ("diabwc", "diab"), ("metacanc", "canc"))
    zeroed = {b for _, b in vs.charlson_hierarchy()}
    weight_sets = vs.get_valueset("charlson").extra["weight_sets"]
    for name, spec in weight_sets.items():
        weights = vs.charlson_weights(name)
        assert sum(w for k, w in weights.items() if k not in zeroed) == spec["max_score"]
    assert {n: s["max_score"] for n, s in weight_sets.items()} == {"charlson1987": 29, "quan2011": 24}


@pytest.mark.parametrize(
    ("age", "points"),
    [
        (0, 0),
        (40, 0),
        (49.99, 0),
        (50, 1),
        (59.9, 1),
        (60, 2),
        (69, 2),
        (70, 3),
        (79.5, 3),
        (80, 4),
        (104, 4),
    ],
)
def test_age_points_start_at_50_and_cap_at_4(age: float, points: int) -> None:
    assert vs.charlson_age_points(age) == points


def test_negative_age_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        vs.charlson_age_points(-1)


@pytest.mark.parametrize("code", ["I50.22", "I5022", "i50.22", " i50.22 ", "I50 22"])
def test_icd10cm_with_or_without_dots_and_in_lower_case(code: str) -> None:
    matches = vs.classify(ICD10CM, code)
    assert [(m.valueset, m.category, m.matched, m.match_kind) for m in matches] == [
        ("chronic", "heart_failure", "I50", "prefix"),
        ("charlson", "chf", "I50", "prefix"),
    ]
    assert matches[0].code == "I5022"
    assert matches[0].version == "2026.11"
    assert matches[0].reason == "I50.22 matches ICD-10-CM prefix I50 (chronic:heart_failure)"


@pytest.mark.parametrize("system", [ICD10CM, ICD10, "ICD-10-CM", "icd-10-cm", "icd10cm", "icd10", "ICD-10"])
def test_system_names_are_normalized(system: str) -> None:
    assert vs.normalize_system(system) == ICD10CM
    assert tags(system, "E11.9") == {"chronic:diabetes", "charlson:diab"}


@pytest.mark.parametrize("system", [SNOMED, "SNOMED", "snomed", "SNOMED-CT", "SNOMED CT", "sct"])
def test_snomed_names_are_normalized(system: str) -> None:
    assert vs.normalize_system(system) == SNOMED
    assert tags(system, "88805009") == {"chronic:heart_failure", "charlson:chf"}


def test_unknown_system_or_empty_code_classifies_to_nothing() -> None:
    assert vs.normalize_system("http://loinc.org") is None
    assert vs.classify("http://loinc.org", "4548-4") == []
    assert vs.classify(None, "I50.9") == []
    assert vs.classify(ICD10CM, "  ") == []
    assert vs.classify(SNOMED, "123456789") == []


def test_snomed_is_exact_not_prefix() -> None:
    assert tags(SNOMED, "8880500") == set()
    assert tags(SNOMED, "888050091") == set()
    match = vs.classify(SNOMED, " 73595000 ")[0]
    assert (match.category, match.match_kind, match.reason) == (
        "stress",
        "exact",
        "SNOMED CT 73595000 is listed in sdoh:stress",
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("I13.0", {"chronic:heart_failure", "chronic:ckd", "chronic:hypertension", "charlson:chf"}),
        ("I13.10", {"chronic:ckd", "chronic:hypertension", "charlson:rend"}),
        ("E11.22", {"chronic:diabetes", "chronic:ckd", "charlson:diabwc"}),
        ("E11.621", {"chronic:diabetes", "charlson:diab"}),  # foot ulcer: 4th character 6
        ("E08.9", {"chronic:diabetes", "charlson:diab"}),  # ICD-10-CM addition
        ("E09.42", {"chronic:diabetes", "charlson:diabwc"}),
        ("F32.A", {"chronic:depression"}),
        ("F10.20", {"chronic:alcohol_use_disorder"}),
        ("F17.210", {"behavioral_risk:tobacco_use"}),
        ("C44.91", set()),  # non-melanoma skin cancer is neither chronic cancer nor Charlson
        ("C34.90", {"chronic:cancer", "charlson:canc"}),
        ("C78.01", {"chronic:cancer", "charlson:metacanc"}),
        ("C7B.00", {"chronic:cancer", "charlson:metacanc"}),
        ("B20", {"chronic:hiv", "charlson:aids"}),
        ("Z21", {"chronic:hiv"}),
        ("K76.82", {"charlson:mld", "charlson:msld"}),  # hierarchy keeps msld
        ("I09.81", {"chronic:heart_failure", "charlson:chf"}),
        ("E66.3", set()),  # overweight is not obesity
        ("E66.811", {"chronic:obesity"}),
        ("R73.03", set()),  # prediabetes
        ("Z59.41", {"sdoh:food_insecurity"}),
        ("Z59.02", {"sdoh:homelessness"}),
        ("Z59.811", {"sdoh:housing_instability"}),
        ("Z59.12", {"sdoh:inadequate_housing", "sdoh:utility_insecurity"}),
        ("Z59.861", {"sdoh:financial_insecurity", "sdoh:utility_insecurity"}),
        ("Z59.82", {"sdoh:transportation_insecurity"}),
        ("Z56.0", {"sdoh:employment"}),
        ("Z56.82", set()),  # military deployment status is not a need
        ("Z60.2", {"sdoh:social_connection"}),
        ("Z63.0", {"sdoh:family_strain"}),
        ("Z69.11", {"sdoh:intimate_partner_violence"}),
        ("Z69.12", set()),  # perpetrator
        ("T74.11XA", {"sdoh:adult_abuse_or_neglect"}),
        ("T74.12XA", set()),  # child physical abuse is outside this adult list
        ("Z91.120", {"sdoh:medical_cost_burden"}),
        ("Z55.6", {"sdoh:health_literacy"}),
        ("Z73.3", {"sdoh:stress"}),
        ("R05.9", set()),
    ],
)
def test_icd10cm_classification(code: str, expected: set[str]) -> None:
    assert tags(ICD10CM, code) == expected


def test_matched_prefix_is_shown_dotted() -> None:
    assert [m.matched_display for m in vs.classify(ICD10CM, "I13.0")] == ["I13.0", "I13", "I13", "I13.0"]
    assert vs.classify(SNOMED, "73595000")[0].matched_display == "73595000"


def test_icd10cm_addition_is_named_in_the_reason() -> None:
    (charlson,) = [m for m in vs.classify(ICD10CM, "E08.9") if m.valueset == "charlson"]
    assert charlson.reason == "E08.9 matches ICD-10-CM prefix E08.9 (charlson:diab, ICD-10-CM addition)"


def test_every_synthea_condition_code_has_a_deliberate_outcome() -> None:
    if not SYNTHEA_CONDITIONS.exists():
        pytest.skip(f"Synthea sample not present at {SYNTHEA_CONDITIONS}")
    seen: dict[str, str] = {}
    with gzip.open(SYNTHEA_CONDITIONS, "rt", encoding="utf-8") as fh:
        for line in fh:
            for coding in json.loads(line)["code"]["coding"]:
                assert coding["system"] == SNOMED
                seen[coding["code"]] = coding.get("display", "")
    assert len(seen) == 92
    undecided = sorted(set(seen) - set(SYNTHEA_DECISIONS))
    assert not undecided, f"new Synthea codes need a decision: {[(c, seen[c]) for c in undecided]}"
    for code in seen:
        assert tags(SNOMED, code) == SYNTHEA_DECISIONS[code], (code, seen[code])


def test_every_listed_snomed_id_is_well_formed() -> None:
    for valueset in vs.load_valuesets().values():
        for category in valueset.categories:
            for concept in category.snomed:
                assert vs.is_snomed_concept_id(concept), (valueset.id, category.key, concept)
    assert not vs.is_snomed_concept_id("88805008")  # check digit off by one


def test_explain_reads_like_a_sentence() -> None:
    assert vs.explain("ICD-10-CM", "I50.22") == (
        "I50.22 → Heart failure (chronic v2026.11); Charlson chf (1987: +1, Quan 2011: +2)"
    )
    assert vs.explain(SNOMED, "706893006") == (
        "706893006 → Intimate partner violence (sdoh v2026.11, Gravity intimate-partner-violence)"
    )
    assert vs.explain(ICD10CM, "r059") == (
        "R05.9 (ICD-10-CM) → no category in chronic v2026.11, charlson v2026.11, sdoh v2026.11, "
        "behavioral_risk v2026.11"
    )
    assert "not covered" in vs.explain("http://loinc.org", "4548-4")


def test_lookup_rows_reproduce_classify_through_an_equi_join() -> None:
    rows = vs.lookup_rows()
    assert len(rows) == len(set(rows))
    assert {r[5] for r in rows if r[3] == ICD10CM} == {"prefix"}
    assert {r[5] for r in rows if r[3] == SNOMED} == {"exact"}
    table: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for valueset, _version, category, system, code, _kind in rows:
        table.setdefault((system, code), []).append((valueset, category))
    longest = vs.longest_icd10cm_prefix()
    for code in ["I5022", "E1122", "Z5912", "C7B00", "F32A", "K7682", "R059"]:
        joined = {
            f"{v}:{c}"
            for n in range(1, min(len(code), longest) + 1)
            for v, c in table.get((ICD10CM, code[:n]), [])
        }
        assert joined == tags(ICD10CM, code), code
    assert {f"{v}:{c}" for v, c in table[(SNOMED, "127013003")]} == tags(SNOMED, "127013003")


def test_helpers() -> None:
    assert vs.format_icd10cm("i5022") == "I50.22"
    assert vs.format_icd10cm("B20") == "B20"
    assert vs.detect_system("88805009") == SNOMED
    assert vs.detect_system("I50.22") == ICD10CM
    assert vs.detect_system("Z59.41") == ICD10CM


def test_chronic_categories_carry_their_attributes() -> None:
    chronic = vs.get_valueset("chronic")
    hf = chronic.category("heart_failure")
    assert {k: hf.attributes[k] for k in ("domain", "high_risk", "min_duration_months")} == {
        "domain": "medical",
        "high_risk": True,
        "min_duration_months": 12,
    }
    domains = {c.attributes["domain"] for c in chronic.categories}
    assert domains == {"medical", "behavioral", "substance_use"}
    assert chronic.category("serious_mental_illness").attributes["domain"] == "behavioral"
    with pytest.raises(KeyError, match="no category 'gout'"):
        chronic.category("gout")


def _broken_copy(tmp_path: Path, name: str, edit) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "data"
    shutil.copytree(vs.DATA_DIR, folder)
    path = folder / name
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    return folder


def _category(doc: dict, key: str) -> dict:  # type: ignore[type-arg]
    return next(c for c in doc["categories"] if c["key"] == key)


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            "chronic.json",
            lambda d: _category(d, "heart_failure")["icd10cm"].append("I50.2"),
            "chronic.json: category 'heart_failure': icd10cm entry 'I50.2' is not a valid code (upper case, no dots)",
        ),
        (
            "chronic.json",
            lambda d: _category(d, "asthma")["snomed"].append("195967002"),
            "chronic.json: category 'asthma': snomed entry 195967002 fails the SNOMED CT check digit",
        ),
        (
            "chronic.json",
            lambda d: _category(d, "copd").update(high_risk="yes"),
            "chronic.json: category 'copd': high_risk must be true or false",
        ),
        (
            "chronic.json",
            lambda d: _category(d, "diabetes")["icd10cm"].append("E119"),
            "chronic.json: category 'diabetes': prefix E119 is already covered by E11",
        ),
        (
            "sdoh.json",
            lambda d: _category(d, "stress").update(gravity_category="worry"),
            "sdoh.json: category 'stress': gravity_category must be a Gravity SDOH category code",
        ),
        (
            "charlson.json",
            lambda d: _category(d, "aids")["weights"].pop("quan2011"),
            "charlson.json: category 'aids': weights must give exactly the weight sets",
        ),
        (
            "charlson.json",
            lambda d: d["hierarchy"].append(["msld", "liver"]),
            "charlson.json: hierarchy pair ['msld', 'liver'] must name two different categories",
        ),
        ("sdoh.json", lambda d: d.update(version="v2"), "sdoh.json: version 'v2' must look like 2026.11"),
        (
            "sdoh.json",
            lambda d: d.update(id="social"),
            "sdoh.json: id 'social' must equal the file name 'sdoh'",
        ),
        (
            "behavioral_risk.json",
            lambda d: d["categories"].append(dict(d["categories"][0])),
            "behavioral_risk.json: category keys repeat: unhealthy_alcohol_use",
        ),
    ],
)
def test_broken_file_error_names_file_and_category(tmp_path: Path, name: str, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    folder = _broken_copy(tmp_path, name, edit)
    with pytest.raises(ValueSetError) as excinfo:
        vs.load_valuesets(folder)
    assert str(excinfo.value).startswith(message)


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "chronic.json").write_text("{not json")
    with pytest.raises(ValueSetError, match=r"^chronic\.json: cannot be read as JSON"):
        vs.load_valuesets(tmp_path)
    with pytest.raises(ValueSetError, match="no value-set files"):
        vs.load_valuesets(tmp_path / "missing")


def test_valuesets_module_does_not_import_django() -> None:
    code = "import carenav.terminology.valuesets as v, sys; v.classify('snomed', '1'); assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
