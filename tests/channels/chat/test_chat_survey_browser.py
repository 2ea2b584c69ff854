"""In headless Chromium: the CSAT survey of a solved chat shows as a card in the widget and is answered there."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from parley.accounts.services import agent_set_availability
from parley.conversations.models import Conversation, Status
from parley.conversations.services import message_reply
from parley.surveys.models import Survey

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def widget(page):
    return page.locator("#parley-chat")


def test_a_visitor_answers_the_csat_survey_inside_the_chat_widget(parley_server, page, chat_inbox, agent, run_due_jobs):
    agent_set_availability(user=agent, availability="online")
    page.goto(f"{parley_server}/demo/shop/")
    widget(page).get_by_role("button", name="Open chat").click()
    widget(page).get_by_label("Write a message…").fill("My parcel never came.")
    widget(page).get_by_role("button", name="Send").click()
    expect(widget(page).locator(".msg.visitor[data-id]")).to_be_visible()

    conversation = Conversation.objects.get(inbox=chat_inbox)

    def agent_solves_and_the_worker_runs():
        message_reply(conversation=conversation, author=agent, text="A new one is on its way.", status=Status.SOLVED)
        while run_due_jobs():  # the CSAT subscriber asks, the outbox delivers, the push reaches the widget
            pass
        connection.close()

    # Off this thread: the browser's event loop runs on it, and the push to the widget's socket needs one of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(agent_solves_and_the_worker_runs).result()

    assert Survey.objects.filter(conversation=conversation, channel="chat").exists()
    # The visitor comes back to the shop: the widget fetches the chat's messages, the survey among them.
    page.reload()
    widget(page).get_by_role("button", name="Open chat").click()
    card = widget(page).locator(".msg.survey")
    expect(card).to_contain_text("How would you rate the support you received?")
    expect(card.get_by_role("button")).to_have_count(5)
    card.get_by_role("button", name="4 – Happy").click()
    expect(card.locator(".survey-answer")).to_have_text("You answered 4 out of 5. Thank you!")
    card.get_by_label("Anything you would like to add?").fill('Quick, thanks! <img src=x onerror="window.__pwned=1">')
    card.get_by_role("button", name="Send comment").click()
    expect(card.locator(".survey-comment")).to_have_text('Quick, thanks! <img src=x onerror="window.__pwned=1">')

    survey = Survey.objects.get(conversation=conversation)
    assert (survey.kind, survey.channel, survey.score) == ("csat", "chat", 4)
    assert survey.comment.startswith("Quick, thanks!")
    # Back later, the card shows the answer; nothing can be answered twice.
    page.reload()
    widget(page).get_by_role("button", name="Open chat").click()
    expect(widget(page).locator(".msg.survey .survey-answer")).to_have_text("You answered 4 out of 5. Thank you!")
    expect(widget(page).locator(".msg.survey button")).to_have_count(0)
    assert page.evaluate("window.__pwned") is None
