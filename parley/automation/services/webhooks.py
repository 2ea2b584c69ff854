"""Outgoing webhooks: subscribe a URL to events; deliver signed payloads through the shared retry mechanism.

Each delivery is a row and a job ("webhook.deliver"): the worker makes the request outside any
transaction, with a short timeout, so a receiver that hangs or fails only delays its own
delivery, never the conversation that caused it. Every attempt is logged; failures back off
exponentially (core.jobs); after `PARLEY_WEBHOOK_DISABLE_AFTER` failed attempts in a row the
webhook is switched off and the admins are told.

Requests only go to public addresses unless an admin allowed private ones for that webhook:
the host is resolved, every address is checked, and the request is made to the checked
address (the name still used for Host and TLS), so DNS cannot change the answer in between.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.models import Role, User
from parley.accounts.permissions import require
from parley.automation.models import DeliveryState, Webhook, WebhookAttempt, WebhookDelivery
from parley.automation.services.names import unique_name
from parley.conversations.models import Conversation
from parley.core import actors, jobs
from parley.core.errors import PermissionDenied, ValidationFailed
from parley.core.events import EVENTS
from parley.core.services import audit_record
from parley.core.kept import kept

DELIVER_QUEUE = "webhook.deliver"
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30
SIGNATURE_HEADER = "Parley-Signature"
TIMESTAMP_HEADER = "Parley-Timestamp"
#: Webhooks subscribed to this receive every event.
ALL_EVENTS = "*"
RULE_EVENT = "automation.rule"


# --- signing -----------------------------------------------------------------------------------------

def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the Parley-Signature value: "v1=" + hex HMAC-SHA256 of "<timestamp>." + body under the webhook's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


# --- where requests may go ---------------------------------------------------------------------------

class UnsafeTarget(ValidationFailed):
    """A URL that resolves to a private, loopback, link-local or otherwise non-public address."""


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def target_addresses(url: str, *, allow_private: bool) -> list[str]:
    """Resolve `url`'s host and return its addresses; refuse the URL if any is not public (unless allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(gettext("A webhook URL starts with http:// or https:// and names a host."),
                               extra={"url": "not an http(s) URL"})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise ValidationFailed(gettext("The host %(host)s cannot be resolved (%(error)s).") % {"host": parts.hostname, "error": exc},
                               extra={"url": "host not found"}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not allow_private:
        private = [a for a in addresses if not _public(ipaddress.ip_address(a.split("%")[0]))]
        if private:
            raise UnsafeTarget(gettext("%(host)s resolves to %(addresses)s, a private, loopback or link-local address: refused "
                                       "(an admin may allow private targets for this webhook).")
                               % {"host": parts.hostname, "addresses": ", ".join(private)}, extra={"url": "private address"})
    return addresses


# --- managing webhooks -------------------------------------------------------------------------------

def _events_check(events: list[str]) -> list[str]:
    events = list(dict.fromkeys(e.strip() for e in events if e.strip()))
    unknown = [e for e in events if e != ALL_EVENTS and e not in EVENTS]
    if not events or unknown:
        raise ValidationFailed(gettext("Unknown events: %(events)s.") % {"events": ", ".join(unknown)} if unknown
                               else gettext("Choose at least one event."),
                               extra={"events": f"known: {', '.join(EVENTS)} or {ALL_EVENTS}"})
    return events


def _settings_check(*, name: str, url: str, events: list[str], allow_private: bool, actor, exclude: int | None = None):
    require(actor, "webhook.manage")
    if allow_private and actors.is_person(actor) and actor.role != Role.ADMIN:
        raise PermissionDenied(gettext("Only admins may allow private targets."), extra={"allow_private": "admins only"})
    name = unique_name(Webhook, name, what="webhook", exclude=exclude)
    url = url.strip()
    if len(url) > 500:
        raise ValidationFailed(gettext("The URL is longer than 500 characters."), extra={"url": "too long"})
    target_addresses(url, allow_private=allow_private)
    return name, url, _events_check(events)


@transaction.atomic
def webhook_create(*, name: str, url: str, events: list[str], actor, allow_private: bool = False) -> Webhook:
    """Subscribe `url` to `events`; a fresh secret signs its deliveries."""
    name, url, events = _settings_check(name=name, url=url, events=events, allow_private=allow_private, actor=actor)
    webhook = Webhook.objects.create(name=name, url=url, events=events, allow_private=allow_private,
                                     secret=secrets.token_urlsafe(32))
    audit_record(actor=actor, action="webhook.created", target=webhook, changes={"url": url, "events": events,
                                                                                "allow_private": allow_private})
    return webhook


@transaction.atomic
def webhook_update(*, webhook: Webhook, name: str, url: str, events: list[str], is_active: bool, allow_private: bool,
                   actor) -> Webhook:
    """Change a webhook; switching it on again clears its run of failures."""
    webhook.name, webhook.url, webhook.events = _settings_check(name=name, url=url, events=events, allow_private=allow_private,
                                                                actor=actor, exclude=webhook.pk)
    if is_active and not webhook.is_active:
        webhook.consecutive_failures, webhook.disabled_at, webhook.disabled_reason = 0, None, ""
    webhook.is_active, webhook.allow_private = is_active, allow_private
    webhook.save()
    audit_record(actor=actor, action="webhook.updated", target=webhook, changes={"url": webhook.url, "is_active": is_active,
                                                                                "allow_private": allow_private})
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor) -> None:
    require(actor, "webhook.manage")
    audit_record(actor=actor, action="webhook.deleted", target=webhook, changes={"url": webhook.url})
    webhook.delete()


