"""Screens of the registry of regulated parties: list, detail, and the forms that call the services.

Views read through the scoping functions (a party outside them is a 404, by id too) and write only
through `services`; a refusal re-renders the form with everything typed and the field's message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from zhifa.law.errors import RuleViolation
from zhifa.law.identifiers import mask_id_number
from zhifa.records.models import Event

from . import services
from .forms import LicenceForm, PartyFilterForm, PartyForm, PremisesForm
from .models import Licence, LicenceStatus, Premises

PAGE_SIZE = 25
_MAX_PK = 2**63 - 1  # larger ids from a hand-typed URL would overflow the database integer

EVENT_LABELS = {
    "parties.created": pgettext_lazy("party event", "登记当事人"),
    "parties.updated": pgettext_lazy("party event", "修改当事人信息"),
    "parties.id_revealed": pgettext_lazy("party event", "查看完整证件号码"),
    "parties.premises_added": pgettext_lazy("party event", "新增经营场所"),
    "parties.premises_updated": pgettext_lazy("party event", "修改经营场所"),
    "parties.licence_added": pgettext_lazy("party event", "新增许可证"),
    "parties.licence_updated": pgettext_lazy("party event", "修改许可证"),
}


def _visible_or_404(qs, pk: int):
    if pk > _MAX_PK:
        raise Http404
    return get_object_or_404(qs, pk=pk)


def _require_writer(request) -> None:
    if not services.can_write_parties(request.user):
        raise PermissionDenied


def _show_errors(form, exc: RuleViolation) -> None:
    for v in getattr(exc, "violations", None) or [exc]:
        form.add_error(v.field if v.field in form.fields else None, v.message)


def _saved(request, text: str, warnings: list[str]) -> None:
    messages.success(request, text)
    for w in warnings:
        messages.warning(request, w)


def _refusal_context(request, exc: RuleViolation) -> dict:
    """A duplicate names the party already registered; link to it when the user may see it."""
    if isinstance(exc, services.Duplicate) and exc.existing_party_id and \
            services.parties_visible_to(request.user).filter(pk=exc.existing_party_id).exists():
        return {"duplicate": {"url": reverse("parties:detail", args=[exc.existing_party_id]),
                              "name": exc.existing_name}}
    return {}


# --- list and detail ----------------------------------------------------------------------------
@login_required
def party_list(request):
    today = timezone.localdate()
    window = services.expiry_window(request.user.agency, today)
    filters = PartyFilterForm(request.GET or None, window=window)
    values = filters.values() if request.GET else dict.fromkeys(filters.fields, "")
    qs = services.search_parties(request.user, q=values["q"], kind=values["kind"],
                                 business_type=values["business_type"], licence=values["licence"], on=today,
                                 window=window)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page:
        p.masked_id = mask_id_number(p.id_number)
        states = [services.licence_state(lic, today, window) for lic in p.licences.all()]
        p.licence_summary = _summary(states)
        p.business_types = sorted({pr.get_business_type_display() for pr in p.premises.all()})
    agencies = {p.agency_id for p in page}
    return render(request, "parties/party_list.html", {
        "active": "parties", "filters": filters, "page": page, "values": values,
        "show_agency": len(agencies) > 1 or request.user.agency_id is None,
        "can_write": services.can_write_parties(request.user), "expiring_days": window,
    })


def _summary(states) -> list[tuple[str, str, int]]:
    order = ["valid", "expiring", "expired", "suspended", "revoked", "cancelled"]
    labels = {"valid": _("有效"), "expiring": _("即将到期"), "expired": _("过期"), "suspended": _("暂停"),
              "revoked": _("吊销"), "cancelled": _("注销")}
    tones = {s.code: s.tone for s in states}
    counts = {code: sum(1 for s in states if s.code == code) for code in order}
    return [(labels[c], tones[c], n) for c, n in counts.items() if n]


@login_required
def party_detail(request, pk: int):
    today = timezone.localdate()
    qs = services.parties_visible_to(request.user).select_related("agency", "created_by").prefetch_related(
        Prefetch("premises", queryset=Premises.objects.order_by("-is_active", "name", "id")),
        Prefetch("licences",
                 queryset=Licence.objects.select_related("premises").order_by("kind", "-valid_from")),
    )
    party = _visible_or_404(qs, pk)
    has_ids = bool(party.id_number or party.representative_id_number)
    reveal = request.GET.get("reveal") == "1" and has_ids
    if reveal:
        services.reveal_id(party, actor=request.user)
    licences = list(party.licences.all())
    window = services.expiry_window(party.agency, today)
    for lic in licences:
        lic.state = services.licence_state(lic, today, window)
        lic.state_label = _licence_state_label(lic.state)
    events = Event.objects.filter(subject=f"party:{party.pk}").order_by("-id")[:20]
    history = [(ev, EVENT_LABELS.get(ev.action, ev.action)) for ev in events]
    return render(request, "parties/party_detail.html", {
        "active": "parties", "party": party, "premises": list(party.premises.all()), "licences": licences,
        "reveal": reveal, "has_ids": has_ids,
        "id_number": party.id_number if reveal else mask_id_number(party.id_number),
        "rep_id_number": (party.representative_id_number if reveal
                          else mask_id_number(party.representative_id_number)),
        "age": party.age_on(today), "history": history,
        "can_write": services.can_write_parties(request.user), "expiring_days": window,
    })


def _licence_state_label(state) -> str:
    """The licence's state as `services.licence_state` names it (in Chinese only), translated."""
    if state.code == "expiring":
        if not state.days_left:
            return _("今日到期")
        return ngettext("即将到期（%(n)d 天后）", "即将到期（%(n)d 天后）", state.days_left) % {"n": state.days_left}
    if state.code == "valid":
        return _("有效")
    try:
        return str(LicenceStatus(state.code).label)
    except ValueError:
        return state.label


