"""The demo's story: what happened on the hotline over the last three days, step by step.

Each scenario runs at an offset from the demo's start (three days ago, 09:00 Beijing time)
through the real engine services, as the demo users. Together they leave every inbox with
something new, claimed, overdue and closed, across all five flows.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.arrears import read_arrears_csv, submit_arrears_batch
from engine.db import Database
from engine.models import HumanTask
from engine.tasks import claim_task, complete_task
from engine.workorders import open_work_order

SHANGHAI = ZoneInfo("Asia/Shanghai")
_opened: dict[str, int] = {}


def _open(db: Database, key: str, flow: str, actor: str, **intake) -> int:
    _opened[key] = open_work_order(db, flow, intake, actor=actor).id
    return 1


def _task_id(db: Database, key: str, step: str) -> int:
    with db.reading() as session:
        task_id = session.scalar(select(HumanTask.id).where(
            HumanTask.work_order_id == _opened[key], HumanTask.bpmn_id == step, HumanTask.state == "ready"))
    if task_id is None:
        raise LookupError(f"demo: {key} has no ready step {step}")
    return task_id


def _claim(db: Database, key: str, step: str, actor: str) -> None:
    claim_task(db, _task_id(db, key, step), actor=actor)


def _do(db: Database, key: str, step: str, actor: str, **data) -> None:
    task_id = _task_id(db, key, step)
    claim_task(db, task_id, actor=actor)
    complete_task(db, task_id, data, actor=actor)


def _local(offset_minutes: int = 0) -> str:
    """Beijing wall-clock time, ``offset_minutes`` from now, for datetime form fields."""
    return (datetime.now(timezone.utc) + timedelta(minutes=offset_minutes)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


FAULT = {"customer_name": "李四", "customer_phone": "13800138001", "customer_address": "南昌市红谷滩区丰和中大道1号",
         "summary": "整栋楼停电，闻到焦味", "area_class": "urban"}
COMPLAINT = {"customer_name": "张三", "customer_phone": "13800138000", "customer_address": "南昌市东湖区八一大道 1 号",
             "category": "billing_metering", "summary": "本月电费比上月高出三倍，怀疑抄表错误"}
ARREARS_CSV = """customer_name,customer_phone,address,account_no,customer_kind,billing_months,amount,due_date,pay_at
张三,13800138000,南昌市红谷滩区丰和中大道1号,1000000001,residential,2026-08;2026-09,120.50;98.00,2026-09-15;2026-10-15,红谷滩营业厅
南昌某商贸公司,0791-86660000,南昌市西湖区中山路 66 号,2000000002,other,2026-09,3560.00,2026-10-15,西湖营业厅或网上国网
王小明,13911112222,南昌市青山湖区北京东路 88 号,1000000003,residential,2026-10,86.40,2026-11-15,网上国网 App
"""


def repaired_and_called_back(db: Database) -> int:
    """A fault repaired within the 45-minute urban deadline, closed after its callback."""
    _open(db, "f1", "fault_repair", "agent1", **FAULT)
    _do(db, "f1", "judge_ownership", "agent1", ownership="utility_fault", explanation="线路故障停电，已致歉")
    _do(db, "f1", "dispatch", "dispatch1", crew_leader="赵师傅", crew_phone="13900000001", departure_time=_local())
    return 1


def crew_arrives(db: Database) -> int:
    _do(db, "f1", "report_arrival", "crew1", arrival_note="已到达配电房")
    _do(db, "f1", "crew_report", "crew1", fault_cause="台区变压器低压熔断器熔断", crew_location="丰和中大道1号配电房",
        estimated_minutes=60)
    return 0


def repair_done(db: Database) -> int:
    _do(db, "f1", "progress_update", "crew1", status="已更换熔断器，恢复供电", repaired=True)
    _do(db, "f1", "completion_report", "dispatch1", main_fault="低压熔断器熔断", repair_result="更换熔断器，线路正常",
        power_restored_at=_local(-5))
    return 0


def fault_overdue(db: Database) -> int:
    """Dispatched but no arrival reported: the crew's task turns red after 45 minutes."""
    _open(db, "f2", "fault_repair", "agent2", customer_name="周敏", customer_phone="13600001234",
          customer_address="南昌市西湖区系马桩街 12 号", summary="小区一单元停电", area_class="urban")
    _do(db, "f2", "judge_ownership", "agent2", ownership="utility_fault", explanation="线路故障，已致歉")
    _do(db, "f2", "dispatch", "dispatch1", crew_leader="钱师傅", crew_phone="13900000002", departure_time=_local())
    return 1


def second_caller(db: Database) -> int:
    """Another resident of the same block calls: linked to the open job, not dispatched again."""
    from engine.models import WorkOrder

    with db.reading() as session:
        master = session.get(WorkOrder, _opened["f2"]).number
    return _open(db, "f2b", "fault_repair", "agent1", customer_name="吴刚", customer_phone="13600005678",
                 customer_address="南昌市西湖区系马桩街 12 号", summary="同一单元停电", area_class="urban", link_to=master)


