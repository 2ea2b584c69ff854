"""The public help center: search with snippets, article pages in the customer's language, feedback, suggestions, deflections."""
import pytest
from django.urls import reverse

from parley.knowledge.models import ArticleFeedback, Deflection, SearchLog


def test_home_shows_categories_and_popular_articles(client, help_center):
    page = client.get("/portal/").content.decode()

    assert "Popular articles" in page and "Returns" in page and "Track your order" in page


def test_search_shows_results_with_the_words_highlighted(client, help_center):
    page = client.get(reverse("help:search"), {"q": "customs duties"}).content.decode()

    assert "Shipping abroad, customs and import duties" in page
    assert "<mark>customs</mark>" in page
    assert SearchLog.objects.get().result_count > 0


def test_a_search_without_results_is_logged_and_shown_to_the_team(client, admin, help_center):
    client.get(reverse("help:search"), {"q": "zzyzx plutonium"})
    client.get(reverse("help:search"), {"q": "zzyzx plutonium"})

    client.force_login(admin)
    report = client.get(reverse("knowledge:report")).content.decode()
    assert "zzyzx plutonium" in report and "<td>2</td>" in report


def test_an_article_counts_its_views_and_switches_language(client, help_center):
    article = help_center["reset-password"]
    url = reverse("help:article", args=[article.slug])

    english = client.get(url).content.decode()
    german = client.get(url, {"lang": "de"}).content.decode()

    assert "Reset your password" in english and 'hreflang="de"' in english
    assert "Passwort zurücksetzen" in german and 'lang="de"' in german
    article.refresh_from_db()
    assert article.view_count == 2


def test_an_unknown_locale_falls_back_to_the_default_language(client, help_center):
    page = client.get(reverse("help:article", args=[help_center["reset-password"].slug]), {"lang": "xx-YY"})

    assert page.status_code == 200 and "Reset your password" in page.content.decode()


def test_the_browser_language_picks_the_translation(client, help_center):
    page = client.get(reverse("help:article", args=[help_center["return-item"].slug]), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert "Artikel zurücksenden" in page.content.decode()


def test_drafts_and_unknown_articles_are_not_found(client, help_center):
    assert client.get(reverse("help:article", args=["no-such-article"])).status_code == 404


def test_feedback_is_recorded_with_its_comment(client, help_center):
    article = help_center["invoice"]

    response = client.post(reverse("help:feedback", args=[article.slug]), {"helpful": "no", "comment": "Where is the VAT?"})

    assert response.status_code == 200 and "Thank you for your feedback" in response.content.decode()
    feedback = ArticleFeedback.objects.get()
    assert not feedback.helpful and feedback.comment == "Where is the VAT?"
    article.refresh_from_db()
    assert article.unhelpful_count == 1


@pytest.mark.parametrize("data", [{}, {"helpful": "maybe"}, {"helpful": "yes", "comment": "x" * 5000}])
def test_bad_feedback_is_refused_and_says_why(client, help_center, data):
    response = client.post(reverse("help:feedback", args=[help_center["invoice"].slug]), data)

    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not ArticleFeedback.objects.exists()


def test_the_contact_form_suggests_articles_and_an_opened_one_counts_as_a_deflection(client, help_center):
    suggestions = client.get(reverse("help:suggest"), {"subject": "", "message": "the parcel is marked delivered but it is not here"}).content.decode()
    assert "My parcel is marked delivered but I did not get it" in suggestions and "from=form" in suggestions

    client.get(reverse("help:article", args=[help_center["lost-parcel"].slug]), {"from": "form"})

    deflection = Deflection.objects.get()
    assert deflection.article == help_center["lost-parcel"] and not deflection.submitted
    assert deflection.query == "the parcel is marked delivered but it is not here"


def test_submitting_the_form_after_all_undoes_the_deflection(client, help_center, webform_inbox):
    client.get(reverse("help:suggest"), {"message": "my parcel never arrived"})
    client.get(reverse("help:article", args=[help_center["lost-parcel"].slug]), {"from": "form"})

    form = {"name": "Rita Ruiz", "email": "rita@example.test", "subject": "Lost parcel", "website": "",
            "message": "My parcel never arrived.", "submission_id": "7f6c3a52-2a0e-4a53-9a51-0a3a4e0b9c11"}
    assert client.post(reverse("portal:contact"), form).status_code == 302

    assert Deflection.objects.get().submitted


def test_short_input_suggests_nothing(client, help_center):
    assert "suggestions" not in client.get(reverse("help:suggest"), {"message": "hi"}).content.decode()
    assert not SearchLog.objects.exists()
