from django.http import HttpResponse


def home(request):
    return HttpResponse("Parley help center")