def complaints(db: Database) -> int:
    """Three complaints: one closed, one claimed by biz1, one waiting in the business queue."""
    _open(db, "c1", "complaint", "agent1", **COMPLAINT)
    _do(db, "c1", "handle", "biz1", result_type="final", handler="李工", result="系抄表员误抄，已更正并退还多收电费",
        finding="substantiated", measures="抄表数据双人复核")
    _do(db, "c1", "reply", "agent2", reached=True, reply_summary="已告知客户核查结果与退费安排")
    _do(db, "c1", "callback", "agent2", reached=True, satisfaction="satisfied", opinion="处理及时，满意")
    _open(db, "c2", "complaint", "agent2", customer_name="刘芳", customer_phone="13700002222",
          customer_address="南昌市青云谱区井冈山大道 3 号", category="supply_quality", summary="晚上电压偏低，空调无法启动")
    _claim(db, "c2", "handle", "biz1")
    _open(db, "c3", "complaint", "agent1", anonymous=True, no_contact_reason="客户匿名，未留联系方式",
          category="staff_attitude", summary="营业厅工作人员态度生硬")
    return 3


def tip_off(db: Database) -> int:
    """A tip-off whose reporter only discipline inspection (and auditors) can see."""
    return _open(db, "t1", "tip_off", "agent2", customer_name="王五", customer_phone="13912345678",
                 customer_address="九江市浔阳区庐山路 8 号", allegation="theft_assistance", accused="某供电所抄表员",
                 summary="抄表员收取好处费后帮助邻居绕表用电")


def power_applications(db: Database) -> int:
    """A factory's new connection waiting for its supply scheme; a household's waiting for its check."""
    _open(db, "p1", "power_application", "agent1", customer_name="南昌某机械厂", customer_phone="0791-88880000",
          customer_address="南昌市青山湖区高新大道 100 号", application_type="new_connection",
          customer_kind="organisation", voltage="high_single", residential=False, capacity_kva="630",
          summary="新建厂房申请用电 630kVA")
    _do(db, "p1", "check", "agent1", eligibility="eligible", informed_customer=True, fee_note="高可靠性供电费按规定收取")
    _do(db, "p1", "accept", "yingye1", documents_received=["sealed_application_letter"])
    _open(db, "p2", "power_application", "agent2", customer_name="赵六", customer_phone="13700001111",
          customer_address="南昌市红谷滩区丰和大道 9 号 2-301", application_type="new_connection",
          customer_kind="individual", voltage="low", residential=True, summary="新房申请居民生活用电")
    return 2


def arrears_batch(db: Database) -> int:
    """The billing centre's batch; one reminder sent by SMS at once, the others left to the deadline."""
    orders = submit_arrears_batch(db, read_arrears_csv(ARREARS_CSV), actor="billing1")
    for index, order in enumerate(orders):
        _opened[f"a{index}"] = order.id
    _do(db, "a0", "first_attempt", "agent1", channel="sms")
    _do(db, "a1", "first_attempt", "agent2", channel="outbound_call", call_outcome="no_answer", note="响铃无人接")
    return len(orders)


def fresh_faults(db: Database) -> int:
    """Calls just taken: one judged and waiting for the duty desk, one waiting for the agent."""
    _open(db, "f3", "fault_repair", "agent2", customer_name="孙丽", customer_phone="13500003333",
          customer_address="南昌市东湖区阳明路 20 号", summary="路灯杆倒伏压断进户线", area_class="suburban")
    _do(db, "f3", "judge_ownership", "agent2", ownership="utility_fault", explanation="进户线断线，已致歉")
    return 1 + _open(db, "f4", "fault_repair", "agent1", customer_name="郑洁", customer_phone="13500004444",
                     customer_address="南昌市东湖区阳明路 26 号", summary="家中跳闸后无法合闸", area_class="urban")


def unreachable_debtor(db: Database) -> int:
    """Two more unanswered calls: after the third the customer goes back to the billing centre."""
    for note in ("占线", "关机"):
        _do(db, "a1", "retry_attempt", "agent2", channel="outbound_call", call_outcome="no_answer", note=note)
    return 0


SCENARIOS: list[tuple[timedelta, Callable[[Database], int]]] = [
    (timedelta(hours=1), repaired_and_called_back),
    (timedelta(hours=1, minutes=30), crew_arrives),
    (timedelta(hours=2, minutes=30), repair_done),
    (timedelta(hours=3), complaints),
    (timedelta(hours=5), tip_off),
    (timedelta(days=1, hours=1), power_applications),
    (timedelta(days=1, hours=2), arrears_batch),
    (timedelta(days=2, hours=6), fault_overdue),
    (timedelta(days=2, hours=6, minutes=20), second_caller),
    (timedelta(days=2, hours=8), unreachable_debtor),
    (timedelta(days=3, hours=1), fresh_faults),
]
