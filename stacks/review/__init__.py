"""Pull-request review: plan the stacks a change touches, check the head, price both sides, write one comment.

``review_change`` is the library function behind ``keel review BASE HEAD``: it reads both revisions with
git (never touching the working tree), plans the changed stacks of both sides in parallel with the offline
engine, runs the policy pack on the states, prices and diffs them with ``runtime.cost``, and returns a
``Review``; ``render`` writes it as the comment (markdown within the platform's size limit), SARIF, JUnit
or JSON. ``review_files`` is the pre-commit hook's check of stack files in the working tree.
"""

from ._changes import StackChange, changed_stacks, is_program_file, stack_name
from ._git import GitError
from ._plan import PROGRAMS, Program
from ._render import (
    FORMATS,
    GITHUB_COMMENT_LIMIT,
    GITLAB_NOTE_LIMIT,
    MARKER,
    render,
    render_json,
    render_junit,
    render_markdown,
    render_sarif,
    review_document,
)
from ._review import Review, Revision, StackReview, review_change, review_files

__all__ = [
    "FORMATS",
    "GITHUB_COMMENT_LIMIT",
    "GITLAB_NOTE_LIMIT",
    "MARKER",
    "PROGRAMS",
    "GitError",
    "Program",
    "Review",
    "Revision",
    "StackChange",
    "StackReview",
    "changed_stacks",
    "is_program_file",
    "render",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_sarif",
    "review_change",
    "review_document",
    "review_files",
    "stack_name",
]
