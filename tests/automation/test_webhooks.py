"""Outgoing webhooks against a real HTTP server on loopback (allowed as a private target by an admin)."""
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from parley.accounts.models import Role
from parley.automation.models import DeliveryState, Webhook, WebhookDelivery
from parley.automation.services.rules import rule_create
from parley.automation.services.webhooks import delivery_redeliver, webhook_create, webhook_update
from parley.core.errors import PermissionDenied, ValidationFailed
from parley.core.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hook(admin, receiver):
    return webhook_create(name="CRM", url=receiver.url, events=["conversation.created"], allow_private=True, actor=admin)


def verify(secret: str, headers: dict, body: bytes, *, now: float, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/automation.md shows it."""
    timestamp = headers["Parley-Timestamp"]
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["Parley-Signature"])


def test_an_event_is_delivered_signed_and_logged(hook, receiver, api_inbox, receive):
    conversation = receive(api_inbox, "Hello").conversation

    [request] = receiver.requests
    body = json.loads(request["body"])
    assert (body["event"], body["data"]["conversation_id"]) == ("conversation.created", conversation.pk)
    assert request["headers"]["Parley-Event"] == "conversation.created"
    assert verify(hook.secret, request["headers"], request["body"], now=time.time())
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED
    [attempt] = delivery.attempts.all()
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "answer 200", "")
    assert attempt.duration_ms >= 0


def test_a_forged_or_replayed_payload_fails_verification(hook, receiver, api_inbox, receive):
    receive(api_inbox, "Hello")
    [request] = receiver.requests

    tampered = request["body"].replace(b"conversation.created", b"conversation.deleted")
    assert not verify(hook.secret, request["headers"], tampered, now=time.time())
    assert not verify("another secret", request["headers"], request["body"], now=time.time())
    assert not verify(hook.secret, request["headers"], request["body"], now=time.time() + 3600)


def test_a_failing_receiver_is_retried_with_exponential_backoff_until_it_accepts(hook, receiver, api_inbox, receive, run_due_jobs):
    receiver.plan = [500, 503, 200]
    receive(api_inbox, "Hello")
    delivery = WebhookDelivery.objects.get()
    job = Job.objects.get(queue="webhook.deliver")
    first_wait = job.due_at - timezone.now()
    assert delivery.state == DeliveryState.QUEUED
    assert timedelta(seconds=20) < first_wait <= timedelta(seconds=30)

    run_due_jobs("webhook.deliver")
    second_wait = Job.objects.get(queue="webhook.deliver").due_at - timezone.now()
    assert timedelta(seconds=50) < second_wait <= timedelta(seconds=60)

    run_due_jobs("webhook.deliver")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert [a.status_code for a in delivery.attempts.order_by("at", "id")] == [500, 503, 200]
    assert [a.error for a in delivery.attempts.order_by("at", "id")] == ["answered HTTP 500", "answered HTTP 503", ""]
    assert len({r["headers"]["Parley-Delivery"] for r in receiver.requests}) == 1
    assert not Job.objects.filter(queue="webhook.deliver").exists()


def test_a_receiver_that_hangs_times_out_and_the_conversation_goes_on(hook, receiver, api_inbox, receive, settings, run_due_jobs):
    settings.PARLEY_WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.plan = ["hang"]

    message = receive(api_inbox, "Hello")

    assert message.conversation.messages.filter(text="Hello").exists()
    [attempt] = WebhookDelivery.objects.get().attempts.all()
    assert (attempt.status_code, attempt.error) == (None, "no answer within 0.3 s")
    run_due_jobs("webhook.deliver")
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED


def test_repeated_failures_switch_the_webhook_off_and_tell_the_admins(hook, receiver, api_inbox, receive, settings, run_due_jobs, admin):
    settings.PARLEY_WEBHOOK_DISABLE_AFTER = 3
    receiver.plan = [500] * 10

    receive(api_inbox, "First", source_id="a")
    receive(api_inbox, "Second", source_id="b")
    run_due_jobs("webhook.deliver")

    hook.refresh_from_db()
    assert not hook.is_active
    assert hook.consecutive_failures == 3
    assert "3 failed attempts in a row; the last: answered HTTP 500" in hook.disabled_reason
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.FAILED}
    [notice] = mail.outbox
    assert notice.to == [admin.email] and "CRM" in notice.subject and "switched off" in notice.body

    receive(api_inbox, "Third", source_id="c")
    assert WebhookDelivery.objects.count() == 2
    assert len(receiver.requests) == 3

    webhook_update(webhook=hook, name="CRM", url=receiver.url, events=["conversation.created"], is_active=True,
                   allow_private=True, actor=admin)
    hook.refresh_from_db()
    assert (hook.is_active, hook.consecutive_failures, hook.disabled_at) == (True, 0, None)


def test_redeliver_sends_a_delivered_event_again_and_logs_it(hook, receiver, api_inbox, receive, admin):
    receive(api_inbox, "Hello")
    delivery = WebhookDelivery.objects.get()

    delivery_redeliver(delivery=delivery, actor=admin)

    assert len(receiver.requests) == 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert delivery.attempts.count() == 2


def test_a_rule_calls_a_webhook_with_the_conversation(admin, receiver, api_inbox, receive):
    webhook_create(name="Escalations", url=receiver.url, events=["conversation.updated"], allow_private=True, actor=admin)
    rule_create(name="Tell the CRM", kind="trigger", actor=admin, definition={
        "events": ["message.received"], "conditions": [{"field": "message.text", "op": "contains", "value": "cancel"}],
        "actions": [{"type": "webhook", "webhook": "Escalations"}]})

    conversation = receive(api_inbox, "Please cancel my subscription").conversation

    [request] = receiver.requests
    body = json.loads(request["body"])
    assert body["event"] == "automation.rule"
    assert body["data"]["rule"] == "Tell the CRM"
    assert body["data"]["conversation"]["number"] == conversation.pk
    assert body["data"]["trigger"]["event"] == "message.received"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://169.254.169.254/latest/meta-data",
                                 "http://10.1.2.3/", "http://[::1]/", "http://192.168.0.10/", "http://[::ffff:127.0.0.1]/"])
def test_private_loopback_and_link_local_targets_are_refused(admin, url):
    with pytest.raises(ValidationFailed, match="private, loopback or link-local") as refused:
        webhook_create(name="Sneaky", url=url, events=["conversation.created"], actor=admin)

    assert refused.value.extra == {"url": "private address"}
    assert not Webhook.objects.exists()


def test_only_admins_manage_webhooks_and_allow_private_targets(make_agent, receiver):
    supervisor = make_agent(Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        webhook_create(name="CRM", url=receiver.url, events=["conversation.created"], allow_private=True, actor=supervisor)


def test_a_target_that_turned_private_is_refused_at_delivery_and_never_called(hook, receiver, api_inbox, receive):
    Webhook.objects.filter(pk=hook.pk).update(allow_private=False)  # as if the name now resolved to a private address

    receive(api_inbox, "Hello")

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert "private, loopback or link-local" in delivery.attempts.get().error


def test_unknown_events_and_bad_urls_are_refused(admin, receiver):
    with pytest.raises(ValidationFailed, match="Unknown events: conversation.exploded"):
        webhook_create(name="CRM", url=receiver.url, events=["conversation.exploded"], allow_private=True, actor=admin)
    with pytest.raises(ValidationFailed, match="http:// or https://"):
        webhook_create(name="CRM", url="ftp://example.com/x", events=["*"], actor=admin)
