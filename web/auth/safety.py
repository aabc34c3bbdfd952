"""Redirect targets taken from a request stay on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, fallback: str) -> str:
    """Follow ``next`` only to a path of this site (never ``//host`` or ``https://...``)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return fallback
