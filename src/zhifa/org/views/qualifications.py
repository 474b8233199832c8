"""PLACEHOLDER — being written; every function here must be replaced."""
from django.http import HttpResponse



def roster(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def alerts(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def person_detail(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def certificate_add(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def certificate_status(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def annual_review_add(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def training_add(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)
