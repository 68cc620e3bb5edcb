"""The domain's plain data: service items, applicants, cases, materials, receipts and ratings.

State names and codes follow DOMAIN.md. Everything here is immutable data; rules live in sibling modules
(validation, masking, case numbers, working days) and storage in `offline_cache`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class CaseState(StrEnum):
    """Intake flow states (DOMAIN.md "Intake (收件) flow and states")."""

    DRAFT = "draft"  # autosaved, local only
    RECEIVED = "received"  # 收件: case number assigned
    REFUSED = "refused"  # 不予收件 at the counter, with reason
    FORWARDED = "forwarded"  # sent to the department (platform acknowledged)
    ACCEPTED = "accepted"  # 受理
    REJECTED = "rejected"  # 不予受理, with reason
    SUPPLEMENT = "supplement"  # 补正
    COMPLETED = "completed"  # 办结
    DELIVERED = "delivered"  # result mailed or picked up


#: States the terminal itself creates; the rest arrive from the platform's updates feed.
TERMINAL_CASE_STATES = frozenset({CaseState.DRAFT, CaseState.RECEIVED, CaseState.REFUSED})


class ItemKind(StrEnum):
    LICENSING = "licensing"  # 行政许可
    CONFIRMATION = "confirmation"  # 行政确认
    PAYMENT = "payment"  # 行政给付
    PUBLIC_SERVICE = "public_service"  # 公共服务
    OTHER = "other"  # 其他行政权力


class DeliveryMethod(StrEnum):
    WINDOW_PICKUP = "window_pickup"  # 窗口领取 at the receiving hall
    MAIL = "mail"  # 邮寄送达
    E_LICENCE = "e_licence"  # 电子证照


class OriginalsHandling(StrEnum):
    ELECTRONIC_ONLY = "electronic_only"  # scans only; originals returned to the citizen
    MAIL_ORIGINALS = "mail_originals"  # originals mailed to the department (邮寄跑腿), tracking number later


class MaterialForm(StrEnum):
    ORIGINAL = "original"  # 原件
    COPY = "copy"  # 复印件
    ORIGINAL_AND_COPY = "original_and_copy"  # 原件及复印件
    ELECTRONIC = "electronic"  # 电子材料


class MaterialStatus(StrEnum):
    """What the clerk recorded for one required material."""

    ORIGINAL = "original"  # 收原件
    COPY = "copy"  # 收复印件
    MISSING = "missing"  # 缺
    NOT_APPLICABLE = "not_applicable"  # conditional material whose condition does not apply
    E_LICENCE = "e_licence"  # 电子证照已调取: satisfied by an electronic licence, no paper and no scan


#: Electronic licence types (电子证照) the platform's library holds; a catalogue material may name one that can
#: replace it (`MaterialRequirement.licence_type`). 营业执照 is held by an enterprise, the others by a person.
LICENCE_TYPES = ("居民身份证", "居民户口簿", "结婚证", "不动产权证书", "营业执照", "出生医学证明")


class ApplicantKind(StrEnum):
    PERSON = "person"
    ENTERPRISE = "enterprise"


class RatingLevel(IntEnum):
    """好差评 levels, codes 5..1 (DOMAIN.md)."""

    VERY_SATISFIED = 5  # 非常满意
    SATISFIED = 4  # 满意
    BASICALLY_SATISFIED = 3  # 基本满意
    DISSATISFIED = 2  # 不满意
    VERY_DISSATISFIED = 1  # 非常不满意

    @property
    def is_good(self) -> bool:
        """好评 = 5 and 4."""
        return self >= RatingLevel.SATISFIED

    @property
    def is_bad(self) -> bool:
        """差评 = 2 and 1."""
        return self <= RatingLevel.DISSATISFIED

    @property
    def needs_reasons(self) -> bool:
        """A rating of 3 or lower asks for reasons (product decision)."""
        return self <= RatingLevel.BASICALLY_SATISFIED


RATING_LABELS: dict[RatingLevel, str] = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASICALLY_SATISFIED: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}

#: Reasons offered for a rating of 3 or lower (DOMAIN.md, product decision).
RATING_REASONS: tuple[str, ...] = (
    "办事指南不清楚",
    "材料要求多、重复提交",
    "等候时间长",
    "办理超时",
    "多次跑动",
    "工作人员态度不好",
    "工作人员业务不熟",
    "系统故障",
    "收费不合理",
    "其他",
)

#: Tags a rating of 4-5 may carry.
RATING_TAGS: tuple[str, ...] = ("服务热情", "办事高效", "指南清晰", "一次办成")


class RatingChannel(StrEnum):
    COUNTER_DEVICE = "counter_device"  # 评价器
    KIOSK = "kiosk"
    RECEIPT_QR = "receipt_qr"
    PORTAL = "portal"
    SMS = "sms"
    HOTLINE = "hotline"


class RatingOutcome(StrEnum):
    RATED = "rated"
    UNRATED = "unrated"  # 未评价: no answer within the timeout; never a default good rating


class FollowUpState(StrEnum):
    """差评 follow-up on the platform (DOMAIN.md)."""

    NEW = "new"
    ASSIGNED = "assigned"
    CALLED_BACK = "called_back"  # 回访
    RECTIFIED = "rectified"  # 整改
    FED_BACK = "fed_back"  # 反馈
    APPEALED = "appealed"  # 申诉复核


class ReceiptKind(StrEnum):
    INTAKE_RECEIPT = "intake_receipt"  # 收件回执
    ONE_TIME_NOTICE = "one_time_notice"  # 一次性告知书
    REFUSAL_NOTICE = "refusal_notice"  # 不予收件告知书 (a refused case gets this instead of a 收件回执)
    GUIDE_LIST = "guide_list"  # 一次性告知单 of the 向导式 guide: the materials for a situation, before any case


class ReceiptOutput(StrEnum):
    THERMAL = "thermal"  # ESC/POS
    PRINTER = "printer"  # system printer, A4
    PDF = "pdf"


# --- catalogue ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """When a conditional material applies: the answer to one scenario (情形) question is one of `answers`."""

    question_id: str
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScenarioQuestion:
    """A 情形 question such as 本人办理还是代办? with its possible answers.

    `condition` (None: always asked) makes it a follow-up: asked only when an earlier question was answered with
    one of the condition's answers (是否有抵押 → 是 → 抵押权人是否同意转移?). The catalogue validator checks that it
    names an earlier question and one of its options, so every question can be reached in order.
    """

    id: str
    text: str
    options: tuple[str, ...]
    condition: Condition | None = None


@dataclass(frozen=True, slots=True)
class MaterialRequirement:
    code: str
    name: str
    form: MaterialForm
    copies: int = 1
    required: bool = True
    #: For a conditional material: the condition in words (always) and as data (when it maps to a question).
    condition_text: str | None = None
    condition: Condition | None = None
    #: The electronic licence type (one of LICENCE_TYPES) that can stand in for this material; None: none can.
    licence_type: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceItem:
    code: str
    name: str
    category: str  # 社保, 医保, 公积金, 不动产, 户籍, 市场主体登记, 民政, 交通 ...
    department: str  # approving department
    jurisdiction: str  # division code of the approving jurisdiction, 6 digits
    kind: ItemKind
    immediate: bool  # 即办件
    promised_days: int  # 承诺时限, working days; 0 for an immediate item
    legal_days: int  # 法定时限, working days
    fee_fen: int  # fee in fen (integers only on the wire)
    materials: tuple[MaterialRequirement, ...]
    delivery_methods: tuple[DeliveryMethod, ...]
    citywide: bool = True  # 全市通办
    kiosk_allowed: bool = False
    originals_required: bool = False  # originals must travel to the department
    questions: tuple[ScenarioQuestion, ...] = ()
    fee_note: str = ""
    guide: str = ""  # short guide text shown beside the item
    #: 一次性告知书: working days the applicant has to bring missing materials (None: the item sets no deadline),
    #: what happens when the deadline passes, and the legal basis of the notice when the item names one.
    supplement_days: int | None = None
    supplement_after: str = ""
    legal_basis: str = ""


@dataclass(frozen=True, slots=True)
class BundleMember:
    """One item of a 一件事 bundle; `condition` (None: always) names a bundle question that chooses it."""

    item_code: str
    condition: Condition | None = None


@dataclass(frozen=True, slots=True)
class SharedMaterial:
    """A document collected once for a bundle and counted for each member material it `covers`
    ((item code, material code) pairs)."""

    code: str
    name: str
    form: MaterialForm
    covers: tuple[tuple[str, str], ...]
    copies: int = 1


@dataclass(frozen=True, slots=True)
class Bundle:
    """一件事一次办: several items from several departments taken in as one matter (DOMAIN.md)."""

    code: str
    name: str
    members: tuple[BundleMember, ...]
    questions: tuple[ScenarioQuestion, ...] = ()
    shared_materials: tuple[SharedMaterial, ...] = ()
    guide: str = ""


# --- people -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonApplicant:
    name: str
    id_number: str
    phone: str
    address: str = ""
    kind: ApplicantKind = field(default=ApplicantKind.PERSON, init=False)


@dataclass(frozen=True, slots=True)
class EnterpriseApplicant:
    name: str
    credit_code: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    address: str = ""
    kind: ApplicantKind = field(default=ApplicantKind.ENTERPRISE, init=False)


Applicant = PersonApplicant | EnterpriseApplicant


@dataclass(frozen=True, slots=True)
class Agent:
    """代办人: someone applying on the applicant's behalf."""

    name: str
    id_number: str
    phone: str


