"""Filling a Word template (.docx) with a document's context, and checking an uploaded template (issue 6 §2, §3).

A template is a .docx whose text carries docxtpl/jinja tags (``{{ party.name }}``, ``{%p if … %}``,
``{%tr for g in f.goods %}``). The fields a tag may name are fixed by :mod:`zhifa.documents.fields` and, under
``f``, by the document type's inputs (:mod:`zhifa.documents.types`).

- :func:`render_docx` fills a template. Jinja runs sandboxed with ``StrictUndefined``, so a template can neither
  reach Python internals nor silently print nothing for a misspelt field; values are XML-escaped (``A&B<C>`` comes
  out as written) and a value with line breaks keeps them in Word.
- :func:`check_template` is what an upload goes through: it names every broken tag, unknown field and loop over a
  non-list it can find (an analysis of the tags), then fills the template with the sample context to catch what the
  analysis cannot see. An empty list means the template is accepted.
- :func:`sample_inputs` / :func:`sample_context` are the sample values used for the check, the tests and
  screenshots.

This module reads no models: the caller gives bytes and a context, and gets bytes or problems back.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from zhifa.documents import fields
from zhifa.documents.types import SPECS

__all__ = ["Problem", "check_template", "render_docx", "sample_context", "sample_inputs"]


@dataclass(frozen=True)
class Problem:
    """One reason a template is refused: the offending tag (as far as it can be told) and a message in Chinese."""

    tag: str
    message: str

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------------------------------------------
# Rendering


def _environment() -> SandboxedEnvironment:
    # A fresh environment per call: docxtpl switches autoescape on in the environment it is given. Without |safe
    # no value (a party's name, an officer's text) can reach the document's XML unescaped; the upload check then
    # names |safe as an unknown filter.
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters.pop("safe", None)
    return env


class _Fields:
    """A group of fields as the template sees it: attributes are the fields and nothing else.

    A plain dict would answer ``{{ doc.copy }}`` with the bound method ``dict.copy`` (jinja tries attributes before
    keys) and let ``{% for x in party %}`` loop over the field names.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]):
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __repr__(self) -> str:
        return f"<字段组：{'、'.join(self._values)}>"


