"""Word templates (issue 6 §2, §3): the built-in template of every document type, filling a template
(zhifa.documents.render.render_docx) and refusing a broken upload (check_template) with the tag named."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from jinja2.sandbox import SecurityError

from zhifa.documents import fields
from zhifa.documents.render import Problem, check_template, render_docx, sample_context, sample_inputs
from zhifa.documents.types import SPECS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "zhifa" / "documents" / "templates_docx"
CODES = sorted(SPECS)
NUMBERED = {
    "penalty_decision", "no_penalty_decision", "penalty_notice", "hearing_rights_notice", "hearing_notice",
    "hearing_refusal_notice", "correction_order", "preservation_notice", "seizure_decision", "seizure_release_decision",
    "seizure_extension_notice", "deferral_notice", "performance_reminder", "enforcement_application",
    "criminal_transfer_letter",
}
MONEY = {"penalty_decision", "on_the_spot_decision", "penalty_notice", "hearing_rights_notice", "deferral_notice",
         "performance_reminder", "enforcement_application", "case_closing_report"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def template(code: str) -> bytes:
    return (TEMPLATES / f"{code}.docx").read_bytes()


def make(*paragraphs: str, rows: list[list[str]] | None = None) -> bytes:
    """A .docx with these paragraphs (one run each) and optionally a table."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=0, cols=len(rows[0]))
        for values in rows:
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def part(data: bytes, name: str = "word/document.xml") -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def text(data: bytes) -> str:
    """All the text of a document, table cells included, line breaks as newlines."""
    root = docx.Document(io.BytesIO(data)).element.body
    out = []
    for p in root.iter(f"{W}p"):
        out.append("".join(e.text or "" if e.tag == f"{W}t" else "\n" for e in p.iter(f"{W}t", f"{W}br")))
    return "\n".join(out)


def messages(problems: list[Problem]) -> str:
    return "\n".join(p.message for p in problems)


def empty_context(code: str) -> dict:
    context = fields.empty()
    context["f"] = {i.name: [] if i.kind == "rows" else "" for i in SPECS[code].inputs}
    return context


# ---------------------------------------------------------------------------------------------------------------
# The built-in templates


def test_one_template_per_document_type():
    assert {p.stem for p in TEMPLATES.glob("*.docx")} == set(SPECS)


@pytest.mark.parametrize("code", CODES)
def test_builtin_template_passes_the_upload_check(code):
    assert check_template(template(code), code) == []


@pytest.mark.parametrize("code", CODES)
def test_builtin_template_renders_the_sample(code):
    out = render_docx(template(code), sample_context(code))
    xml, plain = part(out), text(out)
    assert "平舆县星空网络会所" in plain
    assert "平舆县文化广电和旅游局" in plain
    title = "卷内目录" if code == "case_file_index" else SPECS[code].name
    assert title in plain
    assert "{{" not in xml and "{%" not in xml, "a tag was left in the document"
    if code == "penalty_decision":
        assert "平文旅罚〔2026〕12号" in plain
        assert "伍仟元整" in plain
        assert "5,000.00" in plain
        assert "百分之三" in plain and "第七十二条" in plain
        assert "平舆县人民政府" in plain and "平舆县人民法院" in plain and "六十日" in plain and "六个月" in plain
    if code in MONEY:
        assert "伍仟元整" in plain and "5,000.00" in plain


@pytest.mark.parametrize("code", CODES)
def test_builtin_template_renders_a_context_with_nothing_filled_in(code):
    """A case that lacks a value gives an empty string and an empty list, never a failure."""
    out = render_docx(template(code), empty_context(code))
    assert "{{" not in part(out)


@pytest.mark.parametrize("code", CODES)
def test_builtin_template_uses_the_fields_it_must(code):
    source = text(template(code))
    assert "{{ party.name }}" in source
    assert "{{ doc.title }}" in source or code == "case_file_index"
    if SPECS[code].layout == "letter" or code in NUMBERED:
        assert "{%p if doc.number %}" in source and "{{ doc.number }}" in source
    if code in MONEY:
        assert "{{ penalty.fine }}" in source and "{{ penalty.fine_upper }}" in source
    for name in ("facts", "content", "qa", "goods", "samples", "instalments", "attendees"):
        if name in {i.name for i in SPECS[code].inputs}:
            assert f"f.{name}" in source, f"{code} does not show f.{name}"


