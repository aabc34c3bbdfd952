"""Process owners edit diagrams in the browser: open a version, save a draft, deploy, upload, download, diff.

Every page and action is for members of ``process_owner`` only. Deploying runs the engine's full
deploy validation; problems come back as a list the page shows and highlights on the canvas.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engine.deployment import DocumentTooLarge, latest_version
from engine.drafts import deploy_xml, discard_draft, draft_of, save_draft
from engine.dry_run import dry_run, scenario_files
from engine.errors import DeployRejected, InvalidState
from engine.migration import candidates, migrate_many, preview, recent_migrations, revert
from engine.queries import MAX_ID
from engine.versions import diff_versions, get_version, list_processes, list_versions
from web import db
from web.auth.identity import require_login
from web.i18n import bilingual, pick

bp = Blueprint("modeller", __name__, url_prefix="/modeller", template_folder="templates")
OWNER_GROUP = "process_owner"
MIGRATION_PAGE = 50


@bp.before_request
def require_process_owner() -> ResponseReturnValue | None:
    """Only process owners may see or change diagrams."""
    refused = require_login()
    if refused is not None:
        return refused
    if OWNER_GROUP not in current_user.group_names:
        abort(403, pick("只有流程管理员可以修改流程。", "Only process owners may change processes."))
    return None


@bp.get("/")
def index() -> ResponseReturnValue:
    with db().reading() as session:
        processes = list_processes(session)
    return render_template("modeller/index.html", processes=processes)


@bp.get("/<process_id>")
def edit(process_id: str) -> ResponseReturnValue:
    """The modeller on the draft if there is one, else on the requested (default: newest) version."""
    requested = request.args.get("version", type=int)
    with db().reading() as session:
        newest = latest_version(session, process_id)
        draft = None if requested else draft_of(session, process_id)
        shown = get_version(session, process_id, requested) if requested else newest
        versions = list_versions(session, process_id)
        xml = draft.bpmn_xml if draft is not None else shown.bpmn_xml
        based_on = draft.based_on_version if draft is not None else shown.version
        draft_info = (draft.saved_by, draft.saved_at) if draft is not None else None
        title = newest.name
    return render_template("modeller/edit.html", process_id=process_id, title=title, xml=xml, based_on=based_on,
                           newest=newest.version, draft=draft_info, versions=versions,
                           has_scenarios=bool(scenario_files(process_id)))


def _posted_diagram() -> tuple[dict, str | None]:
    """The JSON body of a save, deploy or dry run and its diagram (None when none was sent)."""
    body = request.get_json(silent=True) or {}
    xml = body.get("xml")
    return body, xml if isinstance(xml, str) and xml.strip() else None


def _no_diagram() -> ResponseReturnValue:
    """The answer to a save, deploy or dry run that carried no diagram."""
    return jsonify(problems=[_plain(pick("没有收到流程图。", "No diagram was sent."))]), 400


@bp.post("/<process_id>/draft")
def save(process_id: str) -> ResponseReturnValue:
    body, xml = _posted_diagram()
    if xml is None:
        return _no_diagram()
    try:
        with db().transaction() as session:
            latest_version(session, process_id)
            draft = save_draft(session, process_id, xml, based_on_version=int(body.get("based_on") or 0),
                               actor=current_user.username)
            saved_at = draft.saved_at.isoformat()
    except DeployRejected as exc:
        return _refused(exc)
    return jsonify(saved_at=saved_at)


@bp.post("/<process_id>/discard")
def discard(process_id: str) -> ResponseReturnValue:
    with db().transaction() as session:
        discard_draft(session, process_id)
    flash(pick("草稿已丢弃。", "The draft was discarded."), "info")
    return redirect(url_for("modeller.edit", process_id=process_id))


@bp.post("/<process_id>/deploy")
def deploy(process_id: str) -> ResponseReturnValue:
    """Validate and deploy; 422 with every problem (element id, name, sentence) when refused."""
    body, xml = _posted_diagram()
    if xml is None:
        return _no_diagram()
    try:
        with db().transaction() as session:
            note = str(body.get("note", ""))[:500]
            version = deploy_xml(session, process_id, xml, actor=current_user.username, note=note)
            number = version.version
    except DeployRejected as exc:
        return _refused(exc)
    return jsonify(version=number, url=url_for("modeller.edit", process_id=process_id, version=number))


@bp.post("/<process_id>/dry-run")
def dry_run_draft(process_id: str) -> ResponseReturnValue:
    """Run the flow's harness scenarios against the diagram in the modeller; nothing is deployed."""
    _, xml = _posted_diagram()
    if xml is None:
        return _no_diagram()
    with db().reading() as session:
        latest_version(session, process_id)
    results = dry_run(process_id, xml)
    return jsonify(results=[{"name": r.name, "passed": r.passed, "message": r.message} for r in results])


