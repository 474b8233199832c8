"""The case screens' forms: filters, 案源登记 / 当场处罚, and one form per action built from its payload schema.

A form only checks types and turns its values into the payload ``services.transition`` reads
(``payload.payload_schema``); the rules are the service's. Every write form carries the idempotency key made when
it was rendered and the case version it was built on, so a double submit is taken once and a stale form is refused.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from functools import lru_cache
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhifa.catalog.models import EnforcementItem
from zhifa.law import procedure as proc
from zhifa.law.penalties import KIND_LABELS, PenaltyKind

from .payload import REVIEW_CHECKS, Field, payload_schema

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_ERRORS = {"invalid": _("请输入有效日期，例如 2026-03-05。")}
_TEXT_MAX = 200
_LONG_MAX = 5000


def new_key() -> str:
    return uuid.uuid4().hex


@lru_cache(maxsize=32)
def _options_html(name: str, language: str, choices: tuple) -> str:
    return "".join(format_html('<option value="{}">{}</option>', v, label) for v, label in choices)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("查找"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"class": "search", "placeholder": _("案件编号、案由或当事人")}))
    state = forms.ChoiceField(label=_("办案阶段"), required=False)
    procedure = forms.ChoiceField(label=_("程序"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部阶段")), *((s.value, label) for s, label in
                                                               proc.STATE_LABELS.items())]
        self.fields["procedure"].choices = [("", _("全部程序")), *((p.value, label) for p, label in
                                                                   proc.PROCEDURE_LABELS.items())]

    def controls(self) -> SafeString:
        """The filter bar's labelled controls, built here: Django's widget templates render every ``<option>``
        through the template engine, which took a third of the case list's rendering time."""
        parts = []
        for name, field in self.fields.items():
            bound = self[name]
            value = bound.value() or ""
            if isinstance(field, forms.ChoiceField):
                options = _options_html(name, get_language(), tuple(field.choices))
                if value and f'<option value="{escape(value)}">' in options:
                    options = options.replace(f'<option value="{escape(value)}">',
                                              f'<option value="{escape(value)}" selected>', 1)
                control = format_html('<select name="{}" id="{}">{}</select>', name, bound.auto_id,
                                      mark_safe(options))
            else:
                attrs = field.widget.attrs
                control = format_html('<input type="text" name="{}" class="{}" placeholder="{}" maxlength="{}" '
                                      'id="{}"{}>', name, attrs.get("class", ""), attrs.get("placeholder", ""),
                                      field.max_length, bound.auto_id,
                                      format_html(' value="{}"', value) if value else "")
            parts.append(format_html('<div class="field"><label for="{}">{}</label>{}</div>', bound.auto_id,
                                     field.label, control))
        return mark_safe("".join(parts))

    def values(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"q": "", "state": "", "procedure": ""}
        return {k: (self.cleaned_data.get(k) or "").strip() for k in ("q", "state", "procedure")}