# --- cases --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    """A scan stored content-addressed beside the database."""

    sha256: str
    filename: str
    media_type: str
    size: int


@dataclass(frozen=True, slots=True)
class ReceivedMaterial:
    requirement_code: str
    name: str
    status: MaterialStatus
    count: int = 0
    note: str = ""  # why missing/defective, for the 一次性告知书
    attachments: tuple[Attachment, ...] = ()
    licence_no: str = ""  # the electronic licence's number when status is E_LICENCE


@dataclass(frozen=True, slots=True)
class ResultDelivery:
    method: DeliveryMethod
    address: str = ""  # mailing address when method is MAIL
    postcode: str = ""
    recipient_phone: str = ""


@dataclass(frozen=True, slots=True)
class Routing:
    """收受分离: who received the case and who decides it."""

    division: str
    hall: str
    window: str
    terminal: str
    staff_no: str
    department: str
    jurisdiction: str
    originals: OriginalsHandling = OriginalsHandling.ELECTRONIC_ONLY
    tracking_no: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    record_id: str  # UUID, the sync idempotency key
    case_no: str  # 26 digits, see case_number.py
    item_code: str
    item_name: str
    state: CaseState
    applicant: Applicant
    routing: Routing
    delivery: ResultDelivery
    materials: tuple[ReceivedMaterial, ...] = ()
    agent: Agent | None = None
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    expected_date: dt.date | None = None
    expected_is_estimate: bool = False  # due date fell in a year the holiday table does not know
    refusal_reason: str = ""
    bundle_id: str | None = None  # 一件事一次办: cases of one bundle share this id
    platform_case_no: str | None = None  # the provincial platform's own number, stored beside ours

    @property
    def missing_materials(self) -> tuple[ReceivedMaterial, ...]:
        return tuple(m for m in self.materials if m.status is MaterialStatus.MISSING)


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    """One print or reprint of a receipt; synced as a `receipt` record."""

    record_id: str
    case_no: str
    kind: ReceiptKind
    output: ReceiptOutput
    staff_no: str
    printed_at: dt.datetime
    reprint: bool = False
    success: bool = True
    error: str = ""


