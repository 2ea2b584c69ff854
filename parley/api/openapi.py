"""The OpenAPI document says what the server really answers: every error with its JSON body, not only success,
and every field an answer always carries marked required."""
from ninja import NinjaAPI

ERROR_SCHEMA = {
    "type": "object", "required": ["message", "extra"],
    "properties": {
        "message": {"type": "string", "description": "What went wrong, in plain words."},
        "extra": {"type": "object", "description": "Details by field or topic, e.g. {\"priority\": \"not one of …\"}."},
    },
}
#: Status codes any operation may answer, with when.
ERRORS = {
    "400": "The body is not JSON.",
    "401": "No valid API token (Authorization: Bearer …).",
    "403": "The token's agent may not do this.",
    "404": "Something the path or body names does not exist.",
    "409": "The request conflicts with the current state (e.g. resending a reply that did not fail).",
    "413": "The body or an attachment is too large.",
    "422": "A field is missing or invalid; `extra` names it.",
    "429": "Too many requests (wrong tokens); wait `Retry-After` seconds.",
}


class DocumentedErrorsAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for path in schema["paths"].values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERRORS.items():
                    responses.setdefault(status, {"description": description, **error})
                if "429" in responses:
                    responses["429"].setdefault("headers", {"Retry-After": {
                        "description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}})
        _require_answer_fields(schema)
        return schema


def _refs(node, found: set[str]) -> set[str]:
    """Collect the component schemas `node` names, directly or through other components (filled in by _closure)."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _closure(names: set[str], components: dict) -> set[str]:
    pending, seen = list(names), set()
    while pending:
        name = pending.pop()
        if name not in seen and name in components:
            seen.add(name)
            pending.extend(_refs(components[name], set()) - seen)
    return seen


def _require_answer_fields(schema: dict) -> None:
    """Mark every property of a schema only used in answers as required: the server always writes each field
    (null where it has no value), so a client may rely on it. Schemas that requests use keep their own rules."""
    components = schema["components"]["schemas"]
    answers, requests = set(), set()
    for path in schema["paths"].values():
        for operation in path.values():
            _refs(operation.get("responses", {}), answers)
            _refs(operation.get("requestBody", {}), requests)
            _refs(operation.get("parameters", []), requests)
    for name in _closure(answers, components) - _closure(requests, components):
        properties = components[name].get("properties")
        if properties:
            components[name]["required"] = list(properties)
