"""The OpenAPI 3.1 description of the API, generated from the procedure table and the payload schemas.

One path per action (``/cases/{id}/actions/<action>``): its request body is the action's payload schema
(``cases.payload.payload_schema``), its description names who may take it, from which states to which, the
documents and records it needs and its legal basis (``law.procedure.TABLE``). Nothing here is written by hand
twice: adding a row or a field to those tables changes this document.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from zhifa.cases.models import SERVICE_METHODS
from zhifa.cases.payload import AUX_ACTIONS, REVIEW_CHECKS, Field, action_label, payload_schema
from zhifa.law import procedure as proc
from zhifa.law.penalties import KIND_LABELS, PenaltyKind

from .views import CASE_ACTIONS, CREATING, DEFAULT_LIMIT, MAX_LIMIT, MAX_LOOKUP_LIMIT, PREFIX

REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _choices(values: Mapping[str, str]) -> str:
    return "；".join(f"{k}：{v}" for k, v in values.items())


def _enum(values: Mapping[str, str], description: str = "") -> dict[str, Any]:
    text = _choices(values)
    return {"type": "string", "enum": list(values), "description": f"{description}（{text}）" if description else text}


def field_schema(f: Field) -> dict[str, Any]:
    """The JSON Schema of one payload field (the kinds ``cases.payload.PayloadParser`` accepts)."""
    kind = f.kind
    if kind == "text":
        s: dict[str, Any] = {"type": "string", "maxLength": f.max_length}
    elif kind == "longtext":
        s = {"type": "string", "maxLength": 5000}
    elif kind == "date":
        s = {"type": "string", "format": "date"}
    elif kind == "bool":
        s = {"type": "boolean"}
    elif kind == "int":
        s = {"type": "integer", "minimum": 0}
    elif kind == "money":
        s = _ref("Money")
    elif kind == "penalty":
        s = _ref("Penalty")
    elif kind == "user":
        s = {"type": "integer", "description": "人员编号（本执法主体的在职人员）"}
    elif kind == "users":
        s = {"type": "array", "items": {"type": "integer"}, "description": "人员编号的列表"}
    elif kind == "party":
        s = {"type": "integer", "description": "当事人编号（见 /parties）"}
    elif kind == "items":
        s = {"type": "array", "items": {"type": "string"}, "description": "执法事项编码的列表（见 /catalog/items）"}
    elif kind == "choice":
        assert f.choices is not None
        s = _enum(f.choices)
    elif kind == "documents":
        s = {"type": "array", "items": _ref("DocumentEntry")}
    elif kind == "records":
        s = {"type": "array", "items": _ref("RecordEntry")}
    elif kind == "evidence":
        s = {"type": "array", "items": _ref("EvidenceEntry")}
    elif kind == "checks":
        s = _ref("ReviewChecks")
    elif kind == "facts":
        s = {"type": "object", "description": "裁量事实（见执法事项的裁量基准）"}
    elif kind == "names":
        s = {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]}}
    else:  # a new kind must be described here
        raise ValueError(f"payload kind without a schema: {kind}")
    notes = [f.label]
    if f.today_default:
        notes.append("不填为办理当日")
    if f.future:
        notes.append("可以是将来的日期")
    if "$ref" in s:
        return {"allOf": [s], "description": "；".join(notes)}
    s["description"] = "；".join([*notes, s["description"]]) if "description" in s else "；".join(notes)
    return s


def payload_json_schema(action: str) -> dict[str, Any]:
    fields = payload_schema(action)
    return {
        "type": "object",
        "title": action_label(action),
        "properties": {name: field_schema(f) for name, f in fields.items()},
        "required": [name for name, f in fields.items() if f.required and not f.today_default],
        "additionalProperties": False,
    }


def _rows(action: str) -> list[proc.Transition]:
    return [t for t in proc.TABLE if t.action.value == action]


def action_description(action: str) -> str:
    rows = _rows(action)
    if not rows:
        return (f"辅助办理事项“{AUX_ACTIONS[action]}”：不改变案件阶段，与程序表中的步骤一样加锁、校验、记录事件，"
                "并可用同一请求标识安全重试。")
    lines = []
    for t in rows:
        sources = "、".join(proc.STATE_LABELS[s] for s in sorted(t.sources)) or "（新建案件）"
        target = proc.STATE_LABELS[t.target] if t.target else ("中止前阶段" if t.returns else "阶段不变")
        roles = "、".join(proc.ROLE_LABELS[r] for r in sorted(t.roles))
        parts = [f"{proc.PROCEDURE_LABELS[t.procedure]}：{sources} → {target}；办理人：{roles}"]
        if t.documents:
            parts.append("须有文书：" + "、".join(proc.DOCUMENT_LABELS[d] for d in t.documents))
        if t.records:
            parts.append("须有记录：" + "、".join(proc.RECORD_LABELS[r] for r in t.records))
        if t.approval:
            parts.append("须经负责人审批：" + proc.APPROVAL_LABELS.get(t.approval, t.approval))
        if t.guards:
            parts.append("校验：" + "、".join(t.guards))
        if t.basis:
            parts.append("依据：" + "；".join(str(b) for b in t.basis))
        lines.append("- " + "；".join(parts))
    return "\n".join(lines)


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


ERRORS = {
    "400": _error("请求有误（JSON 无法解析、缺少请求标识、字段不合规定；field 指明字段）", "Refusal"),
    "401": _error("缺少有效的接口令牌"),
    "403": _error("无权办理（不是本执法主体的人员，或者角色不允许）", "Refusal"),
    "404": _error("没有找到（不存在或者不在可查看范围内）"),
    "409": _error("冲突：案件已被他人更新（expected_version 过时）、正由他人办理，或者请求标识已用于另一请求"),
    "422": _error("办案规则不允许：violations 列出全部理由及其法律依据", "Refusal"),
    "413": _error("文件超过该类文件的大小上限", "Refusal"),
    "415": _error("文件类型不予接收（可执行程序、压缩包、疑似压缩炸弹、含宏的文档或者不在接收范围的类型）", "Refusal"),
}


def _responses(ok: dict[str, Any], *codes: str) -> dict[str, Any]:
    return {**ok, **{c: ERRORS[c] for c in codes}}


def _ok(description: str, schema: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _components() -> dict[str, Any]:
    citation_list = {"type": "array", "items": {"type": "string"}, "description": "法律依据（法律、法规的名称和条款）"}
    error = {"type": "object", "required": ["code", "message", "field", "basis"], "properties": {
        "code": {"type": "string", "description": "稳定的错误代码"},
        "message": {"type": "string", "description": "中文说明"},
        "field": {"type": ["string", "null"], "description": "出错的字段（如 penalty.fine、Idempotency-Key）"},
        "basis": citation_list}}
    entry_common = {"title": {"type": "string", "maxLength": 200}, "note": {"type": "string", "maxLength": 5000}}
    clock = {"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "started_on": {"type": "string", "format": "date"},
        "due_on": {"type": "string", "format": "date", "description": "届满日（不计入期间进行中的，逐日顺延）"},
        "due_at": {"type": ["string", "null"], "format": "date-time"}, "basis": {"type": "string"},
        "running": {"type": "boolean"}, "days_left": {"type": ["integer", "null"]},
        "binds": {"type": "string", "enum": ["agency", "party"],
                  "description": "期限约束谁：agency（本机关须在期限内办理）或 party（当事人的期间）"},
        "overdue": {"type": "boolean", "description": "本机关的期限已逾期；当事人的期间届满不算逾期"},
        "paused": {"type": "boolean"}, "paused_since": {"type": ["string", "null"], "format": "date"},
        "extended": {"type": "boolean"}, "stopped_on": {"type": ["string", "null"], "format": "date"}}}
    case_summary = {"type": "object", "properties": {
        "id": {"type": "integer"}, "href": {"type": "string"}, "reference": {"type": "string"},
        "title": {"type": "string"}, "procedure": _enum({p.value: lbl for p, lbl in proc.PROCEDURE_LABELS.items()}),
        "procedure_label": {"type": "string"},
        "state": _enum({s.value: lbl for s, lbl in proc.STATE_LABELS.items()}), "state_label": {"type": "string"},
        "version": {"type": "integer", "description": "案件版本：作为 expected_version 提交，防止覆盖他人的办理"},
        "party": {"type": ["object", "null"]}, "updated_at": {"type": "string", "format": "date-time"}}}
    step = {"type": "object", "properties": {
        "version": {"type": "integer"}, "action": {"type": "string"}, "label": {"type": "string"},
        "from_state": {"type": ["string", "null"]}, "to_state": {"type": "string"},
        "actor": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "on": {"type": "string", "format": "date"}, "at": {"type": "string", "format": "date-time"},
        "payload": {"type": "object"}, "event": {"type": ["integer", "null"], "description": "记录事件编号"}}}
    action_info = {"type": "object", "properties": {
        "action": {"type": "string"}, "label": {"type": "string"}, "href": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "allowed": {"type": "boolean", "description": "当前用户的角色可以办理"},
        "missing": {"type": "array", "items": {"type": "string"}, "description": "尚缺的条件（含条款）"}}}
    schemas: dict[str, Any] = {
        "Error": error,
        "Violation": error,
        "Refusal": {"allOf": [_ref("Error"), {"type": "object", "properties": {
            "violations": {"type": "array", "items": _ref("Violation"), "description": "全部理由"}}}]},
        "Money": {"oneOf": [{"type": "number", "minimum": 0},
                            {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"}],
                  "description": "金额（元），最多两位小数"},
        "Penalty": {"type": "object", "required": ["kinds"], "additionalProperties": False, "properties": {
            "kinds": {"type": "array", "minItems": 1, "items": _enum({k.value: KIND_LABELS[k] for k in PenaltyKind},
                                                                    "处罚种类")},
            "fine": _ref("Money"), "confiscation": _ref("Money")}},
        "DocumentEntry": {"oneOf": [
            _enum(dict(proc.DOCUMENT_LABELS), "文书代码"),
            {"type": "object", "required": ["code"], "additionalProperties": False, "properties": {
                "code": _enum(dict(proc.DOCUMENT_LABELS), "文书代码"), "number": {"type": "string", "maxLength": 200},
                "issued_on": {"type": "string", "format": "date"}, **entry_common}}]},
        "RecordEntry": {"oneOf": [
            _enum(dict(proc.RECORD_LABELS), "记录代码"),
            {"type": "object", "required": ["code"], "additionalProperties": False, "properties": {
                "code": _enum(dict(proc.RECORD_LABELS), "记录代码"),
                "kind": _enum(dict(proc.EVIDENCE_KINDS), "证据种类（code 为 evidence 时必填）"),
                "description": {"type": "string", "maxLength": 5000},
                "file_hash": {"type": "string", "pattern": "^[0-9a-fA-F]{16,64}$"},
                "made_on": {"type": "string", "format": "date"}}}]},
        "EvidenceEntry": {"type": "object", "required": ["kind", "description"], "additionalProperties": False,
                          "properties": {
                              "kind": _enum(dict(proc.EVIDENCE_KINDS), "证据种类（第四十六条）"),
                              "description": {"type": "string", "maxLength": 5000},
                              "file_hash": {"type": "string", "pattern": "^[0-9a-fA-F]{16,64}$"},
                              "made_on": {"type": "string", "format": "date"}}},
        "ReviewChecks": {"type": "object", "additionalProperties": False, "properties": {
            code: {"description": label, "oneOf": [
                {"type": "boolean"},
                {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"},
                                                                      "note": {"type": "string"}}}]}
            for code, label in REVIEW_CHECKS.items()}},
        "Clock": clock,
        "CaseSummary": case_summary,
        "CaseList": {"type": "object", "properties": {
            "results": {"type": "array", "items": {"allOf": [_ref("CaseSummary"), {"type": "object", "properties": {
                "next_due_on": {"type": ["string", "null"], "format": "date"}}}]}},
            "next": {"type": ["string", "null"],
                     "description": "下一页的翻页标识（作为 after 提交）；null 表示没有下一页"},
            "limit": {"type": "integer"}}},
        "Step": step,
        "ActionInfo": action_info,
        "CaseDetail": {"allOf": [_ref("CaseSummary"), {"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object"}},
            "handlers": {"type": "array", "items": {"type": "object"}},
            "clocks": {"type": "array", "items": _ref("Clock")},
            "available_actions": {"type": "array", "items": {"type": "string"}},
            "actions": {"type": "array", "items": _ref("ActionInfo")},
            "auxiliary_actions": {"type": "array", "items": {"type": "object"}},
            "events": {"type": "array", "items": _ref("Step")}}}]},
        "StepResult": {"type": "object", "properties": {"step": _ref("Step"), "case": _ref("CaseSummary")}},
        "Created": {"type": "object", "properties": {"step": _ref("Step"), "case": _ref("CaseDetail")}},
        "Party": {"type": "object", "properties": {
            "id": {"type": "integer"}, "kind": {"type": "string"}, "name": {"type": "string"},
            "credit_code": {"type": "string"}, "id_number_masked": {"type": "string"}}},
        "Item": {"type": "object", "properties": {
            "code": {"type": "string"}, "name": {"type": "string"}, "domain": {"type": "object"},
            "status": {"type": "string"}}},
        "Lookup": {"type": "object", "properties": {"results": {"type": "array", "items": {}},
                                                    "truncated": {"type": "boolean"}}},
        "ServiceMethod": _enum(SERVICE_METHODS, "送达方式"),
        "File": {"type": "object", "description": "案件的文件（证据文件、音像记录），按内容摘要存储", "properties": {
            "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "内容摘要（十六进制）"},
            "algorithm": {"type": "string", "enum": ["sm3", "sha256"]}, "name": {"type": "string"},
            "size": {"type": "integer"}, "media_type": {"type": "string", "description": "按文件内容判断的类型"},
            "device": {"type": "string", "description": "执法记录仪等设备编号"}, "place": {"type": "string"},
            "captured_at": {"type": ["string", "null"], "format": "date-time"},
            "captured_until": {"type": ["string", "null"], "format": "date-time"}, "note": {"type": "string"},
            "uploaded_by": {"type": "object"}, "uploaded_at": {"type": "string", "format": "date-time"},
            "record": {"type": ["integer", "null"], "description": "所属记录或证据（登记时以 file_hash 指明）"},
            "href": {"type": "string"}}},
        "FileList": {"type": "object", "properties": {"results": {"type": "array", "items": _ref("File")}}},
    }
    for action in (proc.Action.REGISTER_CLUE.value, proc.Action.START_SUMMARY.value, *CASE_ACTIONS):
        schemas[f"Payload_{action}"] = payload_json_schema(action)
    for procedure, action in (("general", proc.Action.REGISTER_CLUE.value),
                              ("summary", proc.Action.START_SUMMARY.value)):
        base = payload_json_schema(action)
        schemas[f"Open_{procedure}"] = {**base, "title": f"{proc.PROCEDURE_LABELS[proc.Procedure(procedure)]}："
                                        f"{action_label(action)}",
                                        "properties": {"procedure": {"const": procedure}, **base["properties"]},
                                        "required": ["procedure", *base["required"]]}
    return {
        "schemas": schemas,
        "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": "Authorization",
                                      "description": "Authorization: Token <令牌>；令牌由 `zhifa token 登录名` 签发"}},
        "parameters": {
            "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": True,
                               "description": "本次请求的唯一标识（1 至 100 个字符）。重试时使用同一标识，"
                                              "不会重复办理；同一标识用于不同请求时返回 409",
                               "schema": {"type": "string", "minLength": 1, "maxLength": 100}},
            "CaseId": {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
        },
    }


def _action_path(action: str) -> dict[str, Any]:
    return {"post": {
        "operationId": f"case_{action}",
        "summary": action_label(action),
        "description": action_description(action),
        "tags": ["办理事项"],
        "parameters": [{"$ref": "#/components/parameters/CaseId"}, {"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": False, "content": {"application/json": {"schema": _ref(f"Payload_{action}")}}},
        "responses": _responses({**_ok("已办理（同一请求标识重复提交时返回原步骤，状态 200）", "StepResult", "201"),
                                 **_ok("重复提交：返回已办理的步骤", "StepResult")},
                                "400", "401", "403", "404", "409", "422"),
    }}


@functools.cache
def document() -> dict[str, Any]:
    states = _enum({s.value: lbl for s, lbl in proc.STATE_LABELS.items()})
    paths: dict[str, Any] = {
        "/cases": {
            "get": {
                "operationId": "list_cases", "summary": "案件列表", "tags": ["案件"],
                "description": "当前用户可查看的案件，按编号从新到旧；用 next 翻页（新登记的案件不会打乱已翻的页）。",
                "parameters": [
                    _query("state", "办案阶段，可用逗号分隔多个",
                           {"type": "string", "description": states["description"]}),
                    _query("procedure", "程序", _enum({p.value: lbl for p, lbl in proc.PROCEDURE_LABELS.items()})),
                    _query("q", "案由、案件编号或者当事人名称中的文字", {"type": "string", "maxLength": 100}),
                    _query("mine", "1：只看本人承办的案件", {"type": "string", "enum": ["0", "1"]}),
                    _query("after", "上一页返回的 next", {"type": "string"}),
                    _query("limit", f"每页条数（默认 {DEFAULT_LIMIT}）",
                           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
                ],
                "responses": _responses(_ok("案件列表", "CaseList"), "400", "401"),
            },
            "post": {
                "operationId": "open_case", "summary": "新建案件：案源登记（普通程序）或者当场处罚（简易程序）",
                "tags": ["案件"],
                "description": "请求内容为办理事项的字段，另加 procedure。\n\n普通程序（案源登记）：\n"
                               + action_description(proc.Action.REGISTER_CLUE.value)
                               + "\n\n简易程序（适用简易程序）：\n"
                               + action_description(proc.Action.START_SUMMARY.value),
                "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "oneOf": [_ref("Open_general"), _ref("Open_summary")],
                    "discriminator": {"propertyName": "procedure", "mapping": {
                        "general": REF + "Open_general", "summary": REF + "Open_summary"}}}}}},
                "responses": _responses({**_ok("已登记", "Created", "201"),
                                         **_ok("重复提交：返回已登记的案件", "Created")},
                                        "400", "401", "403", "409", "422"),
            },
        },
        "/cases/{id}": {"get": {
            "operationId": "get_case", "summary": "案件详情", "tags": ["案件"],
            "description": "阶段、当事人、执法事项、承办人员、期限（届满日、依据、剩余天数、是否暂停）、"
                           "每一可办事项尚缺的条件、当前用户可办的事项，以及全部办案步骤。",
            "parameters": [{"$ref": "#/components/parameters/CaseId"}],
            "responses": _responses(_ok("案件详情", "CaseDetail"), "401", "404"),
        }},
        "/cases/{id}/files": {
            "get": {"operationId": "list_case_files", "summary": "案件的文件", "tags": ["文件"],
                    "parameters": [{"$ref": "#/components/parameters/CaseId"}],
                    "responses": _responses(_ok("文件列表", "FileList"), "401", "404")},
            "post": {
                "operationId": "upload_case_file", "summary": "上传文件（证据文件、音像记录）", "tags": ["文件"],
                "description": "multipart/form-data，文件放在字段 file 中。按文件内容判断类型（图片、PDF、音频、视频、"
                               "办公文档、OFD、UTF-8 文本），拒收可执行程序和压缩包，各类文件有大小上限；"
                               "同一案件不重复接收内容相同的文件（409）。登记记录或证据时以返回的 digest 作为 "
                               "file_hash：全程音像记录须指明音频或视频文件并填写设备编号（国办发〔2018〕118号）。",
                "parameters": [{"$ref": "#/components/parameters/CaseId"}],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"], "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "captured_at": {"type": "string", "format": "date-time", "description": "形成（开始录制）时间"},
                        "captured_until": {"type": "string", "format": "date-time", "description": "结束录制时间"},
                        "place": {"type": "string", "maxLength": 200}, "device": {"type": "string", "maxLength": 80},
                        "note": {"type": "string", "maxLength": 5000}}}}}},
                "responses": _responses(_ok("已上传", "File", "201"), "400", "401", "403", "404", "409", "413",
                                        "415", "422"),
            },
        },
        "/cases/{id}/files/{digest}": {"get": {
            "operationId": "get_case_file", "summary": "下载文件（先校验内容摘要）", "tags": ["文件"],
            "description": "先按上传时的摘要重新计算存储内容的摘要，不符时不提供文件（409）并记入全过程记录；"
                           "每次下载都记入该文件的保管记录。",
            "parameters": [{"$ref": "#/components/parameters/CaseId"},
                           {"name": "digest", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "文件内容", "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}},
                          **{c: ERRORS[c] for c in ("401", "404", "409")}},
        }},
        "/parties": {"get": {
            "operationId": "lookup_parties", "summary": "查找当事人", "tags": ["查询"],
            "parameters": [_query("q", "名称、负责人或者统一社会信用代码的片段；身份证号码须完整", {"type": "string"}),
                           _query("kind", "类型", {"type": "string"}),
                           _query("limit", "条数", {"type": "integer", "minimum": 1, "maximum": MAX_LOOKUP_LIMIT})],
            "responses": _responses(_ok("当事人", "Lookup"), "400", "401"),
        }},
        "/catalog/items": {"get": {
            "operationId": "lookup_items", "summary": "查找执法事项", "tags": ["查询"],
            "parameters": [_query("q", "编码、名称、条款或者法律名称中的文字", {"type": "string"}),
                           _query("domain", "执法领域代码", {"type": "string"}),
                           _query("status", "状态", {"type": "string", "enum": ["active", "suspended", "repealed"]}),
                           _query("limit", "条数", {"type": "integer", "minimum": 1, "maximum": MAX_LOOKUP_LIMIT})],
            "responses": _responses(_ok("执法事项", "Lookup"), "400", "401"),
        }},
        "/catalog/items/{code}": {"get": {
            "operationId": "get_item", "summary": "执法事项详情", "tags": ["查询"],
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": _responses(_ok("执法事项", "Item"), "401", "404"),
        }},
        "/schema": {"get": {"operationId": "schema", "summary": "本说明（OpenAPI 3.1）", "tags": ["说明"],
                            "security": [], "responses": {"200": {"description": "OpenAPI 文档"}}}},
    }
    for action in CASE_ACTIONS:
        paths[f"/cases/{{id}}/actions/{action}"] = _action_path(action)
    assert not CREATING & set(CASE_ACTIONS)
    return {
        "openapi": "3.1.0",
        "info": {"title": "执法平台数据接口", "version": "1.0.0",
                 "description": "文化市场综合行政执法平台的 JSON 接口。"
                                "错误以 JSON 返回：{code, message, field, basis}，HTTP 状态 4xx；"
                                "办案规则拒绝（422）时 violations 列出全部理由及其法律依据。"
                                "每一办理事项一个地址，由程序表和字段表生成。"},
        "servers": [{"url": PREFIX}],
        "security": [{"token": []}],
        "tags": [{"name": "案件"}, {"name": "办理事项"}, {"name": "文件"}, {"name": "查询"}, {"name": "说明"}],
        "paths": paths,
        "components": _components(),
    }
