"""State machines as data (DESIGN.md convention 4): allowed transitions and what each one needs.

services.candidate_apply and services.enrollment_apply are the only functions that change a status;
they consult these tables, so the rules are read here and nowhere else.
"""

from types import MappingProxyType


class CandidateStatus:
    OPEN = "open"
    ENROLLED = "enrolled"
    DECLINED = "declined"
    UNABLE_TO_REACH = "unable_to_reach"
    NOT_ELIGIBLE = "not_eligible"
    DEFERRED = "deferred"

    CHOICES = (
        (OPEN, "Open"),
        (ENROLLED, "Enrolled"),
        (DECLINED, "Declined"),
        (UNABLE_TO_REACH, "Unable to reach"),
        (NOT_ELIGIBLE, "Not eligible on review"),
        (DEFERRED, "Deferred"),
    )
    WORKING = (OPEN, DEFERRED)
    CLOSED = (ENROLLED, DECLINED, UNABLE_TO_REACH, NOT_ELIGIBLE)


class EnrollmentStatus:
    ACTIVE = "active"
    DISENROLLED = "disenrolled"

    CHOICES = ((ACTIVE, "Active"), (DISENROLLED, "Disenrolled"))


_OUTCOMES = frozenset(
    {
        CandidateStatus.ENROLLED,
        CandidateStatus.DECLINED,
        CandidateStatus.UNABLE_TO_REACH,
        CandidateStatus.NOT_ELIGIBLE,
        CandidateStatus.DEFERRED,
    }
)

CANDIDATE_TRANSITIONS = MappingProxyType(
    {
        CandidateStatus.OPEN: _OUTCOMES,
        CandidateStatus.DEFERRED: _OUTCOMES | {CandidateStatus.OPEN},
        CandidateStatus.ENROLLED: frozenset(),
        CandidateStatus.DECLINED: frozenset(),
        CandidateStatus.UNABLE_TO_REACH: frozenset(),
        CandidateStatus.NOT_ELIGIBLE: frozenset(),
    }
)

# What a person must give to record each outcome (the API names the missing field).
CANDIDATE_OUTCOME_REQUIRES = MappingProxyType(
    {
        CandidateStatus.DECLINED: ("reason",),
        CandidateStatus.NOT_ELIGIBLE: ("reason",),
        CandidateStatus.DEFERRED: ("deferred_until",),
        CandidateStatus.UNABLE_TO_REACH: (),
        CandidateStatus.OPEN: (),
        CandidateStatus.ENROLLED: (),
    }
)

ENROLLMENT_TRANSITIONS = MappingProxyType(
    {
        EnrollmentStatus.ACTIVE: frozenset({EnrollmentStatus.DISENROLLED}),
        EnrollmentStatus.DISENROLLED: frozenset(),
    }
)

ENROLLMENT_TRANSITION_REQUIRES = MappingProxyType({EnrollmentStatus.DISENROLLED: ("reason",)})

DECLINE_REASONS = (
    ("not_interested", "Not interested"),
    ("cost_sharing", "Concerned about cost-sharing"),
    ("has_support", "Already has enough support"),
    ("other_program", "In another program or with another practitioner"),
    ("other", "Other"),
)

DISENROLL_REASONS = (
    ("patient_request", "Patient asked to stop"),
    ("goals_met", "Goals met / graduated"),
    ("no_longer_eligible", "No longer eligible"),
    ("moved", "Moved or changed practice"),
    ("lost_to_follow_up", "Lost to follow-up"),
    ("hospice", "Transferred to hospice"),
    ("deceased", "Deceased"),
    ("episode_complete", "Episode complete"),
    ("other", "Other"),
)


def candidate_can(current: str, target: str) -> bool:
    return target in CANDIDATE_TRANSITIONS.get(current, frozenset())


def enrollment_can(current: str, target: str) -> bool:
    return target in ENROLLMENT_TRANSITIONS.get(current, frozenset())


ATTEMPT_CHANNELS = (
    ("phone", "Phone"),
    ("text", "Text message"),
    ("portal", "Portal message"),
    ("letter", "Letter"),
    ("in_person", "In person"),
)

ATTEMPT_RESULTS = (
    ("reached", "Reached the patient"),
    ("no_answer", "No answer"),
    ("left_message", "Left a message"),
    ("wrong_number", "Wrong or disconnected number"),
    ("returned_mail", "Returned mail"),
)
# Only these count toward "unable to reach after N attempts".
UNSUCCESSFUL_RESULTS = frozenset({"no_answer", "left_message", "wrong_number", "returned_mail"})
