"""Settings → Failed jobs: admins see what gave up after its retries and run it again."""
import pytest

from parley.channels.base import InboundMessage
from parley.channels.services import inbox_create
from parley.conversations.models import DeliveryStatus
from parley.conversations.services import message_receive, message_reply
from parley.core.models import Job


@pytest.fixture
def failed_reply(db, agent, run_due_jobs, django_capture_on_commit_callbacks):
    inbox = inbox_create(name="Shop app", kind="api", config={"callback_url": "http://127.0.0.1:9/refused"})
    conversation = message_receive(inbox=inbox, inbound=InboundMessage(
        external_id="f1", identity_kind="external_id", source_id="c1", text="Hello?")).conversation
    with django_capture_on_commit_callbacks(execute=True):
        reply = message_reply(conversation=conversation, author=agent, text="Hi there")
    for _ in range(10):
        run_due_jobs()
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    return reply


def test_an_admin_sees_the_failed_reply_with_its_error_and_retries_it(client, admin, failed_reply, django_capture_on_commit_callbacks):
    client.force_login(admin)

    page = client.get("/settings/failed-jobs/").content.decode()
    assert f"a reply on conversation #{failed_reply.conversation_id}" in page
    assert "callback unreachable" in page
    assert 'href="/settings/failed-jobs/"' in client.get("/").content.decode()

    job = Job.objects.get(target_id=failed_reply.pk)
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/settings/failed-jobs/{job.pk}/retry/")

    assert retried.status_code == 302
    job.refresh_from_db()
    assert job.dead_at is None and job.attempts == 1  # tried again at once, failing again: waits for its next retry


def test_agents_do_not_see_failed_jobs(client, agent, failed_reply):
    client.force_login(agent)
    assert client.get("/settings/failed-jobs/").status_code == 403
    assert "failed-jobs" not in client.get("/").content.decode()


def test_a_failed_reply_can_be_sent_again_by_an_agent_over_the_api(api_as, agent, failed_reply):
    response = api_as(agent).post(f"/conversations/{failed_reply.conversation_id}/messages/{failed_reply.pk}/resend", {})

    assert response.status_code == 200
    failed_reply.refresh_from_db()
    assert failed_reply.delivery_status == DeliveryStatus.QUEUED
    job = Job.objects.get(target_id=failed_reply.pk, queue="message.deliver")
    assert job.dead_at is None
    assert api_as(agent).post(f"/conversations/{failed_reply.conversation_id}/messages/{failed_reply.pk}/resend",
                              {}).status_code == 409


def test_a_reply_a_provider_failed_after_it_was_sent_can_be_sent_again(db, agent, run_due_jobs):
    """Its job finished when it was sent, so sending again queues a new one."""
    from parley.conversations.services import message_resend, message_set_delivery

    inbox = inbox_create(name="Shop app", kind="api")
    conversation = message_receive(inbox=inbox, inbound=InboundMessage(
        external_id="f2", identity_kind="external_id", source_id="c2", text="Hello?")).conversation
    reply = message_reply(conversation=conversation, author=agent, text="Hi there")
    run_due_jobs()
    assert not Job.objects.filter(target_id=reply.pk, queue="message.deliver").exists()
    message_set_delivery(message=reply, status=DeliveryStatus.FAILED, reason="the provider gave up")

    message_resend(message=reply, actor=agent)

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.QUEUED and reply.failure_reason == ""
    run_due_jobs()
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
