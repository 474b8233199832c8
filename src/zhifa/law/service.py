"""Service of documents (送达): the methods, what each needs, and the date each counts as served.

行政处罚法第六十一条 applies the 民事诉讼法 to service (law.md §2 "《民事诉讼法》(2023) on service"):

- 当场交付: a decision announced (or made on the spot) with the party present is handed over there and then
  (行政处罚法第五十二条、第六十一条); the day it is handed over is the service date;
- 直接送达: the date the recipient signs on the 送达回证 is the service date (民诉法第八十七条); the recipient is the
  party, or an adult family member living with them, or for an organisation its legal representative, principal or
  the person who handles its mail (第八十八条);
- 留置送达: when the recipient refuses, a witness (有关基层组织或者所在单位的代表) or a photo/video record of the
  service (第八十九条; 音像记录 per 国办发〔2018〕118号, the agency's policy ``record.av_steps``);
- 电子送达: only with the party's consent on file (行政处罚法第六十一条第二款; 电子送达确认书); the date the document
  reaches the recipient's system is the service date (民诉法第九十条);
- 邮寄送达: the date of receipt on the return slip is the service date (第九十一条); the tracking number is kept;
- 公告送达: the reason is recorded; the document counts as served thirty days after publication (第九十五条).

Pure: plain values in, plain values out (dates, violations with citations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from .calendar import WorkCalendar
from .clocks import due
from .errors import Citation, RuleViolation

XZCFF = "《中华人民共和国行政处罚法》"
MSSSF = "《中华人民共和国民事诉讼法》"
ART_61 = Citation(XZCFF, "第六十一条",
                  "行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，七日内依照民事诉讼法送达")
ART_52 = Citation(XZCFF, "第五十二条",
                  "当场作出行政处罚决定的，应当填写预定格式、编有号码的行政处罚决定书，并当场交付当事人")
ART_61_2 = Citation(XZCFF, "第六十一条第二款", "当事人同意并签订确认书的，可以采用传真、电子邮件等方式送达")
MSS_87 = Citation(MSSSF, "第八十七条", "送达应当有送达回证，受送达人在送达回证上的签收日期为送达日期")
MSS_88 = Citation(MSSSF, "第八十八条", "受送达人本人不在的，交同住成年家属签收；法人或者其他组织由法定代表人、"
                                       "主要负责人或者负责收件的人签收")
MSS_89 = Citation(MSSSF, "第八十九条", "受送达人拒绝接收的，邀请有关基层组织或者所在单位的代表到场见证，"
                                       "或者采用拍照、录像等方式记录送达过程，即视为送达")
MSS_90 = Citation(MSSSF, "第九十条", "电子送达以送达信息到达受送达人特定系统的日期为送达日期")
MSS_91 = Citation(MSSSF, "第九十一条", "邮寄送达的，以回执上注明的收件日期为送达日期")
MSS_95 = Citation(MSSSF, "第九十五条", "受送达人下落不明，或者用其他方式无法送达的，公告送达，"
                                       "自发出公告之日起经过三十日即视为送达")

METHODS = MappingProxyType({
    "on_the_spot": "当场交付",
    "direct": "直接送达",
    "lodged": "留置送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "public_notice": "公告送达",
})
BASIS = MappingProxyType({
    "on_the_spot": (ART_52, ART_61),
    "direct": (MSS_87, MSS_88),
    "lodged": (MSS_89,),
    "post": (MSS_91,),
    "electronic": (ART_61_2, MSS_90),
    "public_notice": (MSS_95,),
})
# What the date field means for each method (the form's label).
DATE_LABELS = MappingProxyType({
    "on_the_spot": "当场交付日期",
    "direct": "签收日期",
    "lodged": "留置日期",
    "post": "回执上的收件日期",
    "electronic": "到达受送达人系统的日期",
    "public_notice": "公告发出日期",
})


@dataclass(frozen=True)
class Service:
    """One service as the officer records it (every text stripped; '' when not given)."""

    method: str
    on: date  # the date of the act: signed, lodged, received on the slip, arrived, published
    recipient: str = ""
    recipient_relation: str = ""  # 本人, 同住成年家属, 法定代表人 …
    witness: str = ""
    av_recorded: bool = False  # a photo/video of the service is attached
    av_reason: str = ""  # the written reason there is none (policy 留置送达 A/V)
    tracking_no: str = ""
    address: str = ""  # electronic address, postal address
    consent_on_file: bool = False  # 电子送达确认书 (or 送达地址确认书 with an electronic address) on the case
    reason: str = ""  # why 公告送达
    medium: str = ""  # where the notice was published


def served_on(s: Service, calendar: WorkCalendar) -> date:
    """The date the document counts as served: the act's own date, or for 公告送达 thirty days after publication
    (民事诉讼法第九十五条; the period counted as the clock ``public_notice_service``)."""
    if s.method == "public_notice":
        return due("public_notice_service", s.on, calendar).date
    return s.on


def _v(code: str, message: str, field: str, *basis: Citation) -> RuleViolation:
    return RuleViolation(code, message, field, list(basis))


def check(s: Service, *, issued_on: date | None, today: date, av_required: bool = False) -> list[RuleViolation]:
    """What is wrong with recording ``s`` for a document issued on ``issued_on``; ``av_required``: the agency's
    policy asks an 音像记录 (or the reason) of 留置送达."""
    if s.method not in METHODS:
        return [_v("service_method_unknown", "送达方式只能是：" + "、".join(METHODS.values()), "method", ART_61)]
    out: list[RuleViolation] = []
    basis = BASIS[s.method]
    if issued_on is not None and s.on < issued_on:
        out.append(_v("service_before_issue", f"{DATE_LABELS[s.method]}早于文书签发日期（{issued_on:%Y-%m-%d}），"
                      "文书签发后才能送达", "on", *basis))
    if s.on > today:
        out.append(_v("service_in_future", f"{DATE_LABELS[s.method]}不能晚于今天", "on", *basis))
    if s.method in ("on_the_spot", "direct", "lodged", "post", "electronic") and not s.recipient:
        out.append(_v("service_recipient_missing", "请写明受送达人（签收人）", "recipient", *basis))
    if s.method == "lodged":
        if not s.witness and not s.av_recorded:
            out.append(_v("service_lodged_proof", "留置送达须有见证人到场，或者以拍照、录像等方式记录送达过程",
                          "witness", MSS_89))
        elif av_required and not s.av_recorded and not s.av_reason:
            out.append(_v("service_lodged_av", "本机关规定留置送达应当音像记录；请附拍照、录像文件，"
                          "或写明未能录制的理由", "av_reason", MSS_89))
    if s.method == "post" and not s.tracking_no:
        out.append(_v("service_tracking_missing", "邮寄送达须写明邮件单号（以回执上注明的收件日期为送达日期）",
                      "tracking_no", MSS_91))
    if s.method == "electronic":
        if not s.consent_on_file:
            out.append(_v("service_consent_missing", "电子送达须当事人同意并签订确认书：本案尚无电子送达确认书",
                          "method", ART_61_2))
        if not s.address:
            out.append(_v("service_address_missing", "请写明电子送达地址", "address", ART_61_2))
    if s.method == "public_notice" and not s.reason:
        out.append(_v("service_notice_reason", "公告送达须写明原因（受送达人下落不明，或者用其他方式无法送达）和经过",
                      "reason", MSS_95))
    return out
