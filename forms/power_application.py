"""Forms of the power application flow 用电申请 (rules §4; art. 16, 20, 21.10, 29): ``processes/power_application.bpmn``.

The spec lists 14 items with 更名或过户 (rename *or* ownership transfer) as one; they are two
different pieces of work (same holder renamed vs. a new holder with a new contract), so the
form offers them separately: 15 values.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from forms.optional import BlankMeansMissing, checklist, confirmed, optional_text, past_moment
from forms.registry import register_form
from forms.survey import CallbackSurvey
from forms.validators import choice, flag, long_text, phone, text

APPLICATION_TYPES = [
    ("new_connection", "新装", "New connection"),
    ("capacity_increase", "增容", "Capacity increase"),
    ("capacity_decrease", "减容", "Capacity decrease"),
    ("suspension", "暂停", "Suspension"),
    ("temporary_swap", "暂换", "Temporary transformer swap"),
    ("relocation", "迁址", "Relocation"),
    ("meter_move", "移表", "Meter move"),
    ("temporary_removal", "暂拆", "Temporary removal"),
    ("rename", "更名", "Rename"),
    ("ownership_transfer", "过户", "Ownership transfer"),
    ("split", "分户", "Split an account"),
    ("merge", "并户", "Merge accounts"),
    ("closure", "销户", "Closure"),
    ("voltage_change", "改压", "Voltage change"),
    ("category_change", "改类", "Category change"),
]
CUSTOMER_KINDS = [
    ("organisation", "单位", "Organisation"),
    ("individual", "个人", "Individual"),
    ("self_employed", "个体工商户", "Self-employed"),
]
VOLTAGES = [
    ("low", "低压", "Low voltage"),
    ("high_single", "高压单电源", "High voltage, single source"),
    ("high_dual", "高压双电源", "High voltage, dual source"),
]
DOCUMENTS = [
    ("sealed_application_letter", "加盖公章的申请书", "Application letter with the company seal"),
    ("id_copy", "身份证复印件", "Copy of the ID card"),
    ("property_certificate", "房产证复印件", "Copy of the property certificate"),
    ("business_licence", "营业执照复印件", "Copy of the business licence"),
]
ELIGIBILITY = [
    ("eligible", "符合条件", "Eligible"),
    ("not_eligible", "不符合条件", "Not eligible"),
]
REVIEW_OUTCOMES = [
    ("approved", "审核通过", "Approved"),
    ("corrections", "需修改（已出具审核意见）", "Corrections required (opinion issued)"),
]


@register_form("power_application.intake", "受理用电申请", "Record a power application")
class ApplicationIntake(BlankMeansMissing):
    """Who applies, for what, at which voltage (art. 16.2)."""

    customer_name = text("客户名称", "Customer name")
    customer_phone = phone("联系电话", "Contact phone")
    customer_address = text("用电地址", "Supply address")
    account_number = optional_text("户号（变更用电）", "Account number (changes to an existing supply)")
    application_type = choice("业务类型", "Application type", APPLICATION_TYPES)
    customer_kind = choice("客户类型", "Customer kind", CUSTOMER_KINDS)
    voltage = choice("供电电压", "Supply voltage", VOLTAGES)
    residential = flag("居民客户", "Residential customer")
    capacity_kva = fields.Decimal(
        load_default=None, places=1, as_string=True, validate=validate.Range(min=0),
        metadata={"label_zh": "申请容量（kVA）", "label_en": "Requested capacity (kVA)"},
    )
    summary = long_text("申请说明", "What the customer asks for")

    @validates_schema
    def check_residential(self, data, **kwargs):
        """A residential supply is a private person's low-voltage supply (housing estates apply as organisations)."""
        errors = {}
        if data.get("residential") and data.get("customer_kind") != "individual":
            errors["customer_kind"] = ["居民客户应为个人 / a residential customer is an individual"]
        if data.get("residential") and data.get("voltage") != "low":
            errors["voltage"] = ["居民生活用电为低压供电 / a residential supply is low voltage"]
        if errors:
            raise ValidationError(errors)


