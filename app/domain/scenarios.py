"""情形 (scenario) rules: which questions are asked, which answers count, which materials apply.

Questions are asked in catalogue order; a follow-up question (one with a `condition`) is asked only when the
earlier question it names was answered with one of the condition's answers. An answer to a question that is not
asked does not count — so a follow-up left over from a changed earlier answer never brings in its materials.
Pure functions over the domain's data; the guide service, the intake form and the kiosk use them.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.models import Bundle, BundleMember, MaterialRequirement, ScenarioQuestion, ServiceItem


def _met(condition_qid: str, condition_answers: tuple[str, ...], answers: Mapping[str, str]) -> bool:
    return answers.get(condition_qid) in condition_answers


def effective_answers(item: ServiceItem | Bundle, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers that count: those to questions that are asked, given the earlier answers that count."""
    kept: dict[str, str] = {}
    for question in item.questions:
        if not is_asked(question, kept):
            continue
        answer = answers.get(question.id)
        if answer is not None and answer in question.options:
            kept[question.id] = answer
    return kept


def is_asked(question: ScenarioQuestion, answers: Mapping[str, str]) -> bool:
    """Whether `question` is asked given `answers` (already filtered by `effective_answers`)."""
    condition = question.condition
    return condition is None or _met(condition.question_id, condition.answers, answers)


def asked_questions(item: ServiceItem | Bundle, answers: Mapping[str, str]) -> tuple[ScenarioQuestion, ...]:
    """The questions asked for these answers, in order (unanswered ones included)."""
    kept = effective_answers(item, answers)
    return tuple(q for q in item.questions if is_asked(q, kept))


def next_question(item: ServiceItem | Bundle, answers: Mapping[str, str]) -> ScenarioQuestion | None:
    """The first asked question still without an answer; None when the situation is fully known."""
    kept = effective_answers(item, answers)
    return next((q for q in item.questions if is_asked(q, kept) and q.id not in kept), None)


def material_applies(requirement: MaterialRequirement, answers: Mapping[str, str]) -> bool | None:
    """True/False for a material that applies or not under effective `answers`; None when the clerk decides (a
    condition in words only)."""
    if requirement.required:
        return True
    if requirement.condition is None:
        return None
    return _met(requirement.condition.question_id, requirement.condition.answers, answers)


def materials_for(item: ServiceItem, answers: Mapping[str, str]) -> tuple[MaterialRequirement, ...]:
    """The materials this applicant brings: required ones, conditional ones whose condition holds, and conditions
    in words only (the clerk decides) — in catalogue order."""
    kept = effective_answers(item, answers)
    return tuple(m for m in item.materials if material_applies(m, kept) is not False)


def chosen_members(bundle: Bundle, answers: Mapping[str, str]) -> tuple[BundleMember, ...]:
    """The members of a 一件事 bundle for these answers to its questions; an unanswered question takes its first
    option (as an item's questions do in scripted intake)."""
    filled = dict(answers)
    kept: dict[str, str] = {}
    for question in bundle.questions:
        if is_asked(question, kept):
            answer = filled.get(question.id, question.options[0])
            kept[question.id] = answer if answer in question.options else question.options[0]
    return tuple(m for m in bundle.members if m.condition is None or member_chosen(m, kept))


def member_chosen(member: BundleMember, answers: Mapping[str, str]) -> bool:
    condition = member.condition
    return condition is None or _met(condition.question_id, condition.answers, answers)
