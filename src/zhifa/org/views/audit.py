"""PLACEHOLDER — being written; every function here must be replaced."""
from django.http import HttpResponse



def event_list(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)
