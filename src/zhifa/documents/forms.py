"""The documents' forms: a draft's inputs (from its type), service, correction, template upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhifa.law import service as law_service

from .fields import ROW_COLUMNS
from .types import SPECS

EXTRA_ROWS = 3
MAX_ROWS = 500


class DraftForm(forms.Form):
    """The inputs of one document type: text fields by name ``f_<name>``; each row of a table input as
    ``f_<name>__<n>__<column>`` (the saved rows and three empty ones)."""

    def __init__(self, code: str, *args, inputs: dict[str, Any] | None = None, served_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code
        inputs = inputs or {}
        self.tables: list[dict] = []
        for i in SPECS[code].inputs:
            if i.kind == "rows":
                columns = ROW_COLUMNS[i.columns]
                saved = inputs.get(i.name) or []
                count = len(saved) + EXTRA_ROWS
                if self.is_bound:  # the rows the form sent, up to what a draft keeps (services._clean_inputs)
                    count = min(max(count, self._bound_rows(i.name)), MAX_ROWS)
                rows = []
                for n in range(count):
                    cells = []
                    for c in columns:
                        key = f"f_{i.name}__{n}__{c.name}"
                        initial = saved[n].get(c.name, "") if n < len(saved) else ""
                        self.fields[key] = forms.CharField(label=c.label, required=False, initial=initial,
                                                           max_length=2000)
                        cells.append(key)
                    rows.append(cells)
                self.tables.append({"name": i.name, "label": i.label, "required": i.required,
                                    "columns": [c.label for c in columns], "rows": rows})
                continue
            widget = forms.Textarea(attrs={"rows": 6}) if i.kind == "longtext" else forms.TextInput()
            self.fields[f"f_{i.name}"] = forms.CharField(
                label=i.label, required=False, initial=inputs.get(i.name, ""), widget=widget,
                max_length=200 if i.kind != "longtext" else 20000,
                help_text=_("签发前须填写") if i.required else "")
        if served_choices is not None:
            self.fields["f__served"] = forms.TypedChoiceField(
                label=_("所送达的文书"), required=False, coerce=int, empty_value=None,
                choices=[("", _("（最近签发的须送达文书）")), *list(served_choices)],
                initial=inputs.get("_served") or "")

    def _bound_rows(self, name: str) -> int:
        prefix = f"f_{name}__"
        most = -1
        for key in self.data:
            if key.startswith(prefix):
                try:
                    most = max(most, int(key[len(prefix):].split("__", 1)[0]))
                except ValueError:
                    continue
        return most + 1

    def table_rows(self):
        """The tables with bound fields, for the template."""
        return [{**t, "rows": [[self[k] for k in cells] for cells in t["rows"]]} for t in self.tables]

    def plain_fields(self):
        return [self[k] for k in self.fields if "__" not in k.removeprefix("f__")]

    def inputs(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {}
        for i in SPECS[self.code].inputs:
            if i.kind == "rows":
                table = next(t for t in self.tables if t["name"] == i.name)
                out[i.name] = [{c.name: d.get(k, "") for c, k in zip(ROW_COLUMNS[i.columns], cells, strict=False)}
                               for cells in table["rows"]]
            else:
                out[i.name] = d.get(f"f_{i.name}", "")
        if d.get("f__served"):
            out["_served"] = d["f__served"]
        return out


class ServeForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=list(law_service.METHODS.items()))
    on = forms.DateField(label=_("送达日期"), help_text=_(
        "直接送达为签收日期；留置送达为留置日期；邮寄送达为回执上的收件日期；"
                                                       "电子送达为到达受送达人系统的日期；公告送达为公告发出日期（经过三十日视为送达）"),
                         widget=forms.DateInput(attrs={"type": "date"}))
    recipient = forms.CharField(label=_("受送达人（签收人）"), required=False, max_length=120)
    recipient_relation = forms.CharField(label=_("签收人与当事人的关系"), required=False, max_length=40,
                                         help_text=_("本人、同住成年家属、法定代表人、负责收件的人等（民事诉讼法第八十八条）"))
    place = forms.CharField(label=_("送达地点"), required=False, max_length=200)
    witness = forms.CharField(label=_("见证人"), required=False, max_length=120, help_text=_("留置送达时"))
    tracking_no = forms.CharField(label=_("邮件单号"), required=False, max_length=60, help_text=_("邮寄送达时"))
    address = forms.CharField(label=_("电子送达地址"), required=False, max_length=200, help_text=_("电子送达时"))
    reason = forms.CharField(label=_("公告送达的原因和经过"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    medium = forms.CharField(label=_("公告方式"), required=False, max_length=200)
    proof = forms.ChoiceField(label=_("送达回证（回执）扫描件"), required=False)
    av_file = forms.ChoiceField(label=_("音像记录"), required=False)
    av_reason = forms.CharField(label=_("未能录制的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        files = [(f.digest, f"{f.original_name}（{f.uploaded_at:%Y-%m-%d}）") for f in case_files]
        self.fields["proof"].choices = [("", _("（无）")), *files]
        av = [(f.digest, name) for (f, (_d, name)) in zip(case_files, files, strict=False)
              if f.media_type.startswith(("audio/", "video/"))]
        self.fields["av_file"].choices = [("", _("（无）")), *av]


class CorrectForm(forms.Form):
    reason = forms.CharField(label=_("更正理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("模板文件（.docx）"))
    note = forms.CharField(label=_("修改说明"), max_length=200)
