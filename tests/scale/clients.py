"""Handlers as separate OS processes: each sends one REST request, all released by one barrier.

Spawned (not forked) children import only this module, so nothing of the test process's
database connections or frozen clock leaks into them.
"""
from __future__ import annotations

import json
import multiprocessing
import urllib.error
import urllib.request

_SPAWN = multiprocessing.get_context("spawn")


def _post(index: int, url: str, body: dict, token: str, barrier, results) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    barrier.wait(timeout=120)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            results.put((index, response.status, json.loads(response.read() or b"null")))
    except urllib.error.HTTPError as error:
        results.put((index, error.code, json.loads(error.read() or b"null")))
    except OSError as error:  # the server died under us (crash tests)
        results.put((index, 0, {"error": type(error).__name__}))


def post_together(requests: list[tuple[str, dict]], token: str, *, timeout: float = 300) -> list[tuple[int, dict]]:
    """POST every ``(url, body)`` from its own process at the same instant; ``(status, json)`` in order."""
    barrier = _SPAWN.Barrier(len(requests))
    results = _SPAWN.Queue()
    children = [_SPAWN.Process(target=_post, args=(i, url, body, token, barrier, results))
                for i, (url, body) in enumerate(requests)]
    for child in children:
        child.start()
    answers: dict[int, tuple[int, dict]] = {}
    for _ in children:
        index, status, payload = results.get(timeout=timeout)
        answers[index] = (status, payload)
    for child in children:
        child.join(timeout=30)
    return [answers[i] for i in range(len(requests))]