def _refused(exc: DeployRejected) -> ResponseReturnValue:
    """A refused save or deploy: every problem, with :func:`_refusal_status`."""
    return jsonify(message=bilingual(exc.message), problems=exc.problems), _refusal_status(exc)


def _refusal_status(exc: DeployRejected) -> int:
    """413 when the diagram is too large, else 422."""
    return 413 if isinstance(exc, DocumentTooLarge) else 422


@bp.post("/<process_id>/upload")
def upload(process_id: str) -> ResponseReturnValue:
    """Put an uploaded .bpmn file into the draft, to look at in the modeller before deploying.

    A refused file leaves the draft as it was; the modeller page comes back with a 4xx status
    and a message naming the problem.
    """
    file = request.files.get("file")
    if file is None or not file.filename:
        return _upload_refused(process_id, pick("请选择一个 .bpmn 文件。", "Choose a .bpmn file."), 400)
    try:
        xml = file.read().decode("utf-8")
    except UnicodeDecodeError:
        return _upload_refused(process_id, pick("文件不是 UTF-8 编码的 BPMN XML。", "The file is not UTF-8 BPMN XML."), 422)
    try:
        with db().transaction() as session:
            save_draft(session, process_id, xml, based_on_version=latest_version(session, process_id).version,
                       actor=current_user.username)
    except DeployRejected as exc:
        return _upload_refused(process_id, f"{bilingual(exc.message)}: {exc.problems[0]['message']}",
                               _refusal_status(exc))
    flash(pick("文件已载入草稿，检查后即可部署。", "The file is now the draft; check it, then deploy."), "info")
    return redirect(url_for("modeller.edit", process_id=process_id))


@bp.get("/<process_id>/v<int:number>.bpmn")
def download(process_id: str, number: int) -> ResponseReturnValue:
    with db().reading() as session:
        xml = get_version(session, process_id, number).bpmn_xml
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{process_id}-v{number}.bpmn"'})


@bp.get("/<process_id>/diff")
def diff(process_id: str) -> ResponseReturnValue:
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    with db().reading() as session:
        newest = latest_version(session, process_id).version
        a, b = a or max(newest - 1, 1), b or newest
        changes = diff_versions(session, process_id, a, b)
    return render_template("modeller/diff.html", process_id=process_id, a=a, b=b, diff=changes)


@bp.get("/<process_id>/migrate")
def migration(process_id: str) -> ResponseReturnValue:
    """Preview moving the work orders of an older version (filtered by state) to the newest version."""
    status = request.args.get("status", "open")
    with db().transaction() as session:
        newest = latest_version(session, process_id)
        number = request.args.get("from", type=int) or max(newest.version - 1, 1)
        source = get_version(session, process_id, number)
        chosen = candidates(session, source.id, status=status)[:MIGRATION_PAGE]
        previews = [preview(session, w.id, newest.id) for w in chosen]
        history = recent_migrations(session, process_id)
        versions = [v.version for v in list_versions(session, process_id)]
    return render_template("modeller/migrate.html", process_id=process_id, source=number, target=newest.version,
                           target_id=newest.id, status=status, previews=previews, history=history, versions=versions)


@bp.post("/<process_id>/migrate")
def migrate_selected(process_id: str) -> ResponseReturnValue:
    """Move the chosen work orders; the ones that cannot move are left where they are."""
    ids = [int(i) for i in request.form.getlist("work_order") if i.isdecimal() and int(i) <= MAX_ID]
    with db().transaction() as session:
        target = latest_version(session, process_id)
        if target.id != request.form.get("target_id", type=int):
            flash(pick("有更新的版本已部署，请重新预览。", "A newer version was deployed; preview again."), "error")
            return redirect(url_for("modeller.migration", process_id=process_id))
        moved = migrate_many(session, ids, target.id, actor=current_user.username)
    flash(pick(f"已迁移 {len(moved)} 个工单。", f"{len(moved)} work order(s) moved."), "info")
    return redirect(url_for("modeller.migration", process_id=process_id, **{"from": request.form.get("source", "")}))


@bp.post("/<process_id>/migrations/<int:migration_id>/revert")
def revert_migration(process_id: str, migration_id: int) -> ResponseReturnValue:
    try:
        with db().transaction() as session:
            work_order = revert(session, migration_id, actor=current_user.username)
            number = work_order.number
        flash(pick(f"工单 {number} 已回到原版本。", f"Work order {number} is back on its old version."), "info")
    except InvalidState as exc:
        flash(bilingual(exc.message), "error")
    return redirect(url_for("modeller.migration", process_id=process_id))


def _upload_refused(process_id: str, message: str, status: int) -> ResponseReturnValue:
    flash(message, "error")
    return edit(process_id), status


def _plain(message: str) -> dict:
    return {"element_id": "", "element_name": "", "message": message}