# --- party forms --------------------------------------------------------------------------------
def _party_form_page(request, form, *, party=None, extra=None):
    ctx = {"active": "parties", "form": form, "party": party,
           "title": _("修改当事人：%(name)s") % {"name": party.name} if party else _("登记当事人"),
           "cancel_url": reverse("parties:detail", args=[party.pk]) if party else reverse("parties:list")}
    ctx.update(extra or {})
    return render(request, "parties/party_form.html", ctx)


def _confirmed(request, form) -> bool:
    """The user confirmed the similar names shown for exactly the name now in the form."""
    confirm = request.POST.get("confirm_name", "")
    name = services.party_name(form.cleaned_data["kind"], form.cleaned_data["name"])
    return bool(confirm) and confirm == name


@login_required
def party_create(request):
    _require_writer(request)
    if request.method != "POST":
        form = PartyForm(initial={"kind": "organisation", "id_type": "resident_id"})
        return _party_form_page(request, form)
    form = PartyForm(request.POST)
    if form.is_valid():
        try:
            saved = services.create_party(agency=request.user.agency, actor=request.user,
                                          data=form.cleaned_data, confirm_similar=_confirmed(request, form))
        except services.NeedsConfirmation as ask:
            return _party_form_page(request, form, extra={"similar": ask.similar, "confirm_name": ask.name,
                                                          "ask": ask.message})
        except RuleViolation as exc:
            _show_errors(form, exc)
            return _party_form_page(request, form, extra=_refusal_context(request, exc))
        _saved(request, _("已登记当事人「%(name)s」") % {"name": saved.obj.name}, saved.warnings)
        return redirect("parties:detail", saved.obj.pk)
    return _party_form_page(request, form)


@login_required
def party_edit(request, pk: int):
    party = _visible_or_404(services.parties_visible_to(request.user), pk)
    _require_writer(request)
    if request.method != "POST":
        initial = {f: getattr(party, f) for f in services.PARTY_FIELDS}
        return _party_form_page(request, PartyForm(initial=initial, editing=True), party=party)
    form = PartyForm(request.POST, editing=True)
    if form.is_valid():
        try:
            saved = services.update_party(party, actor=request.user, data=form.cleaned_data,
                                          confirm_similar=_confirmed(request, form))
        except services.NeedsConfirmation as ask:
            return _party_form_page(request, form, party=party, extra={
                "similar": ask.similar, "confirm_name": ask.name, "ask": ask.message})
        except RuleViolation as exc:
            _show_errors(form, exc)
            return _party_form_page(request, form, party=party, extra=_refusal_context(request, exc))
        _saved(request, _("已保存修改") if saved.changed else _("没有需要保存的修改"), saved.warnings)
        return redirect("parties:detail", party.pk)
    return _party_form_page(request, form, party=party)


