"""Clinical catalogue of the synthetic population: prevalence targets, codes, labs, drugs, payers.

Everything the generator knows about medicine lives here as data, so a reviewer can check a code
or a prevalence without reading the sampling code. Prevalence targets are fractions per age band
(``AGE_BANDS``) for an adult primary-care population with a large Medicare and Medicaid share;
docs/synth.md lists them with their sources. Each condition carries one ICD-10-CM and one SNOMED CT
code per variant; a patient's record is coded in one of the two systems (``None`` means the
variant has no SNOMED code we trust, so it is always written in ICD-10-CM).

Co-occurrence comes from shared latent factors (see ``FACTORS``): each condition's liability is
``sum(loading * factor) + residual`` with unit variance, and the condition is present when the
liability exceeds the threshold that gives the target prevalence for the patient's age band and
sex. Marginal prevalences therefore match the targets exactly in expectation, whatever the loadings.
"""

from dataclasses import dataclass, field

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"

AGE_BANDS: tuple[tuple[int, int], ...] = ((18, 44), (45, 64), (65, 74), (75, 84), (85, 104))
BAND_LABELS = ("18-44", "45-64", "65-74", "75-84", "85+")
BAND_SHARE = (0.26, 0.30, 0.22, 0.15, 0.07)
BAND_FEMALE = (0.55, 0.54, 0.54, 0.57, 0.64)

# Latent factors shared by conditions, social needs and coverage (independent standard normals).
FACTORS = ("frailty", "cardiometabolic", "cardiac", "smoking", "behavioral", "deprivation", "alone")
F_FRAILTY, F_CARDIOMETABOLIC, F_CARDIAC, F_SMOKING, F_BEHAVIORAL, F_DEPRIVATION, F_ALONE = range(7)


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str


def icd(code: str, display: str) -> Code:
    return Code(ICD10CM, code, display)


def sct(code: str, display: str) -> Code:
    return Code(SNOMED, code, display)


@dataclass(frozen=True, slots=True)
class Variant:
    """One way a condition is coded; ``categories`` are the carenav value-set categories it should hit.

    A record is coded in the patient's preferred system when the variant has a code in it, else in
    the other one (social findings without a trusted SNOMED code stay ICD-10-CM, and vice versa).
    """

    icd: Code | None
    snomed: Code | None
    weight: float = 1.0
    sex: str | None = None
    tag: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    key: str
    label: str
    prevalence: tuple[float, float, float, float, float]
    variants: tuple[Variant, ...]
    loadings: dict[int, float] = field(default_factory=dict)
    male_ratio: float = 1.0  # prevalence in men divided by prevalence in women
    weight: float = 0.0  # contribution to the complexity score that drives utilization
    parent: str | None = None  # drawn only among patients who have the parent condition


def _v(icd_code: Code | None, snomed_code: Code | None, *categories: str, **kw: object) -> Variant:
    return Variant(icd_code, snomed_code, categories=categories, **kw)  # type: ignore[arg-type]


F, CM, CA, SM, BH, DP, AL = (
    F_FRAILTY,
    F_CARDIOMETABOLIC,
    F_CARDIAC,
    F_SMOKING,
    F_BEHAVIORAL,
    F_DEPRIVATION,
    F_ALONE,
)

