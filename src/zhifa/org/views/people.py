"""PLACEHOLDER — being written; every function here must be replaced."""
from django.http import HttpResponse



def people_list(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def person_create(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def person_edit(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def person_roles(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def person_unlock(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def person_reset_otp(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def unit_list(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def unit_edit(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)