# --- premises and licences ----------------------------------------------------------------------
def _sub_form_page(request, form, *, party, title, extra=None):
    ctx = {"active": "parties", "form": form, "party": party, "title": title,
           "cancel_url": reverse("parties:detail", args=[party.pk])}
    ctx.update(extra or {})
    return render(request, "parties/sub_form.html", ctx)


@login_required
def premises_add(request, pk: int):
    party = _visible_or_404(services.parties_visible_to(request.user), pk)
    _require_writer(request)
    title = _("新增经营场所：%(name)s") % {"name": party.name}
    if request.method != "POST":
        form = PremisesForm(initial={"address": party.address})
        return _sub_form_page(request, form, party=party, title=title)
    form = PremisesForm(request.POST)
    if form.is_valid():
        try:
            saved = services.add_premises(party, actor=request.user, data=form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            _saved(request, _("已新增经营场所「%(name)s」") % {"name": saved.obj.name}, saved.warnings)
            return redirect("parties:detail", party.pk)
    return _sub_form_page(request, form, party=party, title=title)


@login_required
def premises_edit(request, pk: int):
    premises = _visible_or_404(services.premises_visible_to(request.user).select_related("party__agency"), pk)
    _require_writer(request)
    party = premises.party
    title = _("修改经营场所：%(name)s") % {"name": premises.name}
    if request.method != "POST":
        initial = {f: getattr(premises, f) for f in services.PREMISES_FIELDS}
        return _sub_form_page(request, PremisesForm(initial=initial, editing=True), party=party, title=title)
    form = PremisesForm(request.POST, editing=True)
    if form.is_valid():
        try:
            saved = services.update_premises(premises, actor=request.user, data=form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            _saved(request, _("已保存修改") if saved.changed else _("没有需要保存的修改"), saved.warnings)
            return redirect("parties:detail", party.pk)
    return _sub_form_page(request, form, party=party, title=title)


@login_required
def licence_add(request, pk: int):
    party = _visible_or_404(services.parties_visible_to(request.user).prefetch_related("premises"), pk)
    _require_writer(request)
    title = _("新增许可证：%(name)s") % {"name": party.name}
    if request.method != "POST":
        only = list(party.premises.all())
        initial = {"premises": str(only[0].pk)} if len(only) == 1 else {}
        return _sub_form_page(request, LicenceForm(initial=initial, party=party), party=party, title=title)
    form = LicenceForm(request.POST, party=party)
    if form.is_valid():
        try:
            saved = services.add_licence(party, actor=request.user, data=form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
            return _sub_form_page(request, form, party=party, title=title,
                                  extra=_refusal_context(request, exc))
        _saved(request, _("已新增许可证 %(number)s") % {"number": saved.obj.number}, saved.warnings)
        return redirect("parties:detail", party.pk)
    return _sub_form_page(request, form, party=party, title=title)


@login_required
def licence_edit(request, pk: int):
    licence = _visible_or_404(services.licences_visible_to(request.user).select_related("party__agency"), pk)
    _require_writer(request)
    party = licence.party
    title = _("修改许可证：%(kind)s %(number)s") % {"kind": licence.get_kind_display(), "number": licence.number}
    if request.method != "POST":
        initial = {f: getattr(licence, f) for f in services.LICENCE_FIELDS}
        initial["premises"] = str(licence.premises_id or "")
        return _sub_form_page(request, LicenceForm(initial=initial, party=party), party=party, title=title)
    form = LicenceForm(request.POST, party=party)
    if form.is_valid():
        try:
            saved = services.update_licence(licence, actor=request.user, data=form.cleaned_data)
        except RuleViolation as exc:
            _show_errors(form, exc)
            return _sub_form_page(request, form, party=party, title=title,
                                  extra=_refusal_context(request, exc))
        _saved(request, _("已保存修改") if saved.changed else _("没有需要保存的修改"), saved.warnings)
        return redirect("parties:detail", party.pk)
    return _sub_form_page(request, form, party=party, title=title)
