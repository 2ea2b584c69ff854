"""Customers ask and answer in the community; agents answer with a badge, moderate, and promote answers to articles."""
import pytest
from django.urls import reverse

from parley.community.models import Answer, Question
from parley.community.services import topic_create
from parley.contacts.models import Contact
from parley.core import actors
from parley.knowledge.models import Article
from parley.knowledge.services import category_create, section_create


@pytest.fixture
def topic(db):
    return topic_create(name="Cameras", description="Lenses, batteries and settings", actor=actors.SYSTEM)


@pytest.fixture
def signed_in():
    """Sign a test client in as a portal customer (the email-link sign-in has its own tests)."""
    def sign(client, email: str):
        contact = Contact.objects.create(name=email.split("@")[0].title(), email=email)
        session = client.session
        session["portal_contact_id"] = contact.pk
        session.save()
        return contact

    return sign


def _ask(client, topic, title="Battery drains overnight", body="My camera battery is empty every morning."):
    return client.post(reverse("community:ask", args=[topic.slug]), {"title": title, "body": body})


def test_only_signed_in_customers_may_post(client, topic):
    response = _ask(client, topic)

    assert response.status_code == 302 and "/portal/login/" in response["Location"]
    assert client.post(reverse("community:answer", args=[1]), {"body": "x"}).status_code == 302
    assert not Question.objects.exists()


def test_a_question_gets_answers_votes_and_an_accepted_answer(client, topic, signed_in):
    from django.test import Client

    asker = signed_in(client, "rita@example.test")
    question = Question.objects.get(pk=int(_ask(client, topic)["Location"].rstrip("/").split("/")[-1]))
    helper_client = Client()
    signed_in(helper_client, "omar@example.test")
    helper_client.post(reverse("community:answer", args=[question.pk]), {"body": "Turn off **Wi-Fi** in the settings."})
    answer = Answer.objects.get()

    client.post(reverse("community:vote", args=[answer.pk]), {"value": "up"})
    client.post(reverse("community:vote", args=[answer.pk]), {"value": "up"})
    client.post(reverse("community:accept", args=[answer.pk]))

    page = client.get(reverse("community:question", args=[question.pk])).content.decode()
    assert "✔ Accepted answer" in page and "<strong>Wi-Fi</strong>" in page
    answer.refresh_from_db()
    assert answer.score == 1 and question.author == asker
    refused = helper_client.post(reverse("community:accept", args=[answer.pk]))
    assert refused.status_code == 403 and "Only the person who asked" in refused.content.decode()


def test_an_empty_question_is_refused_with_the_reason(client, topic, signed_in):
    signed_in(client, "rita@example.test")

    response = _ask(client, topic, title="", body="")

    assert response.status_code == 400 and "This field is required." in response.content.decode()


def _asked_with_staff(client, topic, signed_in, agent):
    """Rita asks a question; return it and a client signed in as the agent who moderates it."""
    from django.test import Client

    signed_in(client, "rita@example.test")
    _ask(client, topic)
    staff = Client()
    staff.force_login(agent)
    return Question.objects.get(), staff


def test_agents_answer_with_a_staff_badge_hide_spam_and_lock(client, topic, signed_in, agent):
    question, staff = _asked_with_staff(client, topic, signed_in, agent)

    staff.post(reverse("community-moderation:question", args=[question.pk, "answer"]), {"body": "Update the firmware to 2.1."})
    page = client.get(reverse("community:question", args=[question.pk])).content.decode()
    assert "Staff</span>" in page and "firmware" in page

    staff.post(reverse("community-moderation:question", args=[question.pk, "lock"]))
    refused = client.post(reverse("community:answer", args=[question.pk]), {"body": "Me too"})
    assert refused.status_code == 400 and "closed to new answers" in refused.content.decode()

    staff.post(reverse("community-moderation:question", args=[question.pk, "spam"]))
    assert client.get(reverse("community:question", args=[question.pk])).status_code == 404
    assert "Battery drains overnight" not in client.get(reverse("community:home")).content.decode()


def test_an_agent_promotes_a_great_answer_to_a_draft_article(client, topic, signed_in, agent):
    from django.test import Client

    section_create(category=category_create(name="Cameras", actor=actors.SYSTEM), name="Batteries", actor=actors.SYSTEM)
    signed_in(client, "rita@example.test")
    _ask(client, topic)
    question = Question.objects.get()
    helper = Client()
    signed_in(helper, "omar@example.test")
    helper.post(reverse("community:answer", args=[question.pk]), {"body": "Turn off Wi-Fi when the camera sleeps."})
    staff = Client()
    staff.force_login(agent)

    response = staff.post(reverse("community-moderation:answer", args=[Answer.objects.get().pk, "promote"]))

    article = Article.objects.get()
    assert response.status_code == 302 and article.status == "draft" and "community" in article.tags
    assert article.translations.get().title == "Battery drains overnight"


def test_only_agents_moderate(client, topic, agent, make_agent):
    assert client.get(reverse("community-moderation:home")).status_code == 302
    client.force_login(make_agent("light_agent"))
    assert client.get(reverse("community-moderation:home")).status_code == 403
    client.force_login(agent)
    assert client.get(reverse("community-moderation:home")).status_code == 200


def test_a_customer_whose_browser_asks_for_spanish_is_told_in_spanish_why_their_answer_is_refused(client, topic, signed_in, agent):
    question, staff = _asked_with_staff(client, topic, signed_in, agent)
    staff.post(reverse("community-moderation:question", args=[question.pk, "lock"]))

    refused = client.post(reverse("community:answer", args=[question.pk]), {"body": "Yo también"}, HTTP_ACCEPT_LANGUAGE="es")

    assert refused.status_code == 400 and "Esta pregunta ya no admite respuestas nuevas." in refused.content.decode()
