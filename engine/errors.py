"""Typed errors raised by engine services; every message is fit to show a user."""
from __future__ import annotations


class TicketflowError(Exception):
    """Base of every error an engine service raises on purpose."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(TicketflowError):
    """The work order, task, process or user does not exist."""


class PermissionDenied(TicketflowError):
    """The actor is not in a group allowed to do this."""


class Conflict(TicketflowError):
    """Someone else changed the work order first; reload and try again."""


class InvalidState(TicketflowError):
    """The action does not fit the current state (task completed, work order closed ...)."""


class ValidationFailed(TicketflowError):
    """Submitted data failed its form schema; ``errors`` maps field → messages."""

    def __init__(self, message: str, errors: dict):
        super().__init__(message, errors=errors)
        self.errors = errors


class DeployRejected(TicketflowError):
    """A BPMN file cannot be deployed; ``problems`` lists each element and what is wrong."""

    def __init__(self, message: str, problems: list[dict]):
        super().__init__(message, problems=problems)
        self.problems = problems

    def __str__(self) -> str:
        lines = [self.message] + [
            f"- {p.get('element_id') or '(document)'}"
            + (f" «{p['element_name']}»" if p.get("element_name") else "")
            + f": {p['message']}"
            for p in self.problems
        ]
        return "\n".join(lines)


class UnsafeScript(TicketflowError):
    """A script or expression uses something the sandbox forbids."""
