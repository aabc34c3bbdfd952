"""Process owners' unfinished edits: one draft per process, kept until it is deployed or discarded.

A draft is stored as the modeller saved it and is *not* validated as BPMN: an owner may save
half-done work. It must still be safe, well-formed UTF-8 XML within the size limit (see
:func:`~engine.deployment.read_document`), so an uploaded file that is not is refused before it
is stored. Deploying a draft runs the full deploy validation and, on success, removes the draft.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.db import Base
from engine.deployment import deploy_process, read_document
from engine.errors import DeployRejected
from engine.models import ProcessVersion, UTCDateTime


class ProcessDraft(Base):
    """The owner's working copy of a process diagram, based on one deployed version."""

    __tablename__ = "process_drafts"
    process_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    based_on_version: Mapped[int] = mapped_column(Integer)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


def save_draft(session: Session, process_id: str, xml: str, *, based_on_version: int, actor: str) -> ProcessDraft:
    """Keep ``xml`` as the process's draft, replacing any earlier one; refuse XML that is unsafe or broken."""
    read_document(xml)
    draft = session.get(ProcessDraft, process_id)
    if draft is None:
        draft = ProcessDraft(process_id=process_id)
        session.add(draft)
    draft.based_on_version = based_on_version
    draft.bpmn_xml = xml
    draft.saved_by = actor
    draft.saved_at = datetime.now(timezone.utc)
    session.flush()
    return draft


def draft_of(session: Session, process_id: str) -> ProcessDraft | None:
    """The process's saved draft, if any."""
    return session.get(ProcessDraft, process_id)


def discard_draft(session: Session, process_id: str) -> bool:
    """Drop the draft; True when there was one."""
    draft = session.get(ProcessDraft, process_id)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True


def deploy_xml(session: Session, process_id: str, xml: str, *, actor: str, note: str) -> ProcessVersion:
    """Deploy an edited diagram of ``process_id`` as its next version and clear its draft.

    The diagram must keep the process id: a renamed process would become a different flow type.
    """
    version, _created = deploy_process(session, xml, actor=actor, note=note)
    if version.process_id != process_id:
        raise DeployRejected("无法部署 / cannot deploy", [{
            "element_id": version.process_id, "element_name": version.name,
            "message": f"the diagram's process id is '{version.process_id}', not '{process_id}'; keep the process id"}])
    discard_draft(session, process_id)
    return version
