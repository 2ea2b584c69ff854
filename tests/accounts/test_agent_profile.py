"""An agent changing their own name and email signature."""
import pytest

from parley.accounts.models import User
from parley.accounts.services import SIGNATURE_MAX_LENGTH, agent_update_profile
from parley.core.errors import ValidationFailed
from parley.core.models import AuditEntry


def test_given_a_new_name_and_signature_when_saved_then_both_are_kept_trimmed_and_audited(agent):
    agent_update_profile(user=agent, name="  Sam Agent-Ortiz ", signature="Sam\nSupport, Parley\n\n")

    saved = User.objects.get(pk=agent.pk)
    assert (saved.name, saved.signature) == ("Sam Agent-Ortiz", "Sam\nSupport, Parley")
    entry = AuditEntry.objects.get(action="agent.profile_updated")
    assert entry.actor == agent and entry.changes["name"] == ["Sam Agent", "Sam Agent-Ortiz"]


def test_saving_the_same_profile_again_records_nothing(agent):
    agent_update_profile(user=agent, name="Sam Agent", signature="")

    assert not AuditEntry.objects.filter(action="agent.profile_updated").exists()


@pytest.mark.parametrize(("name", "signature", "field"), [
    ("   ", "Sam", "name"),
    ("x" * 151, "", "name"),
    ("Sam", "x" * (SIGNATURE_MAX_LENGTH + 1), "signature"),
], ids=["blank-name", "name-too-long", "signature-too-long"])
def test_a_blank_or_oversized_profile_is_refused_and_nothing_changes(agent, name, signature, field):
    with pytest.raises(ValidationFailed) as refused:
        agent_update_profile(user=agent, name=name, signature=signature)

    assert field in refused.value.extra
    saved = User.objects.get(pk=agent.pk)
    assert (saved.name, saved.signature) == ("Sam Agent", "")
