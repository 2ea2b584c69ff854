from parley.cli import main
from parley.contacts.models import Contact
from parley.conversations.models import Conversation
from parley.demo.seed import demo_seed


def test_given_a_seeded_workspace_when_reset_with_yes_then_the_same_workspace_returns_with_a_new_password(transactional_db, capsys):
    first = demo_seed(seed=3)
    subjects = list(Conversation.objects.order_by("created_at").values_list("subject", flat=True))
    Contact.objects.filter(pk=Contact.objects.first().pk).update(name="Changed by hand")

    assert main(["demo", "--reset", "--yes", "--seed", "3"]) == 0

    out = capsys.readouterr().out
    assert "Seeding the demo workspace: 150/150 conversations" in out
    assert "admin@parley.example" in out and first.password not in out
    assert "Every demo agent signs in with the same password" in out
    assert "maya.lopez@parley.example" in out and "light_agent" in out
    assert list(Conversation.objects.order_by("created_at").values_list("subject", flat=True)) == subjects
    assert not Contact.objects.filter(name="Changed by hand").exists()
