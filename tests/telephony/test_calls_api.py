"""The calls API: the log of a contact's calls, notes on a call, and the handle and abandonment figures."""
from datetime import timedelta

from django.utils import timezone

from parley.accounts.services import api_token_create
from parley.channels.voice.models import Call, CallOutcome
from parley.contacts.services import contact_resolve_identity


def test_an_integration_reads_a_customers_calls_annotates_one_and_reads_the_figures(bearer, agent, voice_inbox):
    _, secret = api_token_create(user=agent, name="crm")
    api = bearer(secret)
    contact = contact_resolve_identity(inbox=voice_inbox, kind="phone", source_id="+14155552671")
    now = timezone.now()
    answered = Call.objects.create(inbox=voice_inbox, call_sid="CA1", direction="inbound", from_number="+14155552671",
                                   to_number="+14155550199", contact=contact, outcome=CallOutcome.ANSWERED, talk_seconds=240,
                                   wait_seconds=20, started_at=now - timedelta(hours=2), ivr_path=["welcome", "main=2", "sales"])
    Call.objects.create(inbox=voice_inbox, call_sid="CA2", direction="inbound", from_number="+14155559999",
                        to_number="+14155550199", outcome=CallOutcome.ABANDONED, wait_seconds=300, started_at=now - timedelta(hours=1))

    listed = api.get("/calls", contact_id=contact.pk)
    noted = api.patch(f"/calls/{answered.pk}", {"notes": "Upgraded the plan", "disposition": "sale"})
    stats = api.get("/calls/stats", since=(now - timedelta(days=1)).isoformat())
    unknown = api.patch("/calls/999999", {"notes": "x"})

    assert listed.status_code == 200
    assert [(c["call_sid"], c["ivr_path"], c["talk_seconds"]) for c in listed.json()["items"]] == [
        ("CA1", ["welcome", "main=2", "sales"], 240)]
    assert noted.status_code == 200 and (noted.json()["notes"], noted.json()["disposition"]) == ("Upgraded the plan", "sale")
    assert stats.json() == {"calls": 2, "answered": 1, "abandoned": 1, "voicemail": 0, "callback": 0,
                            "average_handle_seconds": 240, "average_wait_seconds": 20, "abandonment_rate": 0.5}
    assert unknown.status_code == 404