@register_form("power_application.eligibility", "审查申请条件", "Check eligibility")
class EligibilityCheck(BlankMeansMissing):
    """The agent's check against the Supply Business Rules and what the customer was told (art. 16.3, 16.4)."""

    eligibility = choice("审查结论", "Outcome", ELIGIBILITY)
    ineligible_reason = optional_text("不符合条件的原因（已向客户解释）", "Why not eligible (explained to the customer)", long=True)
    informed_customer = confirmed("已告知客户办理流程、所需资料和收费标准（或不符合的原因）",
                                  "Told the customer the process, documents and fees (or why not eligible)")
    fee_note = optional_text("收费说明", "Fees quoted", long=True)

    @validates_schema
    def check_reason(self, data, **kwargs):
        """A refusal must say why."""
        if data.get("eligibility") == "not_eligible" and not data.get("ineligible_reason"):
            raise ValidationError({"ineligible_reason": ["必填 / required"]})


@register_form("power_application.accept", "受理确认", "Accept the application")
class Acceptance(BlankMeansMissing):
    """The department accepts the electronic ticket and records the documents in hand (art. 16.5)."""

    documents_received = checklist("已收资料", "Documents received", DOCUMENTS)
    acceptance_note = optional_text("受理意见", "Acceptance note", long=True)


@register_form("power_application.supply_scheme", "答复供电方案", "Reply with the supply scheme")
class SupplyScheme(BlankMeansMissing):
    """The supply scheme given to the customer (art. 29.8)."""

    scheme = long_text("供电方案", "Supply scheme")
    replied_by = text("答复人", "Replied by")


@register_form("power_application.delay_reason", "说明超期原因", "State the reason for the delay")
class DelayReason(BlankMeansMissing):
    """Why the department cannot meet a deadline; the call centre is told (art. 29.8)."""

    delay_reason = long_text("超期原因", "Reason for the delay")
    expected_by = fields.DateTime(load_default=None, metadata={
        "label_zh": "预计完成时间", "label_en": "Expected completion", "widget": "datetime"})


@register_form("power_application.design_received", "接收设计文件", "Receive design documents")
class DesignReceived(BlankMeansMissing):
    """The customer's receiving-installation design arrives; the review clock starts (art. 29.9)."""

    design_received_at = past_moment("收到设计文件时间", "Received at")
    documents = long_text("送审资料清单", "Documents submitted")
    designer = optional_text("设计单位", "Design firm")


@register_form("power_application.design_review", "审核设计文件", "Review the design")
class DesignReview(BlankMeansMissing):
    """The answer on the design: approved, or the corrections the customer must make."""

    review_outcome = choice("审核结论", "Outcome", REVIEW_OUTCOMES)
    review_opinion = long_text("审核意见", "Opinion")


@register_form("power_application.inspection_contract", "竣工验收与签订合同", "Inspection and supply contract")
class InspectionAndContract(BlankMeansMissing):
    """Both preconditions of power-on for non-residential customers (art. 29.10)."""

    inspection_passed = confirmed("受电装置验收合格", "Receiving installation passed inspection")
    inspection_passed_at = past_moment("验收合格时间", "Inspection passed at")
    contract_signed = confirmed("已签订供用电合同", "Supply contract signed")
    contract_signed_at = past_moment("合同签订时间", "Contract signed at")
    contract_number = text("合同编号", "Contract number")
    rectification_note = optional_text("整改情况", "Rectifications before passing", long=True)


@register_form("power_application.power_on", "装表送电", "Connect and energise")
class PowerOn(BlankMeansMissing):
    """The supply is connected (art. 29.10)."""

    powered_on_at = past_moment("送电时间", "Energised at")
    meter_number = optional_text("电能表资产号", "Meter asset number")
    work_note = optional_text("施工说明", "Work note", long=True)


@register_form("power_application.change_done", "办理变更", "Carry out the change")
class ChangeDone(BlankMeansMissing):
    """A change of use without a new connection (suspension, rename, closure ...) is carried out."""

    change_note = long_text("办理结果", "What was done")
    effective_at = past_moment("生效时间", "Effective from")


register_form("power_application.callback", "回访", "Callback")(CallbackSurvey)