# --- queueing deliveries -----------------------------------------------------------------------------

def _queue(webhook: Webhook, *, event_name: str, payload: dict, event_id: int | None) -> WebhookDelivery | None:
    delivery, created = WebhookDelivery.objects.get_or_create(
        webhook=webhook, event_id=event_id, defaults={"event_name": event_name, "payload": payload, "created_at": timezone.now()})
    if not created and event_id is not None:
        return None
    jobs.enqueue(DELIVER_QUEUE, delivery.pk)
    return delivery


@kept(models=("automation.Webhook",))
def active_webhook_events() -> tuple[tuple[int, frozenset[str]], ...]:
    """Each active webhook's id and the events it listens to: most events have no webhook listening."""
    return tuple((pk, frozenset(events)) for pk, events in Webhook.objects.filter(is_active=True).values_list("pk", "events"))


def webhooks_fan_out(name: str, payload: dict) -> None:
    """Queue a delivery of event `name` to every active webhook subscribed to it (the durable subscriber "webhooks")."""
    # Read before writing: an event no webhook listens to takes no write lock.
    listening_ids = [pk for pk, events in active_webhook_events() if name in events or ALL_EVENTS in events]
    if not listening_ids:
        return
    listening = Webhook.objects.filter(pk__in=listening_ids, is_active=True)
    with transaction.atomic():
        for webhook in listening:
            _queue(webhook, event_name=name, payload=payload, event_id=payload["event_id"])


def delivery_queue_for_rule(*, webhook: Webhook, conversation: Conversation, actor, trigger: dict) -> WebhookDelivery:
    """Queue a call of `webhook` by a rule, with the conversation as it is now."""
    if not webhook.is_active:
        raise ValidationFailed(gettext("The webhook %(webhook)s is switched off.") % {"webhook": webhook}, extra={"webhook": "inactive"})
    snapshot = {
        "number": conversation.pk, "subject": conversation.subject, "status": conversation.status,
        "priority": conversation.priority, "tier": conversation.tier, "custom_fields": conversation.custom_fields,
        "tags": sorted(conversation.tags.values_list("name", flat=True)),
        "contact": {"id": conversation.contact_id, "name": conversation.contact.name, "email": conversation.contact.email},
    }
    return _queue(webhook, event_name=RULE_EVENT, event_id=None,
                  payload={"rule": getattr(actor, "name", str(actor)), "conversation": snapshot, "trigger": trigger})


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor) -> None:
    """Send a delivery again with fresh attempts (the redeliver button), whatever became of it."""
    require(actor, "webhook.manage")
    jobs.job_requeue(queue=DELIVER_QUEUE, target_id=delivery.pk, actor=actor)


def delivery_requeued(delivery_id: int) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(state=DeliveryState.QUEUED, delivered_at=None)


