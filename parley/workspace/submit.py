"""The one way a Settings screen handles a posted form: check it, save it through a service, and either
send the admin on with what was done or show the page again with the problem."""
from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect

from parley.core.errors import ApplicationError
from parley.workspace.forms import first_error


def form_submitted(request, form, *, save: Callable[[dict], object], done: Callable[[object], str],
                   refused: Callable[[str, int], object], to: Callable[[object], str]):
    """`save(cleaned_data)` a valid form; then say `done(result)` and redirect to `to(result)`.

    An invalid form (422) or a service's refusal (its status) answers `refused(error, status)`.
    """
    if not form.is_valid():
        return refused(first_error(form), 422)
    try:
        result = save(form.cleaned_data)
    except ApplicationError as exc:
        return refused(exc.message, exc.status)
    messages.success(request, done(result))
    return redirect(to(result))
