"""The live preview in words, for `templates/screening/_preview.html`: on a form's own page and
from POST /screening/preview/<kind>. What a form in progress scores, and how unfinished answers
count, is `services/screening_preview`'s business; this module only reads the form and words it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coordinator.blueprints.screening.display import MmeView, ResultView, describe, describe_mme
from coordinator.clock import clinic_context
from coordinator.contracts.screening import DRAFTS
from coordinator.errors import ValidationFailed
from coordinator.services import screening_preview


@dataclass(frozen=True)
class LivePreview:
    kind: str
    result: ResultView | None = None
    mme: MmeView | None = None
    errors: tuple[str, ...] = ()
    progress: str | None = None
    provisional: bool = False
    empty: str | None = None


def live(kind: str, form, *, mme_per_day: Decimal | None = None) -> LivePreview:
    """The preview of what `form` holds so far (`mme_per_day`: the inquiry's, when known)."""
    try:
        draft = DRAFTS[kind].from_form(form, **clinic_context())
    except ValidationFailed as failure:
        # Nothing is saved here: what the draft's contract refuses is simply what to fix.
        return words(screening_preview.refused(kind, failure))
    return words(screening_preview.preview(draft, mme_per_day=mme_per_day))


def words(preview: screening_preview.Preview) -> LivePreview:
    """A service preview with its result described for the template."""
    return LivePreview(
        preview.kind,
        result=describe(preview.assessment) if preview.assessment is not None else None,
        mme=describe_mme(preview.regimen) if preview.regimen is not None else None,
        errors=preview.errors,
        progress=preview.progress,
        provisional=preview.provisional,
        empty=preview.empty,
    )
