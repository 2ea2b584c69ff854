"""A Content-Security-Policy for the pages people use (workspace and portal).

Every script is a static file, so no inline script may run, whatever reaches a page. Inline style
attributes stay allowed: customer mail keeps its (sanitized, layout-neutral) styling that way.
Images may come from https only because an agent asked (remote images are stripped until then).
"""
#: Paths that keep their own pages' needs (Django admin, the API docs, the demo shop, which stands for a
#: customer's own site embedding the chat widget under that site's policy); everything else gets the policy.
_EXEMPT_PREFIXES = ("/admin/", "/api/", "/demo/")


def content_security_policy(host: str) -> str:
    sockets = f"ws://{host} wss://{host}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https:",
        f"connect-src 'self' {sockets}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if html and not request.path.startswith(_EXEMPT_PREFIXES) and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.get_host())
        return response
