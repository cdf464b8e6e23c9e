"""Next questions from an Assessment: the rules drive the interview, there is no hand-written flow.

`next_step()` takes an Assessment and the facts the person answered "I don't know" and returns the topic
to ask about next, with its questions: the missing facts that can still change an outcome, those settling
the most options first, then those settling only the details of an option the person can get (which fee,
document or deadline applies: the age for the adult or child passport fee), grouped by the fact's `topic`.
The interview is finished when every option and those details are settled or every remaining question was
answered "I don't know" (those are never asked again). Pure: no Django, no I/O; the caller keeps the answers.
"""

from __future__ import annotations

from passage.interview.questions import (
    Question,
    Step,
    answerable_missing,
    is_finished,
    next_step,
    pending_groups,
    progress,
)

__all__ = ["Question", "Step", "answerable_missing", "is_finished", "next_step", "pending_groups", "progress"]
