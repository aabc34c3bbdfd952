"""Sealed fields: a tip-off reporter's identity is readable only by discipline inspection and auditors.

A form marks a field ``metadata={"sealed": True}``. The engine never copies sealed values
into work-order columns (which inboxes list), and every read path for people outside
:data:`SEALED_READERS` goes through :func:`redact`, so a template cannot leak what it never gets.
"""
from __future__ import annotations

from functools import lru_cache

import forms
from engine.deployment import spec_of
from engine.models import ProcessVersion

SEALED_READERS = frozenset({"discipline", "auditor"})
MASK = "【保密】"


def may_read_sealed(groups: set[str] | frozenset[str]) -> bool:
    """Whether a member of ``groups`` may see sealed values."""
    return bool(SEALED_READERS & set(groups))


@lru_cache(maxsize=256)
def _sealed_in_forms(form_keys: frozenset[str]) -> frozenset[str]:
    sealed = set()
    for key in form_keys:
        if key in forms.FORMS:
            sealed |= {name for name, field in forms.form_schema(key).fields.items() if field.metadata.get("sealed")}
    return frozenset(sealed)


def form_keys_of(version: ProcessVersion) -> frozenset[str]:
    """Every form key a process version uses (start form and user tasks)."""
    spec, subprocess_specs = spec_of(version)
    keys = {version.start_form_key} if version.start_form_key else set()
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            key = getattr(getattr(task_spec, "form", None), "key", None)
            if key:
                keys.add(key)
    return frozenset(keys)


def sealed_fields(version: ProcessVersion) -> frozenset[str]:
    """Names of the sealed fields in any form of this process version."""
    return _sealed_in_forms(form_keys_of(version))


def redact(data, sealed: frozenset[str] | set[str]):
    """Copy ``data`` with every sealed key masked, at any depth."""
    if isinstance(data, dict):
        return {k: (MASK if k in sealed and v not in (None, "") else redact(v, sealed)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v, sealed) for v in data]
    return data


def visible(data, version: ProcessVersion, viewer_groups: set[str]):
    """``data`` as a viewer may see it."""
    if may_read_sealed(viewer_groups):
        return data
    return redact(data, sealed_fields(version))
