"""The document types (执法文书种类) as data (issue 6 §1; law.md §3.5).

Each type says what it is (its code in the procedure table, :data:`zhifa.law.procedure.DOCUMENT_LABELS`), which
case steps require it (read from the procedure table, never written twice), its layout, who signs it, whether the
party signs and whether it must be served (送达), and the text the officer writes for it (``fields``: each a name
under ``f`` in the template, a label, a kind and whether the document may be issued without it).

The numbering rule is the agency's policy ``documents.number_series`` (:mod:`zhifa.documents.numbering`): a type
listed there takes a 文号 when issued. The defaults below are seeded into :class:`DocumentType` rows, which an
administrator may adjust (name, signer, party signature, service) without touching code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from zhifa.law import procedure as proc

LAYOUTS = MappingProxyType({
    "letter": "决定书、通知书类（机关名称、标题、文号、正文、落款、印章）",
    "record": "笔录类（时间、地点、人员、正文、逐页签名）",
    "form": "审批表、报告类（表格，承办人、审核人、负责人意见）",
    "receipt": "送达回证、凭证类",
    "list": "清单类",
    "cover": "卷宗封面和卷内目录",
})
SIGNERS = MappingProxyType({
    "agency": "加盖执法主体印章",
    "head": "负责人签批",
    "reviewer": "法制审核人员签名",
    "officers": "执法人员签名",
    "host": "听证主持人签名",
    "clerk": "立卷人签名",
})
KINDS = MappingProxyType({"text": "单行文字", "longtext": "多行文字", "date": "日期", "rows": "表格（多行）"})


@dataclass(frozen=True)
class Input:
    """A piece of text the officer writes for a document: ``{{ f.<name> }}`` in its template."""

    name: str
    label: str
    kind: str = "longtext"
    required: bool = True
    columns: str = ""  # for rows: the key of zhifa.documents.fields.ROW_COLUMNS


@dataclass(frozen=True)
class Spec:
    code: str
    layout: str
    signer: str
    party_signs: bool = False
    must_serve: bool = False
    inputs: tuple[Input, ...] = field(default=())

    @property
    def name(self) -> str:
        return proc.DOCUMENT_LABELS[self.code]


FACTS = Input("facts", "违法事实")
EVIDENCE = Input("evidence", "证据", required=False)
OPINION = Input("opinion", "承办人意见")
PLACE = Input("place", "地点", "text")
START = Input("start", "开始时间", "text")
END = Input("end", "结束时间", "text")
CONTENT = Input("content", "正文（笔录内容）")
GOODS = Input("goods", "物品", "rows", columns="goods")
REASON = Input("reason", "理由")


def _specs() -> tuple[Spec, ...]:
    S = Spec
    return (
        # 案源、立案
        S("complaint_form", "form", "head", inputs=(Input("reporter", "举报人", "text", False),
                                                  Input("contact", "联系方式", "text", False),
                                                  Input("content", "举报内容"), OPINION)),
        S("clue_registration_form", "form", "head", inputs=(Input("content", "案源情况"), OPINION)),
        S("filing_approval_form", "form", "head", inputs=(Input("summary", "简要案情"), OPINION)),
        S("not_filing_approval_form", "form", "head", inputs=(Input("summary", "简要案情"), REASON, OPINION)),
        S("case_transfer_form", "form", "head", inputs=(Input("receiver", "接收机关", "text"), REASON)),
        # 调查取证
        S("inspection_record", "record", "officers", party_signs=True,
          inputs=(START, END, PLACE, Input("present", "现场负责人或见证人", "text", False), CONTENT)),
        S("interview_notice", "letter", "agency", must_serve=True,
          inputs=(Input("when", "接受询问的时间", "text"), PLACE, Input("bring", "需携带的材料", required=False))),
        S("interview_record", "record", "officers", party_signs=True,
          inputs=(START, END, PLACE, Input("interviewee", "被询问人", "text"),
                  Input("interviewee_id", "被询问人身份证件号码", "text", False),
                  Input("qa", "问答", "rows", columns="qa"))),
        S("preservation_notice", "letter", "agency", party_signs=True, must_serve=True, inputs=(
            Input("reason", "先行登记保存的理由"), Input("keep_place", "保存地点", "text"), GOODS)),
        S("preservation_handling_notice", "letter", "agency", must_serve=True, inputs=(
            Input("handling", "处理决定"),)),
        S("sampling_receipt", "receipt", "officers", party_signs=True, inputs=(
            PLACE, Input("samples", "抽样物品", "rows", columns="samples"))),
        S("seizure_decision", "letter", "agency", must_serve=True, inputs=(
            FACTS, Input("measure", "措施（查封或扣押）", "text"), Input("basis", "法律依据"),
            Input("keep_place", "查封、扣押的场所或存放地点", "text"), Input("term", "期限", "text"))),
        S("item_list", "list", "officers", party_signs=True, inputs=(GOODS,)),
        S("seizure_extension_notice", "letter", "agency", must_serve=True, inputs=(
            REASON, Input("until", "延长至", "text"))),
        S("seizure_handling_notice", "letter", "agency", must_serve=True, inputs=(Input("handling", "处理决定"),)),
        S("seizure_release_decision", "letter", "agency", must_serve=True, inputs=(REASON, GOODS)),
        S("appraisal_report", "form", "officers", inputs=(Input("organ", "检测、鉴定机构", "text"),
                                                         Input("conclusion", "检测、鉴定结论"))),
        S("correction_order", "letter", "agency", must_serve=True, inputs=(
            FACTS, Input("requirement", "责令改正的内容"), Input("deadline", "改正期限", "text"))),
        S("approval_form", "form", "head", inputs=(Input("matter", "审批事项", "text"), REASON, OPINION)),
        S("recusal_record", "form", "head", inputs=(Input("applicant", "申请人", "text"), REASON,
                                                   Input("decision", "决定"))),
        S("criminal_transfer_letter", "letter", "agency", inputs=(
            Input("receiver", "受移送的公安机关", "text"), FACTS, Input("grounds", "涉嫌犯罪的理由"),
            Input("attachments", "附送材料", required=False))),
        # 调查终结、审核、讨论
        S("investigation_report", "form", "officers", inputs=(FACTS, EVIDENCE, Input("analysis", "定性和处理意见"))),
        S("investigation_closing_form", "form", "head", inputs=(FACTS, OPINION)),
        S("legal_review_opinion", "form", "reviewer", inputs=(Input("review", "审核情况"),
                                                             Input("conclusion", "审核意见"))),
        S("collective_discussion_record", "record", "head", inputs=(
            Input("when", "时间", "text"), PLACE, Input("host", "主持人", "text"),
            Input("attendees", "出席人员及意见", "rows", columns="attendees"),
            Input("conclusion", "讨论决定"))),
        # 告知、陈述申辩、听证
        S("penalty_notice", "letter", "agency", must_serve=True, inputs=(FACTS, EVIDENCE)),
        S("hearing_rights_notice", "letter", "agency", must_serve=True, inputs=(FACTS,)),
        S("statement_record", "record", "officers", party_signs=True, inputs=(
            START, PLACE, Input("statement", "陈述、申辩内容"))),
        S("statement_review_form", "form", "head", inputs=(Input("statement", "当事人陈述、申辩意见"),
                                                          Input("review", "复核意见"))),
        S("hearing_notice", "letter", "agency", must_serve=True, inputs=(
            Input("when", "听证时间", "text"), Input("host_name", "听证主持人", "text", False))),
        S("hearing_refusal_notice", "letter", "agency", must_serve=True, inputs=(REASON,)),
        S("hearing_record", "record", "host", party_signs=True, inputs=(
            START, END, Input("participants", "听证参加人"), CONTENT)),
        S("hearing_report", "form", "host", inputs=(Input("summary", "听证情况"), Input("conclusion", "处理意见"))),
        # 决定
        S("penalty_decision", "letter", "agency", must_serve=True, inputs=(FACTS, EVIDENCE, Input(
            "statement", "当事人陈述、申辩或者听证情况及采纳情况", required=False))),
        S("no_penalty_decision", "letter", "agency", must_serve=True, inputs=(FACTS, REASON)),
        S("on_the_spot_decision", "letter", "agency", party_signs=True, must_serve=True, inputs=(FACTS, PLACE)),
        # 送达
        S("service_address_confirmation", "form", "officers", party_signs=True, inputs=(
            Input("address", "送达地址", "text"), Input("recipient", "代收人", "text", False),
            Input("electronic", "电子送达地址（同意电子送达时填写）", "text", False))),
        S("electronic_service_consent", "form", "officers", party_signs=True, inputs=(
            Input("address", "电子送达地址", "text"), Input("scope", "同意电子送达的文书范围", "text"))),
        S("service_receipt", "receipt", "officers", party_signs=True),
        S("service_public_notice", "letter", "agency", inputs=(REASON, Input("medium", "公告方式", "text"))),
        # 执行
        S("deferral_application", "form", "officers", party_signs=True, inputs=(REASON,)),
        S("deferral_approval_form", "form", "head", inputs=(REASON, OPINION)),
        S("deferral_notice", "letter", "agency", must_serve=True, inputs=(
            Input("instalments", "缴纳安排", "rows", columns="instalments"),)),
        S("performance_reminder", "letter", "agency", must_serve=True, inputs=(
            Input("deadline", "履行期限", "text"),)),
        S("enforcement_application", "letter", "agency", inputs=(
            Input("performance", "当事人履行情况"), Input("request", "申请事项"))),
        # 结案、调解、归档
        S("case_closing_report", "form", "head", inputs=(Input("execution", "执行情况"), OPINION)),
        S("mediation_guidance", "letter", "agency", must_serve=True, inputs=(
            Input("matter", "可以调解的事项"), Input("contact", "调解联系人和方式", "text", False))),
        S("case_file_index", "cover", "clerk", inputs=(Input("keeper", "立卷人", "text", False),
                                                      Input("retention", "保管期限", "text", False))),
    )


SPECS: Mapping[str, Spec] = MappingProxyType({s.code: s for s in _specs()})


def steps_requiring(code: str) -> tuple[str, ...]:
    """The actions whose row requires ``code`` (the procedure table, both procedures)."""
    seen: dict[str, None] = {}
    for t in proc.TABLE:
        if code in t.documents:
            seen[str(t.action)] = None
    for _source, doc in proc.CLUE_DOCUMENTS.items():
        if doc == code:
            seen[str(proc.Action.REGISTER_CLUE)] = None
    return tuple(seen)
