from django.utils.translation import gettext
from ninja.security import HttpBearer

from parley.accounts.services import api_token_authenticate
from parley.ratelimit.services import client_ip, rate_limit_hit, rate_limit_wait, rate_of


class TokenAuth(HttpBearer):
    """`Authorization: Bearer prl_…`: a per-agent token; the request runs as that agent."""

    def authenticate(self, request, token):
        # Wrong tokens are counted per address, so guessing gets a 429 long before it could succeed.
        caller, rate = client_ip(request), rate_of("PARLEY_RATE_API_TOKEN")
        rate_limit_wait(scope="api-token", subject=caller, rate=rate, what=gettext("requests with a wrong API token"))
        user = api_token_authenticate(token)
        if user is None:
            rate_limit_hit(scope="api-token", subject=caller, rate=rate)
        else:
            request.user = user
        return user