# Order matters: parents come before the conditions drawn among them.
CONDITIONS: tuple[ConditionSpec, ...] = (
    ConditionSpec(
        "hypertension",
        "Hypertension",
        (0.12, 0.38, 0.58, 0.68, 0.72),
        (
            _v(
                icd("I10", "Essential (primary) hypertension"),
                sct("59621000", "Essential hypertension (disorder)"),
                "chronic:hypertension",
            ),
        ),
        {CM: 0.55, F: 0.25},
        male_ratio=1.1,
        weight=0.2,
    ),
    ConditionSpec(
        "hyperlipidemia",
        "Hyperlipidemia",
        (0.07, 0.30, 0.48, 0.52, 0.45),
        (
            _v(
                icd("E78.5", "Hyperlipidemia, unspecified"),
                sct("55822004", "Hyperlipidemia (disorder)"),
                "chronic:hyperlipidemia",
                weight=3,
            ),
            _v(
                icd("E78.00", "Pure hypercholesterolemia, unspecified"),
                sct("13644009", "Hypercholesterolemia (disorder)"),
                "chronic:hyperlipidemia",
            ),
        ),
        {CM: 0.45, F: 0.15},
        male_ratio=1.1,
        weight=0.1,
    ),
    ConditionSpec(
        "diabetes",
        "Diabetes mellitus",
        (0.045, 0.15, 0.26, 0.27, 0.22),
        # The type 2 variants are chosen in model.py (complications depend on CKD and on chance).
        (
            _v(
                icd("E11.9", "Type 2 diabetes mellitus without complications"),
                sct("44054006", "Diabetes mellitus type 2 (disorder)"),
                "chronic:diabetes",
                "charlson:diab",
                tag="t2",
                weight=0.60,
            ),
            _v(
                icd("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
                sct("44054006", "Diabetes mellitus type 2 (disorder)"),
                "chronic:diabetes",
                "charlson:diab",
                tag="t2-hyperglycemia",
                weight=0.17,
            ),
            _v(
                icd("E11.40", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified"),
                sct("368581000119106", "Neuropathy due to type 2 diabetes mellitus (disorder)"),
                "chronic:diabetes",
                "charlson:diabwc",
                tag="t2-neuropathy",
                weight=0.15,
            ),
            _v(
                icd(
                    "E11.319",
                    "Type 2 diabetes mellitus with unspecified diabetic retinopathy without macular edema",
                ),
                sct("422034002", "Diabetic retinopathy associated with type II diabetes mellitus (disorder)"),
                "chronic:diabetes",
                "charlson:diabwc",
                tag="t2-retinopathy",
                weight=0.08,
            ),
            _v(
                icd("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease"),
                sct("127013003", "Disorder of kidney due to diabetes mellitus (disorder)"),
                "chronic:diabetes",
                "charlson:diabwc",
                tag="t2-ckd",
                weight=0.0,  # chosen when the patient also has CKD
            ),
            _v(
                icd("E10.9", "Type 1 diabetes mellitus without complications"),
                sct("46635009", "Diabetes mellitus type 1 (disorder)"),
                "chronic:diabetes",
                "charlson:diab",
                tag="t1",
                weight=0.0,  # 5% of diabetics, chosen in model.py
            ),
        ),
        {CM: 0.60, F: 0.25, DP: 0.15},
        male_ratio=1.15,
        weight=0.6,
    ),
    ConditionSpec(
        "ckd",
        "Chronic kidney disease",
        (0.02, 0.06, 0.17, 0.27, 0.37),
        (
            _v(
                icd("N18.2", "Chronic kidney disease, stage 2 (mild)"),
                sct("431856006", "Chronic kidney disease stage 2 (disorder)"),
                "chronic:ckd",
                "charlson:rend",
                tag="2",
                weight=0.10,
            ),
            _v(
                icd("N18.31", "Chronic kidney disease, stage 3a"),
                sct("433144002", "Chronic kidney disease stage 3 (disorder)"),
                "chronic:ckd",
                "charlson:rend",
                tag="3a",
                weight=0.48,
            ),
            _v(
                icd("N18.32", "Chronic kidney disease, stage 3b"),
                sct("433144002", "Chronic kidney disease stage 3 (disorder)"),
                "chronic:ckd",
                "charlson:rend",
                tag="3b",
                weight=0.25,
            ),
            _v(
                icd("N18.4", "Chronic kidney disease, stage 4 (severe)"),
                sct("431857002", "Chronic kidney disease stage 4 (disorder)"),
                "chronic:ckd",
                "charlson:rend",
                tag="4",
                weight=0.11,
            ),
            _v(
                icd("N18.5", "Chronic kidney disease, stage 5"),
                sct("433146000", "Chronic kidney disease stage 5 (disorder)"),
                "chronic:ckd",
                "charlson:rend",
                tag="5",
                weight=0.02,
            ),
            _v(
                icd("N18.6", "End stage renal disease"),
                sct("46177005", "End-stage renal disease (disorder)"),
                "chronic:ckd",
                "charlson:rend",
                tag="esrd",
                weight=0.04,
            ),
        ),
        {CM: 0.45, F: 0.40, CA: 0.15},
        weight=0.9,
    ),
    ConditionSpec(
        "heart_failure",
        "Heart failure",
        (0.005, 0.025, 0.08, 0.14, 0.22),
        (
            _v(
                icd("I50.22", "Chronic systolic (congestive) heart failure"),
                sct("703272007", "Heart failure with reduced ejection fraction (disorder)"),
                "chronic:heart_failure",
                "charlson:chf",
                tag="hfref",
                weight=0.45,
            ),
            _v(
                icd("I50.32", "Chronic diastolic (congestive) heart failure"),
                sct("446221000", "Heart failure with normal ejection fraction (disorder)"),
                "chronic:heart_failure",
                "charlson:chf",
                tag="hfpef",
                weight=0.45,
            ),
            _v(
                icd("I50.9", "Heart failure, unspecified"),
                sct("88805009", "Chronic congestive heart failure (disorder)"),
                "chronic:heart_failure",
                "charlson:chf",
                tag="unspecified",
                weight=0.10,
            ),
        ),
        {CA: 0.60, F: 0.40, CM: 0.20},
        male_ratio=1.2,
        weight=1.6,
    ),
    ConditionSpec(
        "afib",
        "Atrial fibrillation",
        (0.003, 0.015, 0.06, 0.12, 0.18),
        (
            _v(
                icd("I48.91", "Unspecified atrial fibrillation"),
                sct("49436004", "Atrial fibrillation (disorder)"),
                "chronic:atrial_fibrillation",
                weight=0.5,
            ),
            _v(
                icd("I48.0", "Paroxysmal atrial fibrillation"),
                sct("282825002", "Paroxysmal atrial fibrillation (disorder)"),
                "chronic:atrial_fibrillation",
                weight=0.3,
            ),
            _v(
                icd("I48.20", "Chronic atrial fibrillation, unspecified"),
                sct("426749004", "Chronic atrial fibrillation (disorder)"),
                "chronic:atrial_fibrillation",
                weight=0.2,
            ),
        ),
        {CA: 0.60, F: 0.30},
        male_ratio=1.3,
        weight=0.6,
    ),
    ConditionSpec(
        "ihd",
        "Ischemic heart disease",
        (0.01, 0.06, 0.18, 0.27, 0.32),
        (
            _v(
                icd(
                    "I25.10",
                    "Atherosclerotic heart disease of native coronary artery without angina pectoris",
                ),
                sct("53741008", "Coronary arteriosclerosis (disorder)"),
                "chronic:ischemic_heart_disease",
                weight=0.8,
            ),
            _v(
                icd("I20.9", "Angina pectoris, unspecified"),
                sct("194828000", "Angina (disorder)"),
                "chronic:ischemic_heart_disease",
                weight=0.2,
            ),
        ),
        {CA: 0.45, CM: 0.35, SM: 0.20, F: 0.20},
        male_ratio=1.6,
        weight=0.6,
    ),
    ConditionSpec(
        "old_mi",
        "History of myocardial infarction",
        (0.003, 0.02, 0.05, 0.07, 0.09),
        (
            _v(
                icd("I25.2", "Old myocardial infarction"),
                sct("399211009", "History of myocardial infarction (situation)"),
                "chronic:ischemic_heart_disease",
                "charlson:ami",
            ),
        ),
        male_ratio=1.7,
        weight=0.4,
        parent="ihd",
    ),
    ConditionSpec(
        "pvd",
        "Peripheral vascular disease",
        (0.003, 0.02, 0.06, 0.09, 0.12),
        (
            _v(
                icd("I73.9", "Peripheral vascular disease, unspecified"),
                sct("400047006", "Peripheral vascular disease (disorder)"),
                "charlson:pvd",
            ),
        ),
        {CM: 0.35, SM: 0.45, F: 0.20},
        male_ratio=1.2,
        weight=0.6,
    ),
    ConditionSpec(
        "stroke",
        "Stroke (history)",
        (0.003, 0.02, 0.05, 0.08, 0.11),
        (
            _v(
                icd("I69.30", "Unspecified sequelae of cerebral infarction"),
                sct("230690007", "Cerebrovascular accident (disorder)"),
                "chronic:stroke_tia",
                "charlson:cevd",
                weight=0.7,
            ),
            _v(
                icd(
                    "Z86.73",
                    "Personal history of transient ischemic attack (TIA), and cerebral infarction "
                    "without residual deficits",
                ),
                sct("230690007", "Cerebrovascular accident (disorder)"),
                "chronic:stroke_tia",
                weight=0.3,
            ),
        ),
        {CM: 0.35, CA: 0.30, F: 0.30},
        weight=0.7,
    ),
    ConditionSpec(
        "hemiplegia",
        "Hemiplegia",
        (0.0005, 0.003, 0.006, 0.009, 0.011),
        (
            _v(
                icd("G81.91", "Hemiplegia, unspecified affecting right dominant side"),
                sct("50582007", "Hemiplegia (disorder)"),
                "charlson:hp",
            ),
        ),
        weight=0.8,
        parent="stroke",
    ),
    ConditionSpec(
        "copd",
        "COPD",
        (0.02, 0.06, 0.11, 0.13, 0.12),
        (
            _v(
                icd("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
                sct("13645005", "Chronic obstructive lung disease (disorder)"),
                "chronic:copd",
                "charlson:copd",
                weight=0.8,
            ),
            _v(
                icd("J43.9", "Emphysema, unspecified"),
                sct("87433001", "Pulmonary emphysema (disorder)"),
                "chronic:copd",
                "charlson:copd",
                weight=0.2,
            ),
        ),
        {SM: 0.70, F: 0.30},
        weight=1.1,
    ),
    ConditionSpec(
        "asthma",
        "Asthma",
        (0.08, 0.08, 0.07, 0.06, 0.05),
        (
            _v(
                icd("J45.909", "Unspecified asthma, uncomplicated"),
                sct("195967001", "Asthma (disorder)"),
                "chronic:asthma",
                "charlson:copd",
            ),
        ),
        {SM: 0.20, F: 0.15, DP: 0.15},
        male_ratio=0.6,
        weight=0.3,
    ),
    ConditionSpec(
        "tobacco",
        "Tobacco use disorder",
        (0.18, 0.17, 0.11, 0.07, 0.03),
        (
            _v(
                icd("F17.210", "Nicotine dependence, cigarettes, uncomplicated"),
                sct("56294008", "Nicotine dependence (disorder)"),
                "behavioral_risk:tobacco_use",
            ),
        ),
        {SM: 0.75, BH: 0.20, DP: 0.25},
        male_ratio=1.3,
        weight=0.3,
    ),
    ConditionSpec(
        "obesity",
        "Obesity",
        (0.25, 0.32, 0.30, 0.22, 0.12),
        (
            _v(
                icd("E66.9", "Obesity, unspecified"),
                sct("414916001", "Obesity (disorder)"),
                "chronic:obesity",
                tag="obese",
                weight=0.8,
            ),
            _v(
                icd("E66.01", "Morbid (severe) obesity due to excess calories"),
                sct("238136002", "Morbid obesity (disorder)"),
                "chronic:obesity",
                tag="morbid",
                weight=0.2,
            ),
        ),
        {CM: 0.50, DP: 0.15},
        male_ratio=0.9,
        weight=0.15,
    ),
    ConditionSpec(
        "depression",
        "Depression",
        (0.14, 0.16, 0.16, 0.16, 0.17),
        (
            _v(
                icd("F32.9", "Major depressive disorder, single episode, unspecified"),
                sct("370143000", "Major depressive disorder (disorder)"),
                "chronic:depression",
                weight=0.5,
            ),
            _v(
                icd("F33.1", "Major depressive disorder, recurrent, moderate"),
                sct("66344007", "Recurrent major depression (disorder)"),
                "chronic:depression",
                weight=0.3,
            ),
            _v(
                icd("F32.A", "Depression, unspecified"),
                sct("35489007", "Depressive disorder (disorder)"),
                "chronic:depression",
                weight=0.2,
            ),
        ),
        {BH: 0.60, F: 0.30, DP: 0.20},
        male_ratio=0.55,
        weight=0.5,
    ),
    ConditionSpec(
        "anxiety",
        "Anxiety disorder",
        (0.13, 0.12, 0.10, 0.09, 0.08),
        (
            _v(
                icd("F41.1", "Generalized anxiety disorder"),
                sct("21897009", "Generalized anxiety disorder (disorder)"),
                "chronic:anxiety",
                weight=0.6,
            ),
            _v(
                icd("F41.9", "Anxiety disorder, unspecified"),
                sct("197480006", "Anxiety disorder (disorder)"),
                "chronic:anxiety",
                weight=0.4,
            ),
        ),
        {BH: 0.60, F: 0.15},
        male_ratio=0.55,
        weight=0.3,
    ),
    ConditionSpec(
        "smi",
        "Bipolar disorder or schizophrenia",
        (0.03, 0.025, 0.015, 0.01, 0.008),
        (
            _v(
                icd("F31.9", "Bipolar disorder, unspecified"),
                sct("13746004", "Bipolar disorder (disorder)"),
                "chronic:serious_mental_illness",
                weight=0.6,
            ),
            _v(
                icd("F20.9", "Schizophrenia, unspecified"),
                sct("58214004", "Schizophrenia (disorder)"),
                "chronic:serious_mental_illness",
                weight=0.4,
            ),
        ),
        {BH: 0.60, DP: 0.35},
        weight=1.0,
    ),
    ConditionSpec(
        "aud",
        "Alcohol use disorder",
        (0.05, 0.045, 0.025, 0.012, 0.006),
        (
            _v(
                icd("F10.20", "Alcohol dependence, uncomplicated"),
                sct("7200002", "Alcoholism (disorder)"),
                "chronic:alcohol_use_disorder",
                weight=0.6,
            ),
            _v(
                icd("F10.10", "Alcohol abuse, uncomplicated"),
                sct("15167005", "Alcohol abuse (disorder)"),
                "chronic:alcohol_use_disorder",
                weight=0.4,
            ),
        ),
        {BH: 0.45, SM: 0.30, DP: 0.30},
        male_ratio=2.2,
        weight=1.0,
    ),
    ConditionSpec(
        "oud",
        "Opioid use disorder",
        (0.025, 0.018, 0.008, 0.003, 0.001),
        (
            _v(
                icd("F11.20", "Opioid dependence, uncomplicated"),
                sct("75544000", "Opioid dependence (disorder)"),
                "chronic:opioid_use_disorder",
            ),
        ),
        {BH: 0.50, DP: 0.40, SM: 0.20},
        male_ratio=1.6,
        weight=1.3,
    ),
    ConditionSpec(
        "dementia",
        "Dementia",
        (0.0, 0.003, 0.03, 0.11, 0.30),
        (
            _v(
                icd(
                    "F03.90",
                    "Unspecified dementia, unspecified severity, without behavioral disturbance, "
                    "psychotic disturbance, mood disturbance, and anxiety",
                ),
                sct("52448006", "Dementia (disorder)"),
                "chronic:dementia",
                "charlson:dementia",
                weight=0.6,
            ),
            _v(
                icd("G30.9", "Alzheimer's disease, unspecified"),
                sct("26929004", "Alzheimer's disease (disorder)"),
                "chronic:dementia",
                "charlson:dementia",
                weight=0.4,
            ),
        ),
        {F: 0.55},
        male_ratio=0.85,
        weight=1.2,
    ),
    ConditionSpec(
        "cancer",
        "Cancer (active)",
        (0.008, 0.035, 0.075, 0.095, 0.10),
        (
            _v(
                icd("C50.911", "Malignant neoplasm of unspecified site of right female breast"),
                sct("254837009", "Malignant neoplasm of breast (disorder)"),
                "chronic:cancer",
                "charlson:canc",
                sex="female",
                tag="breast",
                weight=0.35,
            ),
            _v(
                icd("C61", "Malignant neoplasm of prostate"),
                sct("399068003", "Malignant tumor of prostate (disorder)"),
                "chronic:cancer",
                "charlson:canc",
                sex="male",
                tag="prostate",
                weight=0.40,
            ),
            _v(
                icd("C18.9", "Malignant neoplasm of colon, unspecified"),
                sct("363406005", "Malignant neoplasm of colon (disorder)"),
                "chronic:cancer",
                "charlson:canc",
                tag="colon",
                weight=0.15,
            ),
            _v(
                icd("C34.90", "Malignant neoplasm of unspecified part of unspecified bronchus or lung"),
                sct("254637007", "Non-small cell lung cancer (disorder)"),
                "chronic:cancer",
                "charlson:canc",
                tag="lung",
                weight=0.18,
            ),
            _v(
                icd("C85.90", "Non-Hodgkin lymphoma, unspecified, unspecified site"),
                sct("118600007", "Malignant lymphoma (disorder)"),
                "chronic:cancer",
                "charlson:canc",
                tag="lymphoma",
                weight=0.08,
            ),
            _v(
                icd("C90.00", "Multiple myeloma not having achieved remission"),
                sct("109989006", "Multiple myeloma (disorder)"),
                "chronic:cancer",
                "charlson:canc",
                tag="myeloma",
                weight=0.04,
            ),
        ),
        {F: 0.30, SM: 0.20},
        male_ratio=1.1,
        weight=1.0,
    ),
    ConditionSpec(
        "metastatic",
        "Metastatic solid tumour",
        (0.0005, 0.004, 0.009, 0.011, 0.010),
        (
            _v(
                icd("C78.7", "Secondary malignant neoplasm of liver and intrahepatic bile duct"),
                sct("128462008", "Secondary malignant neoplastic disease (disorder)"),
                "chronic:cancer",
                "charlson:metacanc",
            ),
            _v(
                icd("C79.51", "Secondary malignant neoplasm of bone"),
                sct("128462008", "Secondary malignant neoplastic disease (disorder)"),
                "chronic:cancer",
                "charlson:metacanc",
            ),
            _v(
                icd("C78.00", "Secondary malignant neoplasm of unspecified lung"),
                sct("128462008", "Secondary malignant neoplastic disease (disorder)"),
                "chronic:cancer",
                "charlson:metacanc",
            ),
        ),
        weight=2.5,
        parent="cancer",
    ),
    ConditionSpec(
        "liver",
        "Chronic liver disease",
        (0.015, 0.03, 0.025, 0.02, 0.012),
        (
            _v(
                icd("K76.0", "Fatty (change of) liver, not elsewhere classified"),
                sct("197321007", "Steatosis of liver (disorder)"),
                "chronic:chronic_liver_disease",
                "charlson:mld",
                weight=0.40,
            ),
            _v(
                icd("B18.2", "Chronic viral hepatitis C"),
                sct("128302006", "Chronic hepatitis C (disorder)"),
                "chronic:chronic_liver_disease",
                "charlson:mld",
                weight=0.25,
            ),
            _v(
                icd("K70.30", "Alcoholic cirrhosis of liver without ascites"),
                sct("420054005", "Alcoholic cirrhosis (disorder)"),
                "chronic:chronic_liver_disease",
                "charlson:mld",
                weight=0.15,
            ),
            _v(
                icd("K74.60", "Unspecified cirrhosis of liver"),
                sct("19943007", "Cirrhosis of liver (disorder)"),
                "chronic:chronic_liver_disease",
                "charlson:mld",
                weight=0.20,
            ),
        ),
        {CM: 0.35, BH: 0.30, DP: 0.20},
        male_ratio=1.4,
        weight=0.6,
    ),
    ConditionSpec(
        "liver_severe",
        "Moderate or severe liver disease",
        (0.001, 0.004, 0.004, 0.003, 0.002),
        (
            _v(
                icd("K76.6", "Portal hypertension"),
                sct("34742003", "Portal hypertension (disorder)"),
                "chronic:chronic_liver_disease",
                "charlson:msld",
            ),
            _v(
                icd("I85.00", "Esophageal varices without bleeding"),
                sct("28670008", "Esophageal varices (disorder)"),
                "chronic:chronic_liver_disease",
                "charlson:msld",
            ),
        ),
        weight=1.8,
        parent="liver",
    ),
    ConditionSpec(
        "hiv",
        "HIV",
        (0.004, 0.006, 0.003, 0.0012, 0.0005),
        (
            _v(
                icd("B20", "Human immunodeficiency virus [HIV] disease"),
                sct("86406008", "Human immunodeficiency virus infection (disorder)"),
                "chronic:hiv",
                "charlson:aids",
            ),
        ),
        {DP: 0.35, BH: 0.30},
        male_ratio=3.0,
        weight=0.7,
    ),
    ConditionSpec(
        "osteoarthritis",
        "Osteoarthritis",
        (0.03, 0.15, 0.30, 0.36, 0.38),
        (
            _v(
                icd("M17.0", "Bilateral primary osteoarthritis of knee"),
                sct("239873007", "Osteoarthritis of knee (disorder)"),
                "chronic:arthritis",
                weight=0.5,
            ),
            _v(
                icd("M19.90", "Unspecified osteoarthritis, unspecified site"),
                sct("396275006", "Osteoarthritis (disorder)"),
                "chronic:arthritis",
                weight=0.5,
            ),
        ),
        {F: 0.40},
        male_ratio=0.7,
        weight=0.15,
    ),
    ConditionSpec(
        "ra",
        "Rheumatoid arthritis",
        (0.005, 0.012, 0.02, 0.021, 0.02),
        (
            _v(
                icd("M06.9", "Rheumatoid arthritis, unspecified"),
                sct("69896004", "Rheumatoid arthritis (disorder)"),
                "chronic:arthritis",
                "charlson:rheumd",
            ),
        ),
        {F: 0.30},
        male_ratio=0.4,
        weight=0.3,
    ),
    ConditionSpec(
        "osteoporosis",
        "Osteoporosis",
        (0.002, 0.03, 0.08, 0.13, 0.18),
        (
            _v(
                icd("M81.0", "Age-related osteoporosis without current pathological fracture"),
                sct("64859006", "Osteoporosis (disorder)"),
                "chronic:osteoporosis",
            ),
        ),
        {F: 0.40},
        male_ratio=0.2,
        weight=0.2,
    ),
    ConditionSpec(
        "pud",
        "Peptic ulcer disease",
        (0.002, 0.006, 0.010, 0.012, 0.014),
        (
            _v(
                icd(
                    "K27.9",
                    "Peptic ulcer, site unspecified, unspecified as acute or chronic, "
                    "without hemorrhage or perforation",
                ),
                sct("13200003", "Peptic ulcer (disorder)"),
                "charlson:pud",
            ),
        ),
        {SM: 0.20, BH: 0.15},
        male_ratio=1.1,
        weight=0.3,
    ),
)
CONDITION_BY_KEY = {c.key: c for c in CONDITIONS}

# Social needs: documented (coded) prevalence, well below screening-positive rates.
SOCIAL_NEEDS: tuple[ConditionSpec, ...] = (
    ConditionSpec(
        "food_insecurity",
        "Food insecurity",
        (0.12, 0.11, 0.07, 0.05, 0.04),
        (
            _v(
                icd("Z59.41", "Food insecurity"),
                sct("733423003", "Food insecurity (finding)"),
                "sdoh:food_insecurity",
            ),
        ),
        {DP: 0.75, BH: 0.15},
    ),
    ConditionSpec(
        "housing_instability",
        "Housing instability",
        (0.07, 0.06, 0.03, 0.02, 0.015),
        (
            _v(
                icd("Z59.811", "Housing instability, housed, with risk of homelessness"),
                None,
                "sdoh:housing_instability",
                weight=0.6,
            ),
            _v(
                icd("Z59.819", "Housing instability, housed unspecified"),
                None,
                "sdoh:housing_instability",
                weight=0.4,
            ),
        ),
        {DP: 0.70, BH: 0.25},
    ),
    ConditionSpec(
        "homelessness",
        "Homelessness",
        (0.025, 0.022, 0.008, 0.004, 0.002),
        (
            _v(
                icd("Z59.01", "Sheltered homelessness"),
                sct("32911000", "Homeless (finding)"),
                "sdoh:homelessness",
                weight=0.5,
            ),
            _v(
                icd("Z59.02", "Unsheltered homelessness"),
                sct("32911000", "Homeless (finding)"),
                "sdoh:homelessness",
                weight=0.3,
            ),
            _v(
                icd("Z59.00", "Homelessness unspecified"),
                sct("32911000", "Homeless (finding)"),
                "sdoh:homelessness",
                weight=0.2,
            ),
        ),
        {DP: 0.60, BH: 0.45},
        male_ratio=2.0,
    ),
    ConditionSpec(
        "transportation",
        "Transportation insecurity",
        (0.06, 0.07, 0.07, 0.08, 0.10),
        (
            _v(
                icd("Z59.82", "Transportation insecurity"),
                sct("713458007", "Lack of access to transportation (finding)"),
                "sdoh:transportation_insecurity",
            ),
        ),
        {DP: 0.55, F: 0.35},
    ),
    ConditionSpec(
        "utilities",
        "Utility insecurity",
        (0.05, 0.05, 0.04, 0.03, 0.03),
        (_v(icd("Z59.12", "Inadequate housing utilities"), None, "sdoh:utility_insecurity"),),
        {DP: 0.70},
    ),
    ConditionSpec(
        "financial",
        "Financial insecurity",
        (0.08, 0.08, 0.05, 0.04, 0.03),
        (
            _v(
                icd("Z59.86", "Financial insecurity"),
                None,
                "sdoh:financial_insecurity",
            ),
        ),
        {DP: 0.75},
    ),
    ConditionSpec(
        "social_isolation",
        "Social isolation",
        (0.04, 0.05, 0.08, 0.11, 0.15),
        (
            _v(
                icd("Z60.2", "Problems related to living alone"),
                sct("422650009", "Social isolation (finding)"),
                "sdoh:social_connection",
            ),
        ),
        {AL: 0.55, BH: 0.30, F: 0.20},
    ),
    ConditionSpec(
        "ipv",
        "Intimate partner violence",
        (0.03, 0.015, 0.005, 0.003, 0.002),
        (
            _v(
                None,
                sct("706893006", "Victim of intimate partner abuse (finding)"),
                "sdoh:intimate_partner_violence",
            ),
        ),
        {DP: 0.40, BH: 0.40},
        male_ratio=0.3,
    ),
    ConditionSpec(
        "unemployment",
        "Unemployment",
        (0.06, 0.05, 0.0, 0.0, 0.0),
        (
            _v(
                icd("Z56.0", "Unemployment, unspecified"),
                sct("73438004", "Unemployed (finding)"),
                "sdoh:employment",
            ),
        ),
        {DP: 0.60, BH: 0.20},
    ),
)
SOCIAL_BY_KEY = {c.key: c for c in SOCIAL_NEEDS}

# Living alone (not itself coded as a condition; drives caregivers, marital status, isolation).
LIVES_ALONE = (0.12, 0.18, 0.28, 0.36, 0.45)
LIVES_ALONE_LOADINGS = {AL: 0.60, DP: 0.10}
LIVES_ALONE_MALE_RATIO = 0.8


# --- acute diagnoses (principal diagnosis of ED visits and inpatient stays) --------------------


@dataclass(frozen=True, slots=True)
class AcuteDx:
    key: str
    icd: Code
    snomed: Code | None
    service: str  # key into SERVICES (inpatient service line)
    base_weight: float  # weight for everyone
    boosts: dict[str, float] = field(default_factory=dict)  # condition key -> added weight
    ed_only: bool = False  # treat-and-release diagnoses never lead to an admission
    elective: bool = False  # planned admissions (never via the ED, never a readmission)
    procedures: tuple[str, ...] = ()  # PROCEDURES keys, one may be performed during a stay
    categories: tuple[str, ...] = ()  # value-set categories of the ICD-10-CM code (claims carry it)
    min_age: int = 0


ACUTE: tuple[AcuteDx, ...] = (
    AcuteDx(
        "hf_exacerbation",
        icd("I50.23", "Acute on chronic systolic (congestive) heart failure"),
        sct("42343007", "Congestive heart failure (disorder)"),
        "cardiology",
        0.0,
        {"heart_failure": 9.0},
        procedures=("echo",),
        categories=("chronic:heart_failure", "charlson:chf"),
    ),
    AcuteDx(
        "copd_exacerbation",
        icd("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"),
        sct("195951007", "Acute exacerbation of chronic obstructive airways disease (disorder)"),
        "pulmonary",
        0.0,
        {"copd": 8.0},
        procedures=("bronchoscopy",),
        categories=("chronic:copd", "charlson:copd"),
    ),
    AcuteDx(
        "pneumonia",
        icd("J18.9", "Pneumonia, unspecified organism"),
        sct("233604007", "Pneumonia (disorder)"),
        "medicine",
        2.0,
        {"copd": 1.5, "dementia": 1.5, "heart_failure": 1.0},
        procedures=("thoracentesis",),
    ),
    AcuteDx(
        "sepsis",
        icd("A41.9", "Sepsis, unspecified organism"),
        sct("91302008", "Sepsis (disorder)"),
        "medicine",
        0.8,
        {"diabetes": 0.5, "ckd": 0.7, "cancer": 1.0, "dementia": 1.0},
    ),
    AcuteDx(
        "uti",
        icd("N39.0", "Urinary tract infection, site not specified"),
        sct("68566005", "Urinary tract infectious disease (disorder)"),
        "medicine",
        1.5,
        {"dementia": 1.5, "diabetes": 0.4},
    ),
    AcuteDx(
        "aki",
        icd("N17.9", "Acute kidney failure, unspecified"),
        sct("14669001", "Acute renal failure syndrome (disorder)"),
        "nephrology",
        0.3,
        {"ckd": 2.5, "heart_failure": 0.8},
        procedures=("hemodialysis",),
    ),
    AcuteDx(
        "nstemi",
        icd("I21.4", "Non-ST elevation (NSTEMI) myocardial infarction"),
        sct("401314000", "Acute non-ST segment elevation myocardial infarction (disorder)"),
        "cardiology",
        0.2,
        {"ihd": 2.5, "diabetes": 0.3},
        procedures=("cardiac_cath", "pci"),
        categories=("chronic:ischemic_heart_disease", "charlson:ami"),
        min_age=35,
    ),
    AcuteDx(
        "afib_rvr",
        icd("I48.91", "Unspecified atrial fibrillation"),
        sct("49436004", "Atrial fibrillation (disorder)"),
        "cardiology",
        0.1,
        {"afib": 3.0},
        procedures=("echo",),
        categories=("chronic:atrial_fibrillation",),
    ),
    AcuteDx(
        "stroke_acute",
        icd("I63.9", "Cerebral infarction, unspecified"),
        sct("432504007", "Cerebral infarction (disorder)"),
        "neurology",
        0.2,
        {"stroke": 1.5, "afib": 1.0, "hypertension": 0.3},
        categories=("chronic:stroke_tia", "charlson:cevd"),
        min_age=35,
    ),
    AcuteDx(
        "gi_bleed",
        icd("K92.2", "Gastrointestinal hemorrhage, unspecified"),
        sct("74474003", "Gastrointestinal hemorrhage (disorder)"),
        "gastroenterology",
        0.4,
        {"liver": 1.0, "liver_severe": 2.0, "pud": 2.0, "afib": 0.5},
        procedures=("colonoscopy",),
    ),
    AcuteDx(
        "hip_fracture",
        icd(
            "S72.001A",
            "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
        ),
        sct("5913000", "Fracture of neck of femur (disorder)"),
        "orthopedics",
        0.0,
        {"osteoporosis": 1.5, "dementia": 1.0, "hemiplegia": 1.0},
        procedures=("hip_replacement",),
        min_age=60,
    ),
    AcuteDx(
        "cellulitis",
        icd("L03.90", "Cellulitis, unspecified"),
        sct("128045006", "Cellulitis (disorder)"),
        "medicine",
        1.0,
        {"diabetes": 0.8, "obesity": 0.4, "pvd": 0.6},
    ),
    AcuteDx(
        "neutropenia",
        icd("D70.9", "Neutropenia, unspecified"),
        sct("165517008", "Neutropenia (finding)"),
        "oncology",
        0.0,
        {"cancer": 2.0, "metastatic": 3.0},
    ),
    AcuteDx(
        "dehydration",
        icd("E86.0", "Dehydration"),
        sct("34095006", "Dehydration (disorder)"),
        "medicine",
        0.5,
        {"dementia": 1.0},
    ),
    AcuteDx(
        "hyponatremia",
        icd("E87.1", "Hypo-osmolality and hyponatremia"),
        sct("89627008", "Hyponatremia (disorder)"),
        "medicine",
        0.2,
        {"heart_failure": 0.6, "liver_severe": 1.0},
    ),
    AcuteDx(
        "hypoglycemia",
        icd("E11.649", "Type 2 diabetes mellitus with hypoglycemia without coma"),
        sct("302866003", "Hypoglycemia (disorder)"),
        "medicine",
        0.0,
        {"diabetes": 1.0},
        categories=("chronic:diabetes", "charlson:diab"),
    ),
    AcuteDx(
        "alcohol_withdrawal",
        icd("F10.230", "Alcohol dependence with withdrawal, uncomplicated"),
        sct("8635005", "Alcohol withdrawal syndrome (disorder)"),
        "medicine",
        0.0,
        {"aud": 5.0},
        categories=("chronic:alcohol_use_disorder",),
    ),
    AcuteDx(
        "opioid_overdose",
        icd("T40.2X1A", "Poisoning by other opioids, accidental (unintentional), initial encounter"),
        None,
        "medicine",
        0.0,
        {"oud": 4.0},
    ),
    AcuteDx(
        "suicidal_ideation",
        icd("R45.851", "Suicidal ideations"),
        sct("6471006", "Suicidal thoughts (finding)"),
        "psychiatry",
        0.0,
        {"depression": 1.0, "smi": 2.0},
    ),
    AcuteDx(
        "psychosis",
        icd("F20.9", "Schizophrenia, unspecified"),
        sct("58214004", "Schizophrenia (disorder)"),
        "psychiatry",
        0.0,
        {"smi": 3.0},
        categories=("chronic:serious_mental_illness",),
    ),
    AcuteDx(
        "knee_oa_elective",
        icd("M17.11", "Unilateral primary osteoarthritis, right knee"),
        sct("239873007", "Osteoarthritis of knee (disorder)"),
        "orthopedics",
        0.0,
        {"osteoarthritis": 2.0},
        elective=True,
        procedures=("knee_replacement",),
        categories=("chronic:arthritis",),
        min_age=50,
    ),
    AcuteDx(
        "hip_oa_elective",
        icd("M16.11", "Unilateral primary osteoarthritis, right hip"),
        sct("239872002", "Osteoarthritis of hip (disorder)"),
        "orthopedics",
        0.0,
        {"osteoarthritis": 1.5},
        elective=True,
        procedures=("hip_replacement",),
        categories=("chronic:arthritis",),
        min_age=50,
    ),
    AcuteDx(
        "gallstones_elective",
        icd("K80.20", "Calculus of gallbladder without cholecystitis without obstruction"),
        sct("266474003", "Calculus of gallbladder (disorder)"),
        "surgery",
        0.7,
        {"obesity": 0.5},
        elective=True,
        procedures=("cholecystectomy",),
    ),
    AcuteDx(
        "stable_cad_elective",
        icd("I25.10", "Atherosclerotic heart disease of native coronary artery without angina pectoris"),
        sct("53741008", "Coronary arteriosclerosis (disorder)"),
        "cardiology",
        0.0,
        {"ihd": 1.5},
        elective=True,
        procedures=("pci",),
        categories=("chronic:ischemic_heart_disease",),
        min_age=40,
    ),
    AcuteDx(
        "chemotherapy_elective",
        icd("Z51.11", "Encounter for antineoplastic chemotherapy"),
        sct("367336001", "Chemotherapy (procedure)"),
        "oncology",
        0.0,
        {"cancer": 2.5, "metastatic": 1.5},
        elective=True,
    ),
    AcuteDx(
        "chest_pain",
        icd("R07.9", "Chest pain, unspecified"),
        sct("29857009", "Chest pain (finding)"),
        "cardiology",
        2.0,
        {"ihd": 1.5, "anxiety": 0.8},
        ed_only=True,
    ),
    AcuteDx(
        "syncope",
        icd("R55", "Syncope and collapse"),
        sct("271594007", "Syncope (disorder)"),
        "medicine",
        0.8,
        {"afib": 0.5},
        ed_only=True,
    ),
    AcuteDx(
        "abdominal_pain",
        icd("R10.9", "Unspecified abdominal pain"),
        sct("21522001", "Abdominal pain (finding)"),
        "medicine",
        2.0,
        {},
        ed_only=True,
    ),
    AcuteDx(
        "back_pain",
        icd("M54.50", "Low back pain, unspecified"),
        sct("279039007", "Low back pain (finding)"),
        "medicine",
        1.5,
        {"obesity": 0.3},
        ed_only=True,
    ),
    AcuteDx(
        "bronchitis",
        icd("J20.9", "Acute bronchitis, unspecified"),
        sct("10509002", "Acute bronchitis (disorder)"),
        "medicine",
        1.0,
        {"asthma": 0.8, "tobacco": 0.5},
        ed_only=True,
    ),
    AcuteDx(
        "pharyngitis",
        icd("J02.9", "Acute pharyngitis, unspecified"),
        sct("195662009", "Acute viral pharyngitis (disorder)"),
        "medicine",
        0.8,
        {},
        ed_only=True,
    ),
    AcuteDx(
        "laceration",
        icd("S61.411A", "Laceration without foreign body of right hand, initial encounter"),
        sct("284549007", "Laceration of hand (disorder)"),
        "medicine",
        0.8,
        {"aud": 0.8},
        ed_only=True,
    ),
    AcuteDx(
        "ankle_sprain",
        icd("S93.401A", "Sprain of unspecified ligament of right ankle, initial encounter"),
        sct("44465007", "Sprain of ankle (disorder)"),
        "medicine",
        0.7,
        {},
        ed_only=True,
    ),
)
ACUTE_BY_KEY = {a.key: a for a in ACUTE}
# Minor problems recorded at some office visits (encounter diagnoses, resolved).
OFFICE_ACUTE = ("bronchitis", "pharyngitis", "back_pain", "uti", "cellulitis", "ankle_sprain")


SERVICES: dict[str, Code] = {  # service lines (SNOMED CT specialties)
    "medicine": sct("394802001", "General medicine"),
    "cardiology": sct("394579002", "Cardiology"),
    "pulmonary": sct("418112009", "Pulmonary medicine"),
    "nephrology": sct("394589003", "Nephrology"),
    "neurology": sct("394591006", "Neurology"),
    "gastroenterology": sct("394584008", "Gastroenterology"),
    "orthopedics": sct("394801008", "Trauma & orthopedics"),
    "surgery": sct("394609007", "General surgery"),
    "psychiatry": sct("394587001", "Psychiatry"),
    "oncology": sct("394593009", "Medical oncology"),
    "primary_care": sct("394814009", "General practice"),
    "emergency": sct("773568002", "Emergency medicine"),
}

PROCEDURES: dict[str, Code] = {
    "echo": sct("40701008", "Echocardiography (procedure)"),
    "bronchoscopy": sct("10847001", "Bronchoscopy (procedure)"),
    "thoracentesis": sct("91602002", "Thoracentesis (procedure)"),
    "hemodialysis": sct("302497006", "Hemodialysis (procedure)"),
    "cardiac_cath": sct("41976001", "Cardiac catheterization (procedure)"),
    "pci": sct("415070008", "Percutaneous coronary intervention (procedure)"),
    "colonoscopy": sct("73761001", "Colonoscopy (procedure)"),
    "hip_replacement": sct("52734007", "Total replacement of hip (procedure)"),
    "knee_replacement": sct("609588000", "Total knee replacement (procedure)"),
    "cholecystectomy": sct("38102005", "Cholecystectomy (procedure)"),
}

ENCOUNTER_TYPES: dict[str, Code] = {
    "checkup": sct("185349003", "Encounter for check up (procedure)"),
    "followup": sct("390906007", "Follow-up encounter (procedure)"),
    "problem": sct("185345009", "Encounter for symptom (procedure)"),
    "telehealth": sct("448337001", "Telemedicine consultation with patient (procedure)"),
    "home": sct("439708006", "Home visit (procedure)"),
    "emergency": sct("50849002", "Emergency room admission (procedure)"),
    "inpatient": sct("32485007", "Hospital admission (procedure)"),
}

# Discharge dispositions (http://terminology.hl7.org/CodeSystem/discharge-disposition).
DISPOSITIONS: dict[str, str] = {
    "home": "Home",
    "alt-home": "Alternative home",
    "other-hcf": "Other healthcare facility",
    "hosp": "Hospice",
    "long": "Long-term care",
    "aadvice": "Left against advice",
    "exp": "Expired",
    "psy": "Psychiatric hospital",
    "rehab": "Rehabilitation",
    "snf": "Skilled nursing facility",
    "oth": "Other",
}
ADMIT_SOURCES: dict[str, str] = {
    "emd": "From accident/emergency department",
    "gp": "General Practitioner referral",
    "outp": "From outpatient department",
    "mp": "Medical Practitioner/physician referral",
    "nursing": "From nursing home",
    "hosp-trans": "Transferred from other hospital",
}
PRIORITIES: dict[str, str] = {"EM": "emergency", "UR": "urgent", "EL": "elective", "R": "routine"}


# --- laboratory and vital-sign codes (LOINC) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabCode:
    code: Code
    unit: str  # UCUM
    label: str


def _lab(code: str, display: str, unit: str, label: str) -> LabCode:
    return LabCode(Code(LOINC, code, display), unit, label)


LABS: dict[str, LabCode] = {
    "hba1c": _lab("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", "HbA1c"),
    "egfr_mdrd": _lab(
        "33914-3",
        "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by "
        "Creatinine-based formula (MDRD)",
        "mL/min/{1.73_m2}",
        "eGFR",
    ),
    "egfr_ckdepi": _lab(
        "62238-1",
        "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
        "Creatinine-based formula (CKD-EPI)",
        "mL/min/{1.73_m2}",
        "eGFR",
    ),
    "bnp": _lab("30934-4", "Natriuretic peptide B [Mass/volume] in Serum or Plasma", "pg/mL", "BNP"),
    "ntprobnp": _lab(
        "33762-6",
        "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma",
        "pg/mL",
        "NT-proBNP",
    ),
    "hemoglobin": _lab("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", "Hemoglobin"),
    "sodium": _lab("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", "Sodium"),
    "potassium": _lab("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", "Potassium"),
    "ldl_direct": _lab(
        "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", "LDL"
    ),
    "ldl_calc": _lab(
        "13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", "mg/dL", "LDL"
    ),
}
VITALS: dict[str, LabCode] = {
    "bp": _lab("85354-9", "Blood pressure panel with all children optional", "mm[Hg]", "Blood pressure"),
    "sbp": _lab("8480-6", "Systolic blood pressure", "mm[Hg]", "Systolic"),
    "dbp": _lab("8462-4", "Diastolic blood pressure", "mm[Hg]", "Diastolic"),
    "weight": _lab("29463-7", "Body weight", "kg", "Weight"),
    "bmi": _lab("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", "BMI"),
    "heart_rate": _lab("8867-4", "Heart rate", "/min", "Heart rate"),
}


# --- medications (RxNorm clinical drugs) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drug:
    rxcui: str
    display: str
    sig: str  # dosage instruction text
    frequency: int  # times per period
    period: float
    period_unit: str  # UCUM time unit (d, h, wk)
    dose: float
    dose_unit: str
    as_needed: bool = False


DRUGS: dict[str, Drug] = {
    "metformin": Drug(
        "860975",
        "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet",
        "Take 2 tablets by mouth once daily with the evening meal",
        1,
        1,
        "d",
        2,
        "tablet",
    ),
    "insulin_glargine": Drug(
        "311041",
        "insulin glargine 100 UNT/ML Injectable Solution",
        "Inject 20 units under the skin once daily at bedtime",
        1,
        1,
        "d",
        20,
        "U",
    ),
    "empagliflozin": Drug(
        "1545658",
        "empagliflozin 10 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "glipizide": Drug(
        "310490",
        "glipizide 5 MG Oral Tablet",
        "Take 1 tablet by mouth once daily before breakfast",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "lisinopril_10": Drug(
        "314076", "lisinopril 10 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, 1, "d", 1, "tablet"
    ),
    "lisinopril_20": Drug(
        "314077", "lisinopril 20 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, 1, "d", 1, "tablet"
    ),
    "amlodipine": Drug(
        "197361", "amlodipine 5 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, 1, "d", 1, "tablet"
    ),
    "losartan": Drug(
        "979492",
        "losartan potassium 50 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "hctz": Drug(
        "310798",
        "hydrochlorothiazide 25 MG Oral Tablet",
        "Take 1 tablet by mouth every morning",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "atorvastatin": Drug(
        "617311",
        "atorvastatin 40 MG Oral Tablet",
        "Take 1 tablet by mouth once daily at bedtime",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "aspirin": Drug(
        "243670", "aspirin 81 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, 1, "d", 1, "tablet"
    ),
    "clopidogrel": Drug(
        "309362", "clopidogrel 75 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, 1, "d", 1, "tablet"
    ),
    "nitroglycerin": Drug(
        "705129",
        "nitroglycerin 0.4 MG/ACTUAT Mucosal Spray",
        "Spray 1 dose under the tongue every 5 minutes as needed for chest pain, up to 3 doses",
        1,
        5,
        "min",
        1,
        "spray",
        as_needed=True,
    ),
    "metoprolol": Drug(
        "866436",
        "24 HR metoprolol succinate 50 MG Extended Release Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "carvedilol": Drug(
        "200032",
        "carvedilol 12.5 MG Oral Tablet",
        "Take 1 tablet by mouth twice daily with food",
        2,
        1,
        "d",
        1,
        "tablet",
    ),
    "furosemide": Drug(
        "313988",
        "furosemide 40 MG Oral Tablet",
        "Take 1 tablet by mouth every morning",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "spironolactone": Drug(
        "313096",
        "spironolactone 25 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "sacubitril_valsartan": Drug(
        "1656340",
        "sacubitril 24 MG / valsartan 26 MG Oral Tablet",
        "Take 1 tablet by mouth twice daily",
        2,
        1,
        "d",
        1,
        "tablet",
    ),
    "apixaban": Drug(
        "1364445", "apixaban 5 MG Oral Tablet", "Take 1 tablet by mouth twice daily", 2, 1, "d", 1, "tablet"
    ),
    "warfarin": Drug(
        "855332",
        "warfarin sodium 5 MG Oral Tablet",
        "Take 1 tablet by mouth once daily in the evening, or as directed by the anticoagulation clinic",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "albuterol_inhaler": Drug(
        "745679",
        "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
        "Inhale 2 puffs every 4 to 6 hours as needed for shortness of breath or wheezing",
        1,
        4,
        "h",
        2,
        "puff",
        as_needed=True,
    ),
    "albuterol_nebulizer": Drug(
        "351137",
        "albuterol 0.21 MG/ML Inhalation Solution",
        "Inhale 1 vial by nebulizer every 6 hours as needed for shortness of breath",
        1,
        6,
        "h",
        1,
        "vial",
        as_needed=True,
    ),
    "budesonide_nebulizer": Drug(
        "351109",
        "budesonide 0.25 MG/ML Inhalation Suspension",
        "Inhale 1 vial by nebulizer twice daily",
        2,
        1,
        "d",
        1,
        "vial",
    ),
    "fluticasone_inhaler": Drug(
        "895994",
        "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler",
        "Inhale 2 puffs twice daily; rinse mouth after use",
        2,
        1,
        "d",
        2,
        "puff",
    ),
    "sertraline": Drug(
        "312941", "sertraline 50 MG Oral Tablet", "Take 1 tablet by mouth once daily", 1, 1, "d", 1, "tablet"
    ),
    "escitalopram": Drug(
        "349332",
        "escitalopram 10 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "bupropion": Drug(
        "993541",
        "24 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet",
        "Take 1 tablet by mouth every morning",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "trazodone": Drug(
        "856377",
        "trazodone hydrochloride 50 MG Oral Tablet",
        "Take 1 tablet by mouth at bedtime",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "quetiapine": Drug(
        "312743", "quetiapine 100 MG Oral Tablet", "Take 1 tablet by mouth at bedtime", 1, 1, "d", 1, "tablet"
    ),
    "aripiprazole": Drug(
        "349545",
        "aripiprazole 10 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "buprenorphine_naloxone": Drug(
        "352364",
        "buprenorphine 8 MG / naloxone 2 MG Sublingual Tablet",
        "Dissolve 1 tablet under the tongue once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "naltrexone": Drug(
        "1483744",
        "naltrexone hydrochloride 50 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "nicotine_patch": Drug(
        "198030",
        "24 HR nicotine 0.875 MG/HR Transdermal System",
        "Apply 1 patch to clean, dry skin once daily; remove the old patch",
        1,
        1,
        "d",
        1,
        "patch",
    ),
    "donepezil": Drug(
        "997223",
        "donepezil hydrochloride 10 MG Oral Tablet",
        "Take 1 tablet by mouth at bedtime",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "memantine": Drug(
        "996561",
        "memantine hydrochloride 10 MG Oral Tablet",
        "Take 1 tablet by mouth twice daily",
        2,
        1,
        "d",
        1,
        "tablet",
    ),
    "alendronate": Drug(
        "904419",
        "alendronic acid 10 MG Oral Tablet",
        "Take 1 tablet by mouth every morning with a full glass of water, 30 minutes before food",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "bictegravir": Drug(
        "1999667",
        "bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "ferrous_sulfate": Drug(
        "310325",
        "ferrous sulfate 325 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
        1,
        1,
        "d",
        1,
        "tablet",
    ),
    "acetaminophen": Drug(
        "313782",
        "acetaminophen 325 MG Oral Tablet",
        "Take 2 tablets by mouth every 6 hours as needed for pain (no more than 3,000 mg a day)",
        1,
        6,
        "h",
        2,
        "tablet",
        as_needed=True,
    ),
    "omeprazole": Drug(
        "198051",
        "omeprazole 20 MG Delayed Release Oral Capsule",
        "Take 1 capsule by mouth once daily before breakfast",
        1,
        1,
        "d",
        1,
        "capsule",
    ),
    "gabapentin": Drug(
        "310431",
        "gabapentin 300 MG Oral Capsule",
        "Take 1 capsule by mouth three times daily",
        3,
        1,
        "d",
        1,
        "capsule",
    ),
}

# Prescribing rules: condition key -> groups of alternatives. Each group is (probability, options)
# where options are (weight, drug key); at most one drug of a group is prescribed.
PRESCRIBING: dict[str, tuple[tuple[float, tuple[tuple[float, str], ...]], ...]] = {
    "hypertension": (
        (0.62, ((0.7, "lisinopril_10"), (0.3, "lisinopril_20"))),
        (0.35, ((0.65, "amlodipine"), (0.35, "losartan"))),
        (0.22, ((1.0, "hctz"),)),
    ),
    "hyperlipidemia": ((0.70, ((1.0, "atorvastatin"),)),),
    "ihd": (
        (0.80, ((1.0, "atorvastatin"),)),
        (0.60, ((1.0, "aspirin"),)),
        (0.40, ((1.0, "metoprolol"),)),
        (0.20, ((1.0, "nitroglycerin"),)),
    ),
    "old_mi": ((0.50, ((1.0, "clopidogrel"),)),),
    "heart_failure": (
        (0.85, ((1.0, "furosemide"),)),
        (0.80, ((0.7, "carvedilol"), (0.3, "metoprolol"))),
        (0.65, ((0.45, "sacubitril_valsartan"), (0.55, "lisinopril_10"))),
        (0.30, ((1.0, "spironolactone"),)),
    ),
    "afib": (
        (0.74, ((0.84, "apixaban"), (0.16, "warfarin"))),
        (0.45, ((1.0, "metoprolol"),)),
    ),
    "copd": (
        (0.85, ((1.0, "albuterol_inhaler"),)),
        (0.35, ((1.0, "budesonide_nebulizer"),)),
        (0.20, ((1.0, "albuterol_nebulizer"),)),
    ),
    "asthma": (
        (0.85, ((1.0, "albuterol_inhaler"),)),
        (0.50, ((1.0, "fluticasone_inhaler"),)),
    ),
    "depression": (
        (
            0.70,
            (
                (0.45, "sertraline"),
                (0.30, "escitalopram"),
                (0.15, "bupropion"),
                (0.10, "trazodone"),
            ),
        ),
    ),
    "anxiety": ((0.40, ((0.55, "sertraline"), (0.45, "escitalopram"))),),
    "smi": ((0.80, ((0.55, "quetiapine"), (0.45, "aripiprazole"))),),
    "oud": ((0.45, ((1.0, "buprenorphine_naloxone"),)),),
    "aud": ((0.15, ((1.0, "naltrexone"),)),),
    "tobacco": ((0.15, ((1.0, "nicotine_patch"),)),),
    "dementia": (
        (0.50, ((1.0, "donepezil"),)),
        (0.25, ((1.0, "memantine"),)),
    ),
    "osteoporosis": ((0.45, ((1.0, "alendronate"),)),),
    "hiv": ((0.90, ((1.0, "bictegravir"),)),),
    "osteoarthritis": ((0.40, ((1.0, "acetaminophen"),)),),
    "pud": ((0.60, ((1.0, "omeprazole"),)),),
}


# --- coverage ------------------------------------------------------------------------------------

SOPT = "https://nahdo.org/sopt"  # Source of Payment Typology (PHDSC), as US Core's Coverage uses
SELF_PAY = "http://terminology.hl7.org/CodeSystem/coverage-selfpay"

# Payer types: (system, code, display, text). The text names the kind in plain words for readers
# that go by wording rather than by code.
PAYER_TYPES: dict[str, tuple[str, str, str, str]] = {
    "medicare": (SOPT, "1", "MEDICARE", "Medicare"),
    "medicare_advantage": (SOPT, "11", "Medicare (Managed Care)", "Medicare Advantage"),
    "medicaid": (SOPT, "2", "MEDICAID", "Medicaid"),
    "medicaid_managed": (SOPT, "21", "Medicaid (Managed Care)", "Medicaid managed care"),
    "commercial": (SOPT, "5", "PRIVATE HEALTH INSURANCE", "Commercial insurance"),
    "self_pay": (SELF_PAY, "pay", "PAY", "Self-pay (uninsured)"),
}
MEDICARE_ADVANTAGE_PLANS = ("Summit Medicare Advantage", "Harbor Senior Care Plan", "Keystone MedicareBlue")
MEDICAID_PLANS = (
    "Community Care Medicaid Plan",
    "Horizon Family Health (Medicaid)",
    "Sunrise Health Partners",
)
COMMERCIAL_PLANS = (
    "Blue Horizon Health",
    "Evergreen Insurance Company",
    "Summit Health Plan",
    "Meridian Employer Benefits",
    "Crescent Mutual",
)
# Targets for the coverage mix, per age band (shares among the band): disabled Medicare under 65,
# dual among Medicare, Medicaid and uninsured among the rest. Medicare Advantage share of Medicare.
MEDICARE_DISABLED = (0.04, 0.09, 0.0, 0.0, 0.0)
DUAL_AMONG_MEDICARE = (0.40, 0.40, 0.17, 0.18, 0.22)
MEDICAID_UNDER_65 = (0.30, 0.22, 0.0, 0.0, 0.0)
UNINSURED_UNDER_65 = (0.07, 0.06, 0.0, 0.0, 0.0)
MEDICARE_ADVANTAGE_SHARE = 0.48
