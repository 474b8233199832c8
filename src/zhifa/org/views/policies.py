"""PLACEHOLDER — being written; every function here must be replaced."""
from django.http import HttpResponse



def policy_list(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


def policy_edit(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)
