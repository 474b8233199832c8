"""The fields a document template may use (issue 6 §2; docs/documents.md lists them).

Every template is filled with one context, built from the case by :mod:`zhifa.documents.context`. Its shape is
fixed here: the top-level names, the attributes of each, and a sample value, so that

- an uploaded template is tried against the sample before it is accepted: a tag naming a field that does not
  exist (``{{ party.nmae }}``), a broken tag or a loop over a non-list is refused at upload, with the tag named;
- the documentation of the fields is generated from this table and cannot drift from it.

Every value is text (already formatted: dates as 2026年11月27日, money as 5,000.00 and 伍仟元整) or a list of
rows, so a template never formats anything itself. A value that the case does not have yet is an empty string,
never missing. The officer's own text for one document (违法事实, 笔录正文 …) is under ``f``: the fields each
document type asks for (:mod:`zhifa.documents.types`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class F:
    """One field: its name, Chinese label and a sample value (used to try templates and in the documentation)."""

    name: str
    label: str
    sample: Any


@dataclass(frozen=True)
class Group:
    """A top-level name: an object with attributes, or a list of rows (``rows=True``) with those attributes."""

    name: str
    label: str
    fields: tuple[F, ...]
    rows: bool = False


GROUPS: tuple[Group, ...] = (
    Group("agency", "执法主体", (
        F("name", "文书用名（执法主体全称）", "平舆县文化广电和旅游局"),
        F("short_name", "机关代字", "平文旅"),
        F("brigade", "执法队伍名称", "平舆县文化市场综合执法大队"),
        F("address", "地址", "河南省驻马店市平舆县清河大道 88 号"),
        F("phone", "联系电话", "0396-5012345"),
        F("supervision_phone", "监督电话", "12318"),
        F("head", "负责人姓名（局长）", "张华"),
        F("review_organ", "行政复议机关", "平舆县人民政府"),
        F("court", "管辖人民法院", "平舆县人民法院"),
        F("payment_bank", "罚款缴纳银行或渠道", "中国农业银行平舆县支行（或通过河南省非税收入电子缴款平台）"),
    )),
    Group("doc", "本文书", (
        F("title", "标题", "行政处罚决定书"),
        F("number", "文号（签发时编定；未编号的文书为空）", "平文旅罚〔2026〕12号"),
        F("date", "成文日期（中文）", "2026年11月27日"),
        F("date_upper", "成文日期（汉字数字，用于落款）", "二〇二六年十一月二十七日"),
        F("version", "版本（更正后为 2、3 …）", "1"),
        F("correction", "更正说明（更正版本才有）", ""),
        F("copy", "联次（送达回证、凭证等）", "第一联：存档"),
    )),
    Group("case", "案件", (
        F("reference", "案件编号", "平文旅案〔2026〕7号"),
        F("title", "案由", "擅自从事互联网上网服务经营活动"),
        F("procedure", "程序", "普通程序"),
        F("clue_source", "案件来源", "举报投诉"),
        F("clue_received_on", "案源登记日期", "2026年10月8日"),
        F("clue_note", "案源情况", "群众举报平舆县某网吧接纳未成年人。"),
        F("act_date", "违法行为发生日期", "2026年10月6日"),
        F("discovered_on", "发现违法行为日期", "2026年10月8日"),
        F("filed_on", "立案日期", "2026年10月9日"),
        F("decided_on", "决定日期", "2026年11月20日"),
        F("served_on", "决定书送达日期", "2026年11月22日"),
        F("notice_served_on", "事先告知书送达日期", "2026年11月10日"),
        F("closed_on", "结案日期", ""),
        F("archive_no", "档案号", ""),
        F("decision_kind", "处理决定", "给予行政处罚"),
        F("collective_discussion", "是否经集体讨论", "是"),
    )),
    Group("party", "当事人", (
        F("name", "姓名或名称", "平舆县星空网络会所"),
        F("kind", "类型", "个体工商户"),
        F("id_label", "证件名称", "统一社会信用代码"),
        F("id_number", "证件号码", "92411727MA9XXXXX1K"),
        F("representative_label", "负责人称谓", "经营者"),
        F("representative", "法定代表人、负责人或经营者", "李明"),
        F("address", "住所或地址", "平舆县建设路 12 号"),
        F("phone", "联系电话", "13800000000"),
        F("you", "正文对当事人的称呼（你 / 你单位）", "你单位"),
    )),
    Group("officers", "承办执法人员（每行一人）", (
        F("name", "姓名", "王军"),
        F("cert_no", "执法证号", "41172600101"),
        F("role", "主办或协办", "主办"),
    ), rows=True),
    Group("lead", "主办执法人员", (
        F("name", "姓名", "王军"),
        F("cert_no", "执法证号", "41172600101"),
    )),
    Group("items", "执法事项（每行一项）", (
        F("name", "事项名称", "对擅自从事互联网上网服务经营活动的处罚"),
        F("violated", "违反的规定", "《互联网上网服务营业场所管理条例》第七条"),
        F("basis", "处罚依据", "《互联网上网服务营业场所管理条例》第二十七条"),
    ), rows=True),
    Group("penalty", "处罚", (
        F("text", "处罚内容（一句话）", "警告，并处罚款人民币伍仟元整"),
        F("kinds", "处罚种类", "警告、罚款"),
        F("fine", "罚款（元，小写）", "5,000.00"),
        F("fine_upper", "罚款（大写）", "伍仟元整"),
        F("confiscation", "没收违法所得（元，小写）", ""),
        F("confiscation_upper", "没收违法所得（大写）", ""),
        F("total", "罚没款合计（元，小写）", "5,000.00"),
        F("total_upper", "罚没款合计（大写）", "伍仟元整"),
        F("other", "其他处罚内容", ""),
        F("basis", "处罚依据（条文）", "《互联网上网服务营业场所管理条例》第二十七条"),
        F("discretion", "裁量说明", "首次被查处，积极配合调查，依照裁量基准从轻处罚。"),
    )),
    Group("notice", "事先告知", (
        F("penalty_text", "拟作出的处罚", "警告，并处罚款人民币伍仟元整"),
        F("statement_days", "陈述、申辩期限（工作日，中文）", "五"),
        F("hearing_days", "要求听证期限（工作日，中文）", "五"),
        F("hearing_right", "是否有权要求听证", "是"),
    )),
    Group("hearing", "听证", (
        F("requested_on", "要求听证日期", "2026年11月11日"),
        F("date", "听证日期", "2026年11月25日"),
        F("place", "听证地点", "平舆县文化广电和旅游局三楼会议室"),
        F("host", "听证主持人", "赵平"),
        F("notice_on", "听证通知送达日期", "2026年11月14日"),
        F("held_on", "举行听证日期", ""),
    )),
    Group("payment", "缴纳", (
        F("days", "缴纳期限（日，中文）", "十五"),
        F("deadline", "缴纳期限届满日", "2026年12月7日"),
        F("deferred_until", "批准延期（分期）缴纳至", ""),
        F("surcharge", "加处罚款（元）", ""),
        F("paid_on", "缴纳日期", ""),
    )),
    Group("remedy", "救济", (
        F("review_days", "申请行政复议期限（中文）", "六十日"),
        F("suit_months", "提起行政诉讼期限（中文）", "六个月"),
        F("review_organ", "行政复议机关", "平舆县人民政府"),
        F("court", "人民法院", "平舆县人民法院"),
    )),
    Group("served", "所送达的文书（送达回证用）", (
        F("title", "文书名称", "行政处罚决定书"),
        F("number", "文号", "平文旅罚〔2026〕12号"),
        F("method", "送达方式", "直接送达"),
        F("place", "送达地点", "平舆县建设路 12 号"),
        F("recipient", "受送达人", "平舆县星空网络会所"),
        F("served_on", "送达日期", "2026年11月22日"),
    )),
    Group("documents", "本案文书（卷内目录用，每行一件）", (
        F("no", "顺序号", "1"),
        F("title", "题名", "立案审批表"),
        F("number", "文号", ""),
        F("date", "日期", "2026年10月9日"),
        F("pages", "页数", "1"),
        F("note", "备注", ""),
    ), rows=True),
    Group("evidence", "本案证据（每行一件）", (
        F("no", "序号", "1"),
        F("kind", "证据种类", "现场笔录"),
        F("description", "内容", "现场检查发现 3 名未成年人上网"),
        F("made_on", "形成日期", "2026年10月8日"),
    ), rows=True),
    Group("refs", "本案已签发文书的文号（引用前一文书时用）", (
        F("penalty_decision", "行政处罚决定书文号", "平文旅罚〔2026〕12号"),
        F("penalty_notice", "行政处罚事先告知书文号", "平文旅告〔2026〕9号"),
        F("hearing_notice", "听证通知书文号", ""),
        F("preservation_notice", "证据先行登记保存通知书文号", "平文旅先保〔2026〕3号"),
        F("seizure_decision", "查封（扣押）决定书文号", ""),
        F("deferral_notice", "延期（分期）缴纳罚款通知书文号", ""),
        F("performance_reminder", "行政处罚履行催告书文号", ""),
    )),
    Group("today", "今天", (
        F("date", "日期", "2026年11月27日"),
        F("date_upper", "日期（汉字数字）", "二〇二六年十一月二十七日"),
    )),
)

# The officer's own text for one document: name → label, per type (zhifa.documents.types); the rows kinds have
# these columns.
ROW_COLUMNS: dict[str, tuple[F, ...]] = {
    "goods": (F("name", "名称", "电脑主机"), F("spec", "规格型号", "联想 M720"), F("quantity", "数量", "3 台"),
              F("note", "备注", "")),
    "qa": (F("q", "问", "你的姓名、身份证号码和联系方式？"), F("a", "答", "李明，……，13800000000。")),
    "attendees": (F("name", "姓名", "张华"), F("position", "职务", "局长"), F("opinion", "意见", "同意承办人意见")),
    "samples": (F("name", "名称", "音像制品"), F("spec", "规格", "DVD"), F("quantity", "数量", "2 张"),
                F("note", "备注", "")),
    "instalments": (F("due", "缴纳期限", "2026年12月31日"), F("amount", "金额（元）", "2,500.00")),
}

LABELS: dict[str, str] = {g.name: g.label for g in GROUPS} | {"f": "本文书的填写内容（每种文书不同，见下表）"}


def sample() -> dict[str, Any]:
    """The sample context: every field with its sample value (lists with two rows)."""
    out: dict[str, Any] = {}
    for g in GROUPS:
        row = {f.name: f.sample for f in g.fields}
        out[g.name] = [row, dict(row)] if g.rows else row
    return out


def empty() -> dict[str, Any]:
    """Every field present and empty: a context never lacks a name the templates may use."""
    return {g.name: ([] if g.rows else {f.name: "" for f in g.fields}) for g in GROUPS}


def markdown() -> str:
    """The field reference of docs/documents.md (a test keeps the page equal to this)."""
    from .types import KINDS, SPECS

    lines = ["| 标签 | 内容 | 示例 |", "|---|---|---|"]
    for g in GROUPS:
        lines.append(f"| **`{g.name}`**{'（多行：`{%tr for o in ' + g.name + ' %}`）' if g.rows else ''} | "
                     f"**{g.label}** | |")
        for f in g.fields:
            tag = f"{{{{ o.{f.name} }}}}" if g.rows else f"{{{{ {g.name}.{f.name} }}}}"
            lines.append(f"| `{tag}` | {f.label} | {f.sample or '（空）'} |")
    lines += ["", "每种文书另行填写的内容（`f.`）：", "", "| 文书 | 字段 |", "|---|---|"]
    for s in SPECS.values():
        parts = []
        for i in s.inputs:
            extra = "，必填" if i.required else ""
            if i.kind == "rows":
                cols = "、".join(f"`{c.name}` {c.label}" for c in ROW_COLUMNS[i.columns])
                parts.append(f"`f.{i.name}`（{i.label}；{KINDS[i.kind]}，每行：{cols}{extra}）")
            else:
                parts.append(f"`f.{i.name}`（{i.label}；{KINDS[i.kind]}{extra}）")
        lines.append(f"| {s.name}（`{s.code}`） | {'；'.join(parts) or '—'} |")
    return "\n".join(lines) + "\n"
