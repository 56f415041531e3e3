"""Template filters for the reconciliation's texts (``imena.journals.texts``)."""

from __future__ import annotations

from django import template

from imena.journals import texts

register = template.Library()
register.filter("review_message", texts.review_message)
register.filter("comparison_label", texts.comparison_label)
register.filter("level_label", texts.level_label)
register.filter("rule_label", texts.rule_label)
register.filter("evidence_label", texts.evidence_label)
register.filter("problem_message", texts.problem_message)