@dataclass(frozen=True, slots=True)
class Rating:
    """One 好差评 rating with DOMAIN.md's upload fields (no personal data)."""

    rating_id: str
    service_act_id: str
    case_no: str | None  # None for a consultation
    item_code: str | None
    division: str
    hall: str
    window: str
    staff_no: str
    terminal: str
    channel: RatingChannel
    outcome: RatingOutcome
    level: RatingLevel | None  # None when unrated
    requested_at: dt.datetime
    rated_at: dt.datetime | None = None
    reasons: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    text: str = ""
    callback_consent: bool = False


# --- 帮办 of online filing (issue 18) ------------------------------------------------------------------------


class AssistOutcome(StrEnum):
    SUBMITTED = "submitted"  # filed on the online portal: counts toward 网上实办率
    INCOMPLETE = "incomplete"  # started with the clerk, not yet submitted
    FAILED = "failed"  # the portal refused or failed


@dataclass(frozen=True, slots=True)
class OnlineAssist:
    """A clerk helped a citizen file on the online portal instead of taking paper. No personal data beyond the
    masked applicant (name and number masked as on a receipt)."""

    record_id: str  # UUID: the sync key, and the service act a rating of this help refers to
    item_code: str
    item_name: str
    portal_app_no: str
    applicant_masked: str
    outcome: AssistOutcome
    division: str
    hall: str
    window: str
    terminal: str
    staff_no: str
    assisted_at: dt.datetime