class StepForm(forms.Form):
    """The hidden pair every write form carries."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31,
                                          required=False)

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = new_key()
        if version is not None:
            self.fields["expected_version"].initial = version

    def base_payload(self) -> dict[str, Any]:
        v = self.cleaned_data.get("expected_version")
        return {"expected_version": v} if v is not None else {}


def _user_label(user) -> str:
    return user.full_name or user.username


def _form_field(name: str, f: Field, *, people, parties, items, row: proc.Transition | None,
                today: date) -> dict[str, forms.Field]:
    """The form fields for one schema field (a penalty or an evidence entry takes several)."""
    label = f.label
    req = f.required and not f.today_default
    if f.kind == "text":
        return {name: forms.CharField(label=label, required=req, max_length=f.max_length)}
    if f.kind == "longtext":
        return {name: forms.CharField(label=label, required=req, max_length=_LONG_MAX,
                                      widget=forms.Textarea(attrs={"rows": 3}))}
    if f.kind == "date":
        return {name: forms.DateField(label=label, required=req, widget=_DATE, error_messages=_DATE_ERRORS,
                                      initial=today if f.today_default else None)}
    if f.kind == "bool":
        return {name: forms.BooleanField(label=label, required=False, initial=(name == "approved"))}
    if f.kind == "int":
        return {name: forms.IntegerField(label=label, required=req, min_value=0, max_value=999)}
    if f.kind == "money":
        return {name: forms.DecimalField(label=label, required=req, min_value=0, max_digits=14, decimal_places=2)}
    if f.kind == "choice":
        return {name: forms.ChoiceField(label=label, required=req,
                                        choices=[("", "—"), *dict(f.choices or {}).items()])}
    if f.kind == "user":
        return {name: forms.TypedChoiceField(label=label, required=req, coerce=int, empty_value=None,
                                             choices=[("", "—"), *((u.pk, _user_label(u)) for u in people)])}
    if f.kind == "users":
        return {name: forms.TypedMultipleChoiceField(label=label, required=req, coerce=int,
                                                     widget=forms.CheckboxSelectMultiple,
                                                     choices=[(u.pk, _user_label(u)) for u in people])}
    if f.kind == "party":
        return {name: forms.TypedChoiceField(label=label, required=req, coerce=int, empty_value=None,
                                             choices=[("", "—"), *((p.pk, p.name) for p in parties)])}
    if f.kind == "items":
        return {name: forms.MultipleChoiceField(label=label, required=req,
                                                widget=forms.SelectMultiple(attrs={"size": 8}),
                                                choices=[(i.code, f"{i.code} {i.name}") for i in items])}
    if f.kind == "penalty":
        kinds = [(k.value, KIND_LABELS[k]) for k in PenaltyKind if k is not PenaltyKind.DETENTION]
        return {
            f"{name}_kinds": forms.MultipleChoiceField(label=_("处罚种类"), required=f.required, choices=kinds,
                                                       widget=forms.CheckboxSelectMultiple),
            f"{name}_fine": forms.DecimalField(label=_("罚款金额（元）"), required=False, min_value=0,
                                               max_digits=14, decimal_places=2),
            f"{name}_confiscation": forms.DecimalField(label=_("没收的数额或者价值（元）"), required=False,
                                                       min_value=0, max_digits=14, decimal_places=2),
        }
    if f.kind == "documents":
        codes = _entry_codes(name, row, proc.DOCUMENT_LABELS)
        return {name: forms.MultipleChoiceField(
            label=_("已制作的文书"), required=f.required, widget=forms.CheckboxSelectMultiple,
            choices=[(c, proc.DOCUMENT_LABELS[c]) for c in codes],
            initial=list(row.documents) if row is not None else [],
            help_text=_("勾选本步骤已制作（送达）的执法文书；本步骤要求的文书已预选。"))}
    if f.kind == "records":
        codes = [c for c in _entry_codes(name, row, proc.RECORD_LABELS) if c != "evidence"]
        return {name: forms.MultipleChoiceField(
            label=_("已形成的记录"), required=f.required, widget=forms.CheckboxSelectMultiple,
            choices=[(c, proc.RECORD_LABELS[c]) for c in codes],
            initial=[c for c in (row.records if row is not None else ()) if c != "evidence"])}
    if f.kind == "evidence":
        return {
            "evidence_kind": forms.ChoiceField(label=_("证据种类"), required=True,
                                               choices=[("", "—"), *proc.EVIDENCE_KINDS.items()]),
            "evidence_description": forms.CharField(label=_("证据内容"), required=True, max_length=_LONG_MAX,
                                                    widget=forms.Textarea(attrs={"rows": 3})),
            "evidence_file_hash": forms.CharField(label=_("文件哈希（可选）"), required=False, max_length=64),
        }
    if f.kind == "checks":
        return {name: forms.MultipleChoiceField(
            label=label, required=False, widget=forms.CheckboxSelectMultiple,
            choices=list(REVIEW_CHECKS.items()),
            help_text=_("逐项确认（法制审核通过须全部符合）。"))}
    if f.kind == "names":
        return {name: forms.CharField(label=label, required=req, max_length=_LONG_MAX,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("每行一人，或以逗号分隔。"))}
    return {}  # facts: the discretion form of its own


def _entry_codes(name: str, row: proc.Transition | None, labels) -> list[str]:
    """The documents (records) a step's form offers: those its row requires; a clue's by its source; every one
    for the bookkeeping acts that register them (登记文书, 登记记录材料)."""
    if row is None:
        return list(labels)
    codes = list(row.documents if name == "documents" else row.records)
    if row.action == proc.Action.SERVE and name == "records":  # 留置送达 (policy record.av_steps)
        codes.append("av_record_or_reason")
    if row.creates and name == "documents":
        codes += [c for c in proc.CLUE_DOCUMENTS.values() if c and c not in codes]
    return codes


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "quantize"):
        return str(value)
    return value


class ActionForm(StepForm):
    """The form of one action (or bookkeeping act), field by field from ``payload_schema(action)``."""

    def __init__(self, *args, action: str, people=(), parties=(), items=(), row=None, today: date,
                 version: int | None = None, case_files=None, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        schema = {k: f for k, f in payload_schema(action).items() if k != "expected_version"}
        # the action's own fields first, then the documents, records and note every step may carry
        common = ("documents", "records", "note")
        self.schema = {**{k: f for k, f in schema.items() if k not in common},
                       **{k: schema[k] for k in common if k in schema}}
        if row is None and action not in ("record_document", "record_material"):
            self.schema = {k: f for k, f in self.schema.items() if k not in ("documents", "records")}
        for name, f in self.schema.items():
            self.fields.update(_form_field(name, f, people=people, parties=parties, items=items, row=row,
                                           today=today))
        for name in ("documents", "records"):
            if name in self.fields and not self.fields[name].choices:
                del self.fields[name]
                del self.schema[name]
        if case_files is not None:
            self._file_fields(list(case_files))

    def _file_fields(self, case_files) -> None:
        """The case's uploaded files to name: the 音像记录 of the records the step registers (or the reason there is
        none, law.md §2.2), and the file of an evidence entry."""
        from .files import is_audio_video, type_label

        def label(f) -> str:
            parts = [f.original_name, type_label(f.media_type)]
            if f.device:
                parts.append(str(_("设备 %(device)s")) % {"device": f.device})
            if f.captured_at:
                parts.append(timezone.localtime(f.captured_at).strftime("%Y-%m-%d %H:%M"))
            return " · ".join(parts)

        codes = {c for c, _label in self.fields["records"].choices} if "records" in self.fields else set()
        if codes & set(proc.AV_RULES):
            self.fields["av_file"] = forms.ChoiceField(
                label=_("音像记录文件"), required=False,
                choices=[("", "—"), *((f.digest, label(f)) for f in case_files if is_audio_video(f))],
                help_text=_("先在案件页面“上传文件”上传执法记录仪等设备的录音录像（填写设备编号），再在此选择。"))
        if "av_record_or_reason" in codes:
            self.fields["av_reason"] = forms.CharField(
                label=_("未能录制音像记录的理由"), required=False, max_length=_LONG_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("没有音像记录文件的，写明未能录制的理由（国办发〔2018〕118号）。"))
        if "evidence_file_hash" in self.fields:
            self.fields["evidence_file_hash"] = forms.ChoiceField(
                label=_("所附文件"), required=False, choices=[("", "—"), *((f.digest, label(f)) for f in case_files)],
                help_text=_("先在案件页面“上传文件”上传证据文件，再在此选择。"))

    def _record_entries(self, codes: list[str]) -> list[Any]:
        """The records the step registers: an 音像记录 with the file or the reason given on the form."""
        data = self.cleaned_data
        out: list[Any] = []
        for code in codes:
            if code not in proc.AV_RULES or not ("av_file" in self.fields or "av_reason" in self.fields):
                out.append(code)
                continue
            entry: dict[str, Any] = {"code": code}
            if data.get("av_file"):
                entry["file_hash"] = data["av_file"]
            if code == "av_record_or_reason" and (data.get("av_reason") or "").strip():
                entry["description"] = data["av_reason"].strip()
            out.append(entry)
        return out

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = self.base_payload()
        for name, f in self.schema.items():
            if f.kind == "penalty":
                kinds = data.get(f"{name}_kinds") or []
                if kinds:
                    p: dict[str, Any] = {"kinds": list(kinds)}
                    for part in ("fine", "confiscation"):
                        if data.get(f"{name}_{part}") is not None:
                            p[part] = str(data[f"{name}_{part}"])
                    out[name] = p
                continue
            if f.kind == "evidence":
                e = {"kind": data.get("evidence_kind"), "description": data.get("evidence_description", "")}
                if data.get("evidence_file_hash"):
                    e["file_hash"] = data["evidence_file_hash"].strip()
                out[name] = [e]
                continue
            if f.kind == "checks":
                chosen = set(data.get(name) or [])
                out[name] = {code: code in chosen for code in REVIEW_CHECKS}
                continue
            if f.kind == "names":
                names = [n.strip() for n in re.split(r"[\n,，、;；]+", data.get(name) or "") if n.strip()]
                if names:
                    out[name] = names
                continue
            value = data.get(name)
            if f.kind == "bool":
                out[name] = bool(value)
                continue
            if f.kind == "records":
                codes = list(value or [])
                offered = {c for c, _label in self.fields[name].choices} if name in self.fields else set()
                if "av_record_or_reason" in offered and "av_record_or_reason" not in codes and (
                        data.get("av_file") or (data.get("av_reason") or "").strip()):
                    codes.append("av_record_or_reason")  # a file or reason given is the record, ticked or not
                if codes:
                    out[name] = self._record_entries(codes)
                continue
            if value in (None, "", []):
                continue
            out[name] = [_json(v) for v in value] if isinstance(value, list) else _json(value)
        return out

    def field_for(self, schema_field: str | None) -> str | None:
        """The form field a service error names (``penalty.fine`` → ``penalty_fine``; ``evidence[0].kind`` …)."""
        if not schema_field:
            return None
        head = re.split(r"[.\[]", schema_field, maxsplit=1)[0]
        f = self.schema.get(head)
        if f is None:
            return None
        if f.kind == "penalty":
            part = schema_field.split(".", 1)[1] if "." in schema_field else "kinds"
            name = f"{head}_{part}"
            return name if name in self.fields else f"{head}_kinds"
        if f.kind == "evidence":
            part = schema_field.rsplit(".", 1)[1] if "." in schema_field else "description"
            name = f"evidence_{part}"
            return name if name in self.fields else "evidence_description"
        if f.kind == "records" and schema_field.endswith((".file_hash", ".description")):
            name = "av_file" if schema_field.endswith(".file_hash") else "av_reason"
            if name in self.fields:
                return name
        return head if head in self.fields else None


def item_choices():
    return EnforcementItem.objects.filter(status=EnforcementItem.Status.ACTIVE).order_by("code")


_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UploadForm(forms.Form):
    """A file for the case (证据文件、音像记录) with where, when and by which device it was made. The form only
    reads the values; ``files.store_upload`` judges them (type, size, times …)."""

    file = forms.FileField(label=_("文件"), help_text=_("图片、PDF、音频、视频、办公文档或文本；按文件内容判断类型。"))
    captured_at = forms.DateTimeField(label=_("形成时间"), required=False, widget=_MOMENT,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                                      help_text=_("拍摄、录制（开始）或制作的时间。"),
                                      error_messages={"invalid": _("请输入有效的日期时间，例如 2026-03-05 14:30。")})
    captured_until = forms.DateTimeField(label=_("结束时间"), required=False, widget=_MOMENT,
                                         input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                                         help_text=_("录音录像结束的时间。"),
                                         error_messages={"invalid": _("请输入有效的日期时间，例如 2026-03-05 14:30。")})
    place = forms.CharField(label=_("地点"), required=False, max_length=200)
    device = forms.CharField(label=_("设备编号"), required=False, max_length=80,
                             help_text=_("执法记录仪等音像设备的编号；音像记录必填。"))
    note = forms.CharField(label=_("说明"), required=False, max_length=_LONG_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
