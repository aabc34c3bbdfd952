"""Claim, unclaim and reassign: who may, and the error for each refusal."""
import pytest

from engine.directory import create_user
from engine.errors import Conflict, InvalidState, NotFound, PermissionDenied
from engine.tasks import claim_task, complete_task, reassign_task, unclaim_task
from tests.engine.conftest import INTAKE


@pytest.fixture
def handling(ticket, db):
    """A ready 'handle' task plus two business handlers and a shift lead."""
    wo = ticket.open("test_ticket", **INTAKE)
    with db.transaction() as session:
        create_user(session, "wang", "王", ["business"])
        create_user(session, "li", "李", ["business"])
        create_user(session, "lead", "值班长", ["shift_lead"])
    return ticket.task(wo, "handle").id


def test_claim_is_idempotent_for_the_holder_and_audited_once(handling, db, ticket):
    claim_task(db, handling, actor="wang")
    again = claim_task(db, handling, actor="wang")
    assert again.claimed_by == "wang"
    assert ticket.events(again.work_order_id).count("task.claimed") == 1


def test_claim_of_unknown_task_or_by_unknown_user_is_not_found(handling, db):
    with pytest.raises(NotFound):
        claim_task(db, 12345, actor="wang")
    with pytest.raises(NotFound):
        claim_task(db, handling, actor="ghost")


def test_unclaim_by_holder_returns_it_to_the_queue(handling, db, ticket):
    claimed = claim_task(db, handling, actor="wang")
    assert unclaim_task(db, handling, actor="wang").claimed_by is None
    assert ticket.events(claimed.work_order_id)[-2:] == ["task.claimed", "task.unclaimed"]


def test_unclaim_by_another_handler_is_refused_but_a_shift_lead_may(handling, db):
    claim_task(db, handling, actor="wang")
    with pytest.raises(PermissionDenied, match="wang"):
        unclaim_task(db, handling, actor="li")
    assert unclaim_task(db, handling, actor="lead").claimed_by is None


def test_unclaiming_an_unclaimed_task_is_an_invalid_state(handling, db):
    with pytest.raises(InvalidState):
        unclaim_task(db, handling, actor="wang")


def test_holder_reassigns_to_a_group_member_who_can_then_complete(handling, db):
    claim_task(db, handling, actor="wang")
    assert reassign_task(db, handling, "li", actor="wang").claimed_by == "li"
    with pytest.raises(PermissionDenied):
        complete_task(db, handling, {"result": "x"}, actor="wang")
    assert complete_task(db, handling, {"result": "x"}, actor="li").state == "completed"


def test_reassign_refusals(handling, db, ticket):
    claim_task(db, handling, actor="wang")
    with pytest.raises(PermissionDenied):
        reassign_task(db, handling, "wang", actor="li")  # not the holder
    with pytest.raises(PermissionDenied):
        reassign_task(db, handling, ticket.user_in("billing"), actor="wang")  # assignee outside the group
    with pytest.raises(PermissionDenied):
        reassign_task(db, handling, "li", actor=ticket.user_in("billing"))  # outsider
    assert reassign_task(db, handling, "li", actor="lead").claimed_by == "li"  # shift lead may


def test_nothing_can_be_done_to_a_completed_task(handling, db):
    complete_task(db, handling, {"result": "x"}, actor="wang")
    for action in (lambda: claim_task(db, handling, actor="li"),
                   lambda: unclaim_task(db, handling, actor="wang"),
                   lambda: reassign_task(db, handling, "li", actor="lead")):
        with pytest.raises(Conflict, match="wang"):
            action()