def delivery_dead(delivery_id: int, reason: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, state=DeliveryState.QUEUED).update(state=DeliveryState.FAILED)


# --- delivering --------------------------------------------------------------------------------------

class DeliveryFailed(Exception):
    """The receiver did not accept the delivery: the job retries it with backoff."""


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps({"id": delivery.pk, "event": delivery.event_name, "created_at": delivery.created_at.isoformat(),
                       "data": delivery.payload}, separators=(",", ":")).encode()


def _request(webhook: Webhook, body: bytes, headers: dict) -> httpx.Response:
    """POST to the checked address of the webhook's host (Host and TLS still use the name)."""
    address = target_addresses(webhook.url, allow_private=webhook.allow_private)[0]
    url = httpx.URL(webhook.url)
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    with httpx.Client(timeout=settings.PARLEY_WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client:
        request = client.build_request("POST", url.copy_with(host=address), content=body, extensions=extensions,
                                       headers={**headers, "Host": url.netloc.decode()})
        return client.send(request)


def webhook_deliver(*, delivery_id: int) -> None:
    """Make one attempt at a queued delivery and log it (the job handler of "webhook.deliver")."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != DeliveryState.QUEUED:
        return
    webhook = delivery.webhook
    if not webhook.is_active:
        raise jobs.Permanent(f"the webhook {webhook} is switched off")
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "Parley-Webhooks/1", "Parley-Event": delivery.event_name,
               "Parley-Delivery": str(delivery.pk), TIMESTAMP_HEADER: str(timestamp),
               SIGNATURE_HEADER: signature(webhook.secret, timestamp, body)}
    started = time.monotonic()
    status, excerpt, error, unsafe = None, "", "", False
    try:
        response = _request(webhook, body, headers)
        status, excerpt = response.status_code, response.text[:500]
        if not 200 <= status < 300:
            error = f"answered HTTP {status}"
    except UnsafeTarget as exc:
        error, unsafe = exc.message, True
    except ValidationFailed as exc:
        error = exc.message
    except httpx.TimeoutException:
        error = f"no answer within {settings.PARLEY_WEBHOOK_TIMEOUT_SECONDS:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = round((time.monotonic() - started) * 1000)
    _record(delivery, status=status, excerpt=excerpt, error=error, duration_ms=duration_ms)
    if error and not Webhook.objects.filter(pk=webhook.pk, is_active=True).exists():
        return  # switched off by this failure: the delivery is marked failed, nothing more to try
    if unsafe:
        raise jobs.Permanent(error)
    if error:
        raise DeliveryFailed(error)


@transaction.atomic
def _record(delivery: WebhookDelivery, *, status: int | None, excerpt: str, error: str, duration_ms: int) -> None:
    now = timezone.now()
    WebhookAttempt.objects.create(delivery=delivery, status_code=status, response_excerpt=excerpt, error=error,
                                  duration_ms=duration_ms, at=now)
    webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.DELIVERED, delivered_at=now)
        webhook.consecutive_failures = 0
        webhook.save(update_fields=["consecutive_failures"])
        return
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    webhook.refresh_from_db()
    if webhook.is_active and webhook.consecutive_failures >= settings.PARLEY_WEBHOOK_DISABLE_AFTER:
        _disable(webhook, reason=f"{webhook.consecutive_failures} failed attempts in a row; the last: {error}")


def _disable(webhook: Webhook, *, reason: str) -> None:
    """Switch a failing webhook off and tell every admin (by mail, and on Settings → Webhooks)."""
    webhook.is_active, webhook.disabled_at, webhook.disabled_reason = False, timezone.now(), reason
    webhook.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    audit_record(actor=actors.SYSTEM, action="webhook.disabled", target=webhook, changes={"reason": reason})
    WebhookDelivery.objects.filter(webhook=webhook, state=DeliveryState.QUEUED).update(state=DeliveryState.FAILED)
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True))
    link = f"{settings.PARLEY_BASE_URL}/settings/webhooks/{webhook.pk}/"
    transaction.on_commit(lambda: send_mail(
        f"Webhook “{webhook}” was switched off", f"Parley switched off the webhook “{webhook}” ({webhook.url}): {reason}.\n\n"
        f"Fix the receiver, then switch the webhook on again: {link}", None, admins, fail_silently=True))
