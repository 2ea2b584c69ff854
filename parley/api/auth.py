from ninja.security import HttpBearer

from parley.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer prl_…`: a per-agent token; the request runs as that agent."""

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user