@pytest.mark.parametrize("code", CODES)
def test_every_tag_is_in_one_run(code):
    """Word/WPS keep a run's text together; a tag split over runs would survive only by docxtpl's repair."""
    document = docx.Document(io.BytesIO(template(code)))
    for p in document.element.iter(f"{W}p"):
        for r in p.iter(f"{W}r"):
            run_text = "".join(t.text or "" for t in r.iter(f"{W}t"))
            assert run_text.count("{{") == run_text.count("}}"), run_text
            assert run_text.count("{%") == run_text.count("%}"), run_text


@pytest.mark.parametrize("code", CODES)
def test_page_is_a4_with_gbt9704_margins(code):
    section = docx.Document(io.BytesIO(template(code))).sections[0]
    for value, mm in ((section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                      (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)):
        assert abs(value - Mm(mm)) < Mm(0.1), (value.mm, mm)


def _font(style, attr: str = "eastAsia") -> str | None:
    rpr = style.element.rPr
    return rpr.rFonts.get(qn(f"w:{attr}")) if rpr is not None and rpr.rFonts is not None else None


@pytest.mark.parametrize("code", CODES)
def test_fonts_and_line_spacing(code):
    document = docx.Document(io.BytesIO(template(code)))
    normal = document.styles["Normal"]
    assert _font(normal) == "仿宋_GB2312" and _font(normal, "ascii") == "仿宋_GB2312"
    assert _font(normal, "hAnsi") == "仿宋_GB2312"
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= normal.paragraph_format.line_spacing <= Pt(29)

    by_text = {p.text: p for p in document.paragraphs}
    title = by_text.get("{{ doc.title }}") or by_text["卷内目录"]
    assert _font(title.style) == "方正小标宋简体" and title.style.font.size == Pt(22)
    assert title.alignment is None and title.style.paragraph_format.alignment == 1  # centred by its style
    # the first: the seal block ends in the agency's name too
    agency = next(p for p in document.paragraphs if p.text == "{{ agency.name }}")
    assert _font(agency.style) == "方正小标宋简体"

    body = [p for p in document.paragraphs if p.style.name == "文书正文"]
    if SPECS[code].layout in ("letter", "record"):
        assert body, "letters and records have body paragraphs"
        style = body[0].style
        assert _font(style) in (None, "仿宋_GB2312") and style.font.size == Pt(16)
        ind = style.element.pPr.ind
        assert ind.get(qn("w:firstLineChars")) == "200"


@pytest.mark.parametrize("code", CODES)
def test_page_numbers_in_the_footer(code):
    data = template(code)
    names = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/footer")]
    footers = [part(data, n) for n in names]
    numbered = [f for f in footers if "PAGE" in f]
    assert len(numbered) == 2  # odd pages right, even pages left
    for footer in numbered:
        assert "— " in footer and " —" in footer
        assert 'w:val="zfPageNumber"' in footer
    styles = docx.Document(io.BytesIO(data)).styles
    assert _font(styles["页码"]) == "宋体" and styles["页码"].font.size == Pt(14)
    if SPECS[code].layout == "record" and SPECS[code].party_signs:
        signer = {"interview_record": "被询问人签名"}.get(code, "当事人")
        assert all(signer in f for f in numbered)


def test_letters_end_with_seal_and_date():
    plain = text(template("penalty_decision"))
    # room for the physical seal over the agency's name, which is printed alone (no "（印章）")
    assert "\n\n\n{{ agency.name }}\n{{ doc.date }}" in plain
    for code in CODES:
        assert "（印章）" not in text(template(code)), code
    assert "当事人签收" in text(template("preservation_notice"))


def test_the_party_is_addressed_as_you_or_your_unit():
    for code in CODES:
        assert "你（单位）" not in text(template(code)), code
    context = sample_context("penalty_decision")
    assert "你单位涉嫌" in text(render_docx(template("penalty_decision"), context))
    context["party"] = {**context["party"], "you": "你"}
    plain = text(render_docx(template("penalty_decision"), context))
    assert "你涉嫌" in plain and "你单位" not in plain


@pytest.mark.parametrize(("code", "ref", "number"), [
    ("deferral_notice", "penalty_decision", "平文旅罚〔2026〕12号"),
    ("performance_reminder", "penalty_decision", "平文旅罚〔2026〕12号"),
    ("enforcement_application", "penalty_decision", "平文旅罚〔2026〕12号"),
    ("case_closing_report", "penalty_decision", "平文旅罚〔2026〕12号"),
    ("penalty_decision", "penalty_notice", "平文旅告〔2026〕9号"),
    ("preservation_handling_notice", "preservation_notice", "平文旅先保〔2026〕3号"),
    ("seizure_extension_notice", "seizure_decision", "平文旅扣〔2026〕2号"),
    ("seizure_handling_notice", "seizure_decision", "平文旅扣〔2026〕2号"),
    ("seizure_release_decision", "seizure_decision", "平文旅扣〔2026〕2号"),
])
def test_a_later_document_quotes_the_number_of_the_earlier_one(code, ref, number):
    context = sample_context(code)
    context["refs"] = {**context["refs"], ref: number}
    context["doc"] = {**context["doc"], "number": ""}
    assert f"（{number}）" in text(render_docx(template(code), context))
    context["refs"] = {**context["refs"], ref: ""}
    plain = text(render_docx(template(code), context))
    assert number not in plain and "（）" not in plain


def test_enforcement_application_names_the_head():
    plain = text(render_docx(template("enforcement_application"), sample_context("enforcement_application")))
    assert "负责人：张华" in plain


def test_hearing_paragraph_only_when_the_party_has_the_right():
    context = sample_context("penalty_notice")
    assert "要求听证" in text(render_docx(template("penalty_notice"), context))
    context["notice"] = {**context["notice"], "hearing_right": "否"}
    plain = text(render_docx(template("penalty_notice"), context))
    assert "要求听证" not in plain and "陈述、申辩" in plain


def test_unnumbered_document_has_no_number_line():
    context = sample_context("penalty_decision")
    context["doc"] = {**context["doc"], "number": ""}
    plain = text(render_docx(template("penalty_decision"), context))
    assert "平文旅罚" not in plain
    assert "行政处罚决定书\n\n当事人" in plain  # the number's paragraph went, not just its text


def test_row_loops_fill_tables():
    out = render_docx(template("item_list"), sample_context("item_list"))
    table = docx.Document(io.BytesIO(out)).tables[0]
    assert [c.text for c in table.rows[1].cells] == ["1", "电脑主机", "联想 M720", "3 台", ""]
    assert len(table.rows) == 3

    out = render_docx(template("interview_record"), sample_context("interview_record"))
    assert text(out).count("问：你的姓名") == 2

    context = sample_context("case_file_index")
    context["documents"] = [dict(context["documents"][0], no=str(i), title=f"文书{i}") for i in range(1, 6)]
    out = render_docx(template("case_file_index"), context)
    assert [r.cells[1].text for r in docx.Document(io.BytesIO(out)).tables[1].rows[1:]] == [
        f"文书{i}" for i in range(1, 6)]
    assert 'w:type="page"' in part(out)


def test_shipped_templates_are_what_the_script_makes(tmp_path):
    """The script is deterministic and the committed files are its current output."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make-templates"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    for code in CODES:
        assert (tmp_path / f"{code}.docx").read_bytes() == template(code), f"{code}.docx is stale: run the script"
    props = docx.Document(io.BytesIO(template("penalty_decision"))).core_properties
    assert props.author == "zhifa" and props.title == "行政处罚决定书"


# ---------------------------------------------------------------------------------------------------------------
# Rendering


def test_values_are_escaped():
    context = sample_context("penalty_decision")
    context["party"] = {**context["party"], "name": "A&B<C> \"引号\" 'x'"}
    out = render_docx(make("当事人：{{ party.name }}"), context)
    assert "A&amp;B&lt;C&gt;" in part(out)
    assert docx.Document(io.BytesIO(out)).paragraphs[0].text == "当事人：A&B<C> \"引号\" 'x'"


def test_multi_line_values_keep_their_line_breaks():
    context = sample_context("penalty_decision")
    context["f"] = {**context["f"], "facts": "第一行 & <一>\r\n第二行\n第三行\x0b第四行\x07"}
    out = render_docx(make("经查，{{ f.facts }}"), context)
    xml = part(out)
    assert xml.count("<w:br/>") == 3
    assert "&amp; &lt;一&gt;" in xml
    assert docx.Document(io.BytesIO(out)).paragraphs[0].text == "经查，第一行 & <一>\n第二行\n第三行\n第四行"

    # a filter sees the text itself: escaped once, line breaks kept
    context["f"]["facts"] = " a&b\nc "
    xml = part(render_docx(make("{{ f.facts|trim|upper }}|{{ f.facts|length }}"), context))
    assert "A&amp;B</w:t><w:br/>" in xml and "&amp;amp;" not in xml and "C|7<" in xml


def test_a_field_named_like_a_dict_method_gives_its_value():
    assert text(render_docx(make("{{ doc.copy }}"), sample_context())) == "第一联：存档"


def test_the_template_cannot_reach_python():
    with pytest.raises(SecurityError):
        render_docx(make("{{ party.name.__class__.__mro__ }}"), sample_context())


def test_sample_inputs():
    assert set(sample_inputs("penalty_decision")) == {"facts", "evidence", "statement"}
    goods = sample_inputs("item_list")["goods"]
    assert len(goods) == 2 and set(goods[0]) == {"name", "spec", "quantity", "note"}
    assert sample_context("service_receipt")["f"] == {}
    assert sample_context("item_list")["doc"]["title"] == "物品清单"
    with pytest.raises(ValueError, match="没有代码为 nope"):
        sample_inputs("nope")


# ---------------------------------------------------------------------------------------------------------------
# Refusing an upload


def test_refuses_what_is_not_a_word_document():
    for data in (b"plain text", b"%PDF-1.7 ...", b""):
        [problem] = check_template(data, "penalty_decision")
        assert "不是 Word 文档" in problem.message
    workbook = io.BytesIO()
    openpyxl.Workbook().save(workbook)
    assert "不是 Word 文档" in messages(check_template(workbook.getvalue(), "penalty_decision"))
    assert "旧版 Word 文档（.doc）" in messages(check_template(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))


def test_refuses_an_unknown_field_naming_it():
    [problem] = check_template(make("当事人：{{ party.nmae }}"), "penalty_decision")
    assert problem.tag == "{{ party.nmae }}"
    assert "party.nmae" in problem.message and "party.name" in problem.message
    assert problem.message.startswith("模板标签 {{ party.nmae }} 引用了不存在的字段“party.nmae”（可用：party.name、")


def test_reports_every_unknown_field_not_just_the_first():
    problems = check_template(make("{{ party.nmae }}", "{{ case.tittle }}", "{{ foo }}", "{{ f.nope }}",
                                   "{{ party.name }}"), "penalty_decision")
    found = messages(problems)
    for path in ("party.nmae", "case.tittle", "“foo”", "f.nope"):
        assert path in found
    assert len(problems) == 4
    assert "f.facts" in next(p.message for p in problems if "f.nope" in p.message)


def test_inputs_are_those_of_the_document_type():
    assert check_template(make("{{ f.goods }}"), "penalty_decision")
    assert "f.facts" in messages(check_template(make("{{ f.facts }}"), "item_list"))
    assert check_template(make("{{ f.facts }}"), "penalty_decision") == []
    assert check_template(make("{{ f.facts }}{{ f.when }}")) == []  # no type: any type's inputs
    assert "本文书没有填写内容" in messages(check_template(make("{{ f.x }}"), "service_receipt"))


def test_loop_variables_take_the_row_fields():
    good = make("{%p for o in officers %}", "{{ loop.index }}. {{ o.name }} {{ o.cert_no }}", "{%p endfor %}",
                rows=[["{%tr for g in f.goods %}", "", ""], ["{{ g.name }}", "{{ g.spec }}", "{{ g.quantity }}"],
                      ["{%tr endfor %}", "", ""]])
    assert check_template(good, "item_list") == []
    bad = make("{%p for o in officers %}", "{{ o.nmae }}", "{%p endfor %}",
               rows=[["{%tr for g in f.goods %}", ""], ["{{ g.weight }}", ""], ["{%tr endfor %}", ""]])
    found = messages(check_template(bad, "item_list"))
    assert "o.nmae" in found and "o.name、o.cert_no、o.role" in found
    assert "g.weight" in found and "g.quantity" in found


def test_refuses_a_loop_over_what_is_not_a_list():
    [problem] = check_template(make("{% for x in party %}{{ x }}{% endfor %}"), "penalty_decision")
    assert problem.tag == "{% for x in party %}"
    assert "“party”不是列表" in problem.message and "officers" in problem.message
    assert "不是列表" in messages(check_template(make("{% for c in party.name %}{{ c }}{% endfor %}")))
    assert "是列表" in messages(check_template(make("{{ officers.name }}")))
    assert "一组字段" in messages(check_template(make("{{ party }}")))


@pytest.mark.parametrize(("paragraphs", "expected"), [
    (("当事人：{{ party.name }",), "{{ party.name }"),
    (("{% if %}是{% endif %}",), "缺少条件"),
    (("{% if party.name %}没有结束",), "endif"),
    (("{{ party.name（ }}",), "“（”"),
    (("{%p for o in officers %}", "{{ o.name }}"), "endfor"),
    (("{% endif %}",), "endif"),
    (("{{ party.name|nofilter }}",), "nofilter"),
])
def test_refuses_syntax_errors_naming_the_tag(paragraphs, expected):
    problems = check_template(make("第一段", *paragraphs), "penalty_decision")
    assert problems, paragraphs
    assert expected in messages(problems)
    assert all(p.message.startswith("模板") for p in problems)


def test_unclosed_tag_is_named_by_its_paragraph():
    [problem] = check_template(make("正文", "当事人：{{ party.name }", "住所：{{ party.address }}"), "penalty_decision")
    assert problem.tag == "{{ party.name }"
    assert "缺少结尾的“}}”" in problem.message


def test_refuses_reaching_into_python():
    found = messages(check_template(make("{{ party.name.__class__ }}"), "penalty_decision"))
    assert "__class__" in found


def test_a_template_in_header_or_footer_is_checked_too():
    document = docx.Document()
    document.add_paragraph("{{ party.name }}")
    document.sections[0].footer.paragraphs[0].text = "{{ agency.nmae }}"
    out = io.BytesIO()
    document.save(out)
    assert "agency.nmae" in messages(check_template(out.getvalue(), "penalty_decision"))


def test_problem_is_a_frozen_pair():
    problem = Problem("{{ x }}", "消息")
    assert (problem.tag, problem.message, str(problem)) == ("{{ x }}", "消息", "消息")
    with pytest.raises(AttributeError):
        problem.tag = "y"  # type: ignore[misc]


def test_check_accepts_curly_quotes_that_word_puts_into_tags():
    """Word's AutoFormat turns '是' into ‘是’ inside a tag; docxtpl reads them back as straight quotes."""
    assert check_template(make("{% if notice.hearing_right == ‘是’ %}听证{% endif %}"), "penalty_notice") == []
    assert re.search("听证", text(render_docx(make("{% if notice.hearing_right == “是” %}听证{% endif %}"),
                                              sample_context("penalty_notice"))))
