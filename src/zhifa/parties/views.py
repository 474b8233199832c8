"""PLACEHOLDER — being written; every function here must be replaced."""
from django.http import HttpResponse



def party_list(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def party_create(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def party_detail(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def party_edit(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def premises_add(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def premises_edit(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def licence_add(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def licence_edit(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)
