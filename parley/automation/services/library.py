"""Canned responses and macros: what agents reuse by a shortcut or a click."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.automation import actions as rule_actions
from parley.automation import definitions, variables
from parley.automation.models import CannedResponse, Macro
from parley.automation.services.names import unique_name
from parley.conversations import services as conversation_services
from parley.conversations.models import Conversation
from parley.conversations.services.common import event_message
from parley.core.errors import ValidationFailed
from parley.core.services import audit_record


def _canned_check(*, shortcut: str, title: str, text: str, exclude: int | None = None) -> tuple[str, str, str]:
    shortcut = shortcut.strip().lstrip("/").lower()
    problems = {}
    if not definitions.SHORTCUT.fullmatch(shortcut):
        problems["shortcut"] = "letters, digits, - and _ only, at most 40"
    elif CannedResponse.objects.filter(shortcut=shortcut).exclude(pk=exclude).exists():
        problems["shortcut"] = "another response has this shortcut"
    if not title.strip():
        problems["title"] = "required"
    if not text.strip():
        problems["text"] = "required"
    unknown = variables.unknown_variables(text)
    if unknown:
        problems["text"] = f"unknown variables: {', '.join('{{' + u + '}}' for u in unknown)}"
    if problems:
        raise ValidationFailed(gettext("The canned response is not valid: %(problem)s.") % {"problem": next(iter(problems.values()))},
                               extra=problems)
    return shortcut, title.strip()[:120], text


@transaction.atomic
def canned_response_create(*, shortcut: str, title: str, text: str, actor) -> CannedResponse:
    require(actor, "automation.manage")
    shortcut, title, text = _canned_check(shortcut=shortcut, title=title, text=text)
    canned = CannedResponse.objects.create(shortcut=shortcut, title=title, text=text)
    audit_record(actor=actor, action="canned_response.created", target=canned)
    return canned


@transaction.atomic
def canned_response_update(*, canned: CannedResponse, shortcut: str, title: str, text: str, actor) -> CannedResponse:
    require(actor, "automation.manage")
    canned.shortcut, canned.title, canned.text = _canned_check(shortcut=shortcut, title=title, text=text, exclude=canned.pk)
    canned.save()
    audit_record(actor=actor, action="canned_response.updated", target=canned)
    return canned


@transaction.atomic
def canned_response_delete(*, canned: CannedResponse, actor) -> None:
    require(actor, "automation.manage")
    audit_record(actor=actor, action="canned_response.deleted", target=canned, changes={"shortcut": canned.shortcut})
    canned.delete()


def macro_definition_validate(definition) -> definitions.MacroDefinition:
    parsed = definitions.parse(definitions.MacroDefinition, definition, what="macro")
    problems = rule_actions.references_check(parsed.actions)
    unknown = variables.unknown_variables(parsed.reply)
    if unknown:
        problems["reply"] = f"unknown variables: {', '.join(unknown)}"
    if problems:
        raise ValidationFailed(gettext("The macro is not valid: %(problem)s") % {"problem": next(iter(problems.values()))},
                               extra=problems)
    return parsed


@transaction.atomic
def macro_create(*, name: str, definition: dict, actor) -> Macro:
    require(actor, "automation.manage")
    parsed = macro_definition_validate(definition)
    macro = Macro.objects.create(name=unique_name(Macro, name, what="macro"), definition=parsed.model_dump(mode="json", exclude_none=True))
    audit_record(actor=actor, action="macro.created", target=macro)
    return macro


@transaction.atomic
def macro_update(*, macro: Macro, name: str, definition: dict, actor) -> Macro:
    require(actor, "automation.manage")
    parsed = macro_definition_validate(definition)
    macro.name = unique_name(Macro, name, what="macro", exclude=macro.pk)
    macro.definition = parsed.model_dump(mode="json", exclude_none=True)
    macro.save()
    audit_record(actor=actor, action="macro.updated", target=macro)
    return macro


@transaction.atomic
def macro_delete(*, macro: Macro, actor) -> None:
    require(actor, "automation.manage")
    audit_record(actor=actor, action="macro.deleted", target=macro, changes={"name": macro.name})
    macro.delete()


@transaction.atomic
def macro_apply(*, macro: Macro, conversation: Conversation, actor) -> Conversation:
    """Apply every action of `macro` and send its reply, as the agent; all of it or, on a refusal, none of it."""
    require(actor, "conversation.update")
    parsed = macro_definition_validate(macro.definition)
    event_message(conversation, f"{actor} applied the macro “{macro.name}”.", actor=actor, data={"macro": macro.pk})
    rule_actions.perform_all(parsed.actions, conversation=conversation, actor=actor, keep_going=False)
    if parsed.reply.strip():
        conversation.refresh_from_db()
        conversation_services.message_reply(conversation=conversation, author=actor,
                                            text=variables.render(parsed.reply, conversation=conversation, agent=actor))
    return conversation