# Characters XML 1.0 cannot carry; \x0b is what Word puts on the clipboard for a manual line break, \r comes from
# Windows line ends. docxtpl would turn \a and \f into paragraph and page breaks, which is not the officer's text.
_LINE_ENDS = re.compile(r"\r\n?|\x0b")
_NOT_XML = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _value(value: Any) -> Any:
    if isinstance(value, str):
        # docxtpl turns every "\n" it writes into a text run into <w:br/> (DocxTemplate.resolve_listing, the
        # machinery of its Listing class), so a multi-line value stays a plain string: jinja escapes it exactly
        # once and filters and comparisons work on it. A Listing would arrive escaped already and ``|trim`` or
        # ``|upper`` would escape it a second time (A&amp;amp;B).
        return _NOT_XML.sub("", _LINE_ENDS.sub("\n", value))
    if isinstance(value, Mapping):
        return _Fields({k: _value(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if value is None:
        return ""
    return value


def render_docx(template: bytes, context: Mapping[str, Any]) -> bytes:
    """The template filled with ``context`` (the shape of :func:`zhifa.documents.fields.sample`, plus ``f``).

    Raises jinja2's ``TemplateError`` (``UndefinedError``, ``TemplateSyntaxError``, ``SecurityError``) for a
    template that :func:`check_template` would refuse.
    """
    doc = DocxTemplate(io.BytesIO(template))
    # autoescape: docxtpl puts values into the XML as they are unless jinja escapes them
    doc.render({k: _value(v) for k, v in context.items()}, jinja_env=_environment(), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Sample values

_SAMPLE_TEXT: dict[str, str] = {
    "facts": "当事人自2026年10月6日起，未经许可，在平舆县建设路 12 号擅自从事互联网上网服务经营活动，"
             "设置上网电脑 20 台。\n2026年10月8日现场检查时，有 15 名消费者正在上网。",
    "evidence": "1．现场检查笔录 1 份；\n2．调查询问笔录 1 份；\n3．现场照片 6 张。",
    "statement": "当事人在规定期限内未提出陈述、申辩，也未要求听证。",
    "opinion": "建议依法处理。",
    "reason": "证据可能灭失或者以后难以取得。",
    "start": "2026年10月8日 9时30分",
    "end": "2026年10月8日 10时40分",
    "when": "2026年11月25日 9时00分",
    "place": "平舆县建设路 12 号",
    "content": "执法人员出示执法证件后，对当事人经营场所进行检查。\n现场设有上网电脑 20 台，15 名消费者正在上网。",
    "deadline": "2026年12月17日",
    "until": "2026年12月8日",
    "term": "三十日",
    "measure": "扣押",
    "interviewee": "李明",
    "interviewee_id": "411727199001011234",
    "host": "张华",
    "host_name": "赵平",
    "keeper": "刘洋",
    "retention": "长期",
    "receiver": "平舆县公安局",
    "address": "平舆县建设路 12 号",
    "contact": "王军，0396-5012345",
}


def _sample_for(inp) -> Any:
    if inp.kind == "rows":
        row = {c.name: c.sample for c in fields.ROW_COLUMNS[inp.columns]}
        return [row, dict(row)]
    if inp.name in _SAMPLE_TEXT:
        return _SAMPLE_TEXT[inp.name]
    if inp.kind == "date":
        return "2026年11月27日"
    return f"（示例）{inp.label}"


def _inputs(code: str | None) -> dict[str, Any]:
    """The inputs of ``code`` by name (every type's when ``code`` is None)."""
    if code is None:
        return {i.name: i for s in SPECS.values() for i in s.inputs}
    if code not in SPECS:
        raise ValueError(f"没有代码为 {code} 的文书种类")
    return {i.name: i for i in SPECS[code].inputs}


def sample_inputs(code: str | None) -> dict[str, Any]:
    """Sample ``f`` values for ``code``: text for text inputs, two rows for table inputs (every type's if None)."""
    return {name: _sample_for(inp) for name, inp in _inputs(code).items()}


def sample_context(code: str | None = None) -> dict[str, Any]:
    """The sample context a template of ``code`` is tried with: :func:`fields.sample` plus ``f``; the document's
    title is the type's name."""
    context = fields.sample()
    if code is not None:
        context["doc"] = {**context["doc"], "title": SPECS[code].name}
    context["f"] = sample_inputs(code)
    return context


# ---------------------------------------------------------------------------------------------------------------
# Checking

# What the analysis knows of a name: a group of fields, a list of rows, one text value, or nothing it can tell
# (a loop's ``loop``, jinja's globals, the result of a filter).


@dataclass(frozen=True)
class _Rec:
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class _List:
    row: _Rec


_LEAF = "leaf"
_ANY = "any"


def _shapes(code: str | None) -> dict[str, Any]:
    shapes: dict[str, Any] = {}
    for g in fields.GROUPS:
        rec = _Rec({f.name: _LEAF for f in g.fields})
        shapes[g.name] = _List(rec) if g.rows else rec
    f_fields: dict[str, Any] = {}
    for name, inp in _inputs(code).items():
        if inp.kind == "rows":
            f_fields[name] = _List(_Rec({c.name: _LEAF for c in fields.ROW_COLUMNS[inp.columns]}))
        else:
            f_fields[name] = _LEAF
    shapes["f"] = _Rec(f_fields)
    return shapes


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_XML_TAG = re.compile(r"<[^>]+>")


def _plain(xml_line: str) -> str:
    return html.unescape(_XML_TAG.sub("", xml_line)).strip()


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Analysis:
    """Walks the parsed template and records every unknown field, loop over a non-list and unknown filter."""

    def __init__(self, env: SandboxedEnvironment, lines: list[str]):
        self.env = env
        self.lines = lines
        self.problems: list[Problem] = []

    # -- reporting ---------------------------------------------------------------------------------------------

    def _tag(self, node: nodes.Node, needle: str, opener: str = "") -> str:
        """The tag on ``node``'s line that mentions ``needle``; a tag rebuilt from ``needle`` if none does."""
        lineno = getattr(node, "lineno", 0) or 0
        if 0 < lineno <= len(self.lines):
            pattern = re.compile(r"(?<![\w.])" + re.escape(needle) + r"(?!\w)")
            for tag in _TAG.findall(_plain(self.lines[lineno - 1])):
                squeezed = re.sub(r"\s*([.\[\]])\s*", r"\1", tag)
                if tag.startswith(opener or "{") and pattern.search(squeezed):
                    return tag
        return f"{{{{ {needle} }}}}"

    def _add(self, tag: str, message: str) -> None:
        problem = Problem(tag, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def _unknown(self, node: nodes.Node, path: str, choices: Iterable[str], what: str = "") -> None:
        choices = list(choices)
        tag = self._tag(node, path)
        available = f"（可用：{'、'.join(choices)}）" if choices else f"（{what}）"
        self._add(tag, f"模板标签 {tag} 引用了不存在的字段“{path}”{available}")

    # -- expressions -------------------------------------------------------------------------------------------

    def expr(self, node: nodes.Node, scope: dict[str, Any]) -> tuple[Any, str]:
        """The shape of an expression and its text (``party.name``); reports unknown fields on the way."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name], node.name
            if node.name in self.env.globals:
                return _ANY, node.name
            self._unknown(node, node.name, (n for n in scope if n != "loop"))
            return _ANY, node.name
        if isinstance(node, nodes.Getattr):
            return self._attribute(node, node.node, node.attr, scope)
        if isinstance(node, nodes.Getitem):
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return self._attribute(node, node.node, arg.value, scope)
            shape, path = self.expr(node.node, scope)
            self.visit(arg, scope)
            if isinstance(shape, _List) and isinstance(arg, nodes.Const) and isinstance(arg.value, int):
                return shape.row, f"{path}[{arg.value}]"
            return _ANY, path
        self.visit(node, scope)
        return _ANY, ""

    def _attribute(self, node: nodes.Node, inner: nodes.Node, attr: str, scope: dict[str, Any]) -> tuple[Any, str]:
        shape, path = self.expr(inner, scope)
        full = f"{path}.{attr}"
        if isinstance(shape, _Rec):
            if attr in shape.fields:
                return shape.fields[attr], full
            what = "本文书没有填写内容" if path == "f" else "没有字段"
            self._unknown(node, full, (f"{path}.{n}" for n in shape.fields), what)
        elif isinstance(shape, _List):
            tag = self._tag(node, full)
            self._add(tag, f"模板标签 {tag} 中的“{path}”是列表（每行一项），不能直接取“{attr}”；"
                           f"请用 {{% for x in {path} %}}{{{{ x.{attr} }}}}{{% endfor %}} 逐行取用")
        elif shape == _LEAF and (attr.startswith("_") or not hasattr(str, attr)):
            tag = self._tag(node, full)
            self._add(tag, f"模板标签 {tag} 中的“{path}”是文字，没有下级字段“{attr}”")
        return _ANY, full

    # -- statements --------------------------------------------------------------------------------------------

    def visit(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            self.expr(node, scope)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                self._output(child, scope)
        elif isinstance(node, nodes.For):
            self._for(node, scope)
        elif isinstance(node, nodes.Assign):
            shape, _ = self.expr(node.node, scope)
            self._bind(node.target, shape, scope)
        elif isinstance(node, nodes.AssignBlock):
            self.body(node.body, scope)
            self._bind(node.target, _LEAF, scope)
        elif isinstance(node, nodes.Macro | nodes.CallBlock):
            if isinstance(node, nodes.Macro):
                scope[node.name] = _ANY
            else:
                self.visit(node.call, scope)
            inner = dict(scope, caller=_ANY, varargs=_ANY, kwargs=_ANY)
            for arg in node.args:
                inner[arg.name] = _ANY
            self.body(node.body, inner)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                shape, _ = self.expr(value, scope)
                self._bind(target, shape, inner)
            self.body(node.body, inner)
        elif isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport):
            self._add("{% include %}", "模板不能引用其他模板（extends、include、import）")
        else:
            if isinstance(node, nodes.Filter | nodes.Test):
                self._known_filter(node)
            for child in node.iter_child_nodes():
                self.visit(child, scope)

    def body(self, body: list[nodes.Node], scope: dict[str, Any]) -> None:
        for node in body:
            self.visit(node, scope)

    def _output(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.TemplateData):
            return
        shape, path = self.expr(node, scope)
        if isinstance(shape, _Rec | _List) and path:
            tag = self._tag(node, path, "{{")
            fields_of = shape.row.fields if isinstance(shape, _List) else shape.fields
            example = next(iter(fields_of), "name")
            kind = "一组字段" if isinstance(shape, _Rec) else "列表"
            self._add(tag, f"模板标签 {tag} 输出的“{path}”是{kind}，不是文字；请写到具体字段，如 "
                           f"{{{{ {path if isinstance(shape, _Rec) else 'x'}.{example} }}}}")

    def _for(self, node: nodes.For, scope: dict[str, Any]) -> None:
        shape, path = self.expr(node.iter, scope)
        row: Any = _ANY
        if isinstance(shape, _List):
            row = shape.row
        elif shape != _ANY:
            tag = self._tag(node.iter, path, "{%")
            lists = [n for n, s in scope.items() if isinstance(s, _List)]
            f_shape = scope.get("f")
            if isinstance(f_shape, _Rec):
                lists += [f"f.{n}" for n, s in f_shape.fields.items() if isinstance(s, _List)]
            self._add(tag, f"模板标签 {tag} 对“{path}”循环，但“{path}”不是列表；只能对列表循环"
                           f"（可循环：{'、'.join(lists)}）")
        inner = dict(scope, loop=_ANY)
        self._bind(node.target, row, inner)
        if node.test is not None:
            self.visit(node.test, inner)
        self.body(node.body, inner)
        self.body(node.else_, scope)

    def _bind(self, target: nodes.Node, shape: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, _ANY, scope)
        # ``{% set ns.x = … %}`` (NSRef) binds nothing new

    def _known_filter(self, node: nodes.Filter | nodes.Test) -> None:
        known = self.env.filters if isinstance(node, nodes.Filter) else self.env.tests
        if node.name not in known:
            kind = "过滤器" if isinstance(node, nodes.Filter) else "判断"
            tag = self._tag(node, node.name)
            self._add(tag, f"模板标签 {tag} 使用了不存在的{kind}“{node.name}”")


_SYNTAX: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), m) for p, m in (
    (r"innermost block that needs to be closed is '(\w+)'", "缺少结束标签 {{% end{0} %}}（{{% {0} … %}} 没有结束）"),
    (r"Encountered unknown tag '(end\w+|else|elif)'", "标签 {{% {0} %}} 没有对应的开始标签，或与开始标签不配对"),
    (r"Encountered unknown tag '(\w+)'", "不认识的标签“{0}”"),
    (r"unexpected char '(.)'", "标签中有不能识别的字符“{0}”（标签内请使用英文半角符号）"),
    (r"Expected an expression, got 'end of (?:statement block|print statement)'", "标签缺少条件或字段名"),
    (r"unexpected '([}%])'", "标签中有多余的“{0}”"),
    (r"expected token 'end of print statement', got '([^']*)'", "标签写法有误，应以“}}}}”结束，却遇到“{0}”"),
    (r"expected token 'end of statement block', got '([^']*)'", "标签写法有误，应以“%}}”结束，却遇到“{0}”"),
    (r"unexpected end of template", "标签没有结束"),
    (r"No filter named '(\w+)'", "使用了不存在的过滤器“{0}”"),
    (r"No test named '(\w+)'", "使用了不存在的判断“{0}”"),
))


def _syntax_message(message: str) -> str:
    for pattern, text in _SYNTAX:
        m = pattern.search(message)
        if m:
            return text.format(*m.groups())
    return f"语法错误（{message}）"


def _syntax_problem(exc: TemplateSyntaxError, lines: list[str]) -> Problem:
    line = _plain(lines[exc.lineno - 1]) if exc.lineno and 0 < exc.lineno <= len(lines) else ""
    tags = _TAG.findall(line)
    where = _short(tags[0] if len(tags) == 1 else line)
    reason = _syntax_message(exc.message or str(exc))
    if where:
        return Problem(where, f"模板标签 {where} 有误：{reason}")
    return Problem("", f"模板有误：{reason}")


_OPENERS = re.compile(r"\{\{|\{%|\}\}|%\}")


def _unclosed(text: str) -> list[Problem]:
    """Tags of one paragraph that do not end in it (``{{ party.name }``), or ends with no start: in a document a
    tag never spans paragraphs, and jinja's own error would point far from the cause."""
    problems = []
    opened: tuple[int, str] | None = None
    for m in _OPENERS.finditer(text):
        token = m.group()
        if token in ("{{", "{%"):
            if opened is not None:
                snippet = _short(text[opened[0]:m.start()].rstrip(), 40)
                problems.append(Problem(snippet, f"模板标签 {snippet} 缺少结尾的“{opened[1]}”"))
            opened = (m.start(), "}}" if token == "{{" else "%}")
        elif opened is not None and token == opened[1]:
            opened = None
        elif opened is None:
            snippet = _short(text[max(0, m.start() - 30):m.end()].lstrip(), 40)
            start = "{{" if token == "}}" else "{%"
            problems.append(Problem(snippet, f"模板标签 {snippet} 有结尾的“{token}”却没有开头的“{start}”"))
    if opened is not None:
        snippet = _short(text[opened[0]:].rstrip(), 40)
        problems.append(Problem(snippet, f"模板标签 {snippet} 缺少结尾的“{opened[1]}”"))
    return problems


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NOT_WORD = ("上传的文件不是 Word 文档（.docx）。请在 Word 或 WPS 中打开模板，“另存为”Word 文档（*.docx）后再上传")


def _open(template: bytes) -> DocxTemplate | Problem:
    if template[:4] == b"\xd0\xcf\x11\xe0":
        return Problem("", "上传的是旧版 Word 文档（.doc）。请在 Word 或 WPS 中“另存为”Word 文档（*.docx）后再上传")
    if not zipfile.is_zipfile(io.BytesIO(template)):
        return Problem("", _NOT_WORD)
    try:
        Document(io.BytesIO(template))  # refuses a zip that is not a Word document (xlsx, docm …)
    except Exception:  # whatever fails to open is "not a Word document" to the uploader
        return Problem("", _NOT_WORD)
    return DocxTemplate(io.BytesIO(template))


def _parts(doc: DocxTemplate) -> list[str]:
    """The XML jinja sees for the body, headers and footers, one paragraph a line as when rendering."""
    doc.init_docx()
    xmls = [doc.get_xml()]
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        xmls += [doc.get_part_xml(part) for _, part in doc.get_headers_footers(uri)]
    return [re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(xml)) for xml in xmls]


def _paragraph_texts(doc: DocxTemplate) -> list[str]:
    roots = [doc.get_docx().element.body]
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        roots += [etree.fromstring(part.blob) for _, part in doc.get_headers_footers(uri)]
    return ["".join(t.text or "" for t in p.iter(f"{_W}t")) for root in roots for p in root.iter(f"{_W}p")]


def _runtime_problem(exc: Exception) -> Problem:
    if isinstance(exc, TemplateSyntaxError):
        return Problem("", f"模板有误：{_syntax_message(exc.message or str(exc))}")
    if isinstance(exc, SecurityError):
        return Problem("", f"模板使用了不允许的操作（{exc}）")
    if isinstance(exc, UndefinedError):
        return Problem("", f"模板引用了不存在的字段（{exc.message}）")
    if isinstance(exc, TypeError):
        return Problem("", f"模板中的循环或运算用错了对象（{exc}）")
    if isinstance(exc, TemplateError):
        return Problem("", f"模板有误（{exc}）")
    return Problem("", f"模板无法填写：{type(exc).__name__}: {exc}")


def check_template(template: bytes, code: str | None = None) -> list[Problem]:
    """Why ``template`` cannot be used for documents of type ``code`` (any type's inputs under ``f`` if None);
    empty when it can."""
    shapes = _shapes(code)  # an unknown code is the caller's error, raised before anything else
    doc = _open(template)
    if isinstance(doc, Problem):
        return [doc]

    problems = [p for text in _paragraph_texts(doc) for p in _unclosed(text)]
    if problems:
        return problems

    env = _environment()
    for xml in _parts(doc):
        lines = xml.split("\n")
        try:
            tree = env.parse(xml)
        except TemplateSyntaxError as exc:
            problems.append(_syntax_problem(exc, lines))
            continue
        analysis = _Analysis(env, lines)
        analysis.body(tree.body, dict(shapes))
        problems += [p for p in analysis.problems if p not in problems]
    if problems:
        return problems

    # What the analysis cannot see (a filter given the wrong argument, a tag docxtpl cannot place, core properties)
    # shows when the template is filled; the result must open as a Word document again.
    try:
        Document(io.BytesIO(render_docx(template, sample_context(code))))
    except Exception as exc:  # every failure is a reason to refuse the upload, and is reported as one
        return [_runtime_problem(exc)]
    return []
