"""What the demo workspace is made of: people, companies and the stories customers tell.

Plain data only; `parley.demo.seed` turns it into records through the services.
Addresses use the reserved `.example` domain so nothing can ever be delivered to them.
"""
from dataclasses import dataclass

DOMAIN = "parley.example"
ADMIN = ("admin@parley.example", "Ada Admin")

#: (name, role, teams) of the demo staff besides the admin.
STAFF = [
    ("Sofia Marino", "supervisor", ("Support", "Billing", "Technical")),
    ("Liam Chen", "agent", ("Support",)),
    ("Maya Lopez", "agent", ("Support", "Billing")),
    ("Noah Schmidt", "agent", ("Billing",)),
    ("Priya Nair", "agent", ("Technical",)),
    ("Oskar Berg", "agent", ("Technical", "Support")),
    ("Emma Dubois", "light_agent", ("Billing",)),
]

TEAMS = {
    "Support": "First line: orders, accounts and everything else.",
    "Billing": "Invoices, refunds, plans and payment methods.",
    "Technical": "Bugs, integrations and the API.",
}

SEGMENTS = {"VIP": "#d97706", "Enterprise": "#2563eb", "Trial": "#16a34a"}

#: (organization, domain, segments every member gets)
ORGANIZATIONS = [
    ("Northwind Traders", "northwind.example", ("Enterprise",)),
    ("Globex", "globex.example", ("Enterprise", "VIP")),
    ("Initech", "initech.example", ()),
    ("Umbrella Health", "umbrella.example", ("Enterprise",)),
    ("Stark Logistics", "stark.example", ("VIP",)),
    ("Wayne Outdoor", "wayne.example", ()),
    ("Acme Garden", "acme.example", ("Trial",)),
    ("Soylent Foods", "soylent.example", ()),
    ("Hooli Labs", "hooli.example", ("Trial",)),
    ("Vandelay Imports", "vandelay.example", ()),
]

FIRST_NAMES = [
    "Olivia", "Lucas", "Amelia", "Mateo", "Chloe", "Jonas", "Aisha", "Hugo", "Yuki", "Daniel", "Fatima", "Leon",
    "Grace", "Ravi", "Ines", "Tomás", "Hannah", "Kofi", "Zoe", "Marco", "Elif", "Sven", "Nadia", "Pablo",
]
LAST_NAMES = [
    "Garcia", "Müller", "Rossi", "Kowalski", "Okafor", "Tanaka", "Johansson", "Silva", "Novak", "Haddad",
    "Fischer", "Moreau", "Patel", "Jensen", "Costa", "Ivanova", "Brennan", "Kim", "Larsen", "Mendes",
]
PLANS = ["Free", "Starter", "Growth", "Business"]
COUNTRIES = ["DE", "FR", "GB", "US", "ES", "IT", "NL", "SE", "PL", "BR", "IN", "JP"]


@dataclass(frozen=True)
class Story:
    """One kind of request: what the customer writes, how agents answer, how it is filed."""

    subjects: tuple[str, ...]
    opening: str
    replies: tuple[str, ...]
    follow_ups: tuple[str, ...]
    team: str
    tags: tuple[str, ...]
    type: str = "question"
    priority: str = "normal"
    note: str = ""


# Placeholders: {first} customer's first name, {order} order number, {invoice} invoice number,
# {agent} the agent's first name, {colleague} a colleague's first name (for @mentions).
STORIES = [
    Story(
        subjects=("Where is my order {order}?", "Order {order} still not delivered", "Delivery delayed for {order}"),
        opening="Hi, I ordered on the 3rd and the tracking page still says 'label created'. Order {order}. "
                "Can you tell me when it will arrive? I need it before the weekend.",
        replies=("Hi {first}, sorry for the wait! I checked with the carrier: order {order} left our warehouse yesterday "
                 "and should reach you within two working days. Here is the updated tracking link.",
                 "Good news {first}: the carrier confirms delivery for tomorrow morning. I'll keep an eye on it."),
        follow_ups=("Thanks. The link still shows nothing new though — is that normal?", "It arrived, thank you!"),
        team="Support", tags=("shipping", "order-delay"), priority="normal",
        note="@{colleague} the carrier has had delays in this region all week, FYI.",
    ),
    Story(
        subjects=("Refund for order {order}", "I'd like my money back", "Refund not received yet"),
        opening="Hello, I returned order {order} two weeks ago and haven't seen the refund on my card. "
                "The return was marked as received on your side.",
        replies=("Hi {first}, thanks for your patience. I can see the return was received; I've issued the refund "
                 "today. It usually shows on your statement within 3–5 business days.",
                 "The refund has been confirmed by our payment provider, {first}. Anything else I can help with?"),
        follow_ups=("It's been 5 days and still nothing. Can you send me a confirmation?", "Got it now, cheers."),
        team="Billing", tags=("refund",), priority="high",
        note="@{colleague} can you double-check the refund in the payment dashboard? Customer is waiting.",
    ),
    Story(
        subjects=("Can't log in", "Password reset email never arrives", "Locked out of my account"),
        opening="I've tried to reset my password three times and no email arrives. I checked spam. "
                "I need to get into my account today to download invoices.",
        replies=("Hi {first}, I've cleared the lock on your account and sent a fresh reset link from our side. "
                 "It's valid for one hour — let me know if it doesn't show up.",
                 "Glad you're back in, {first}! I've also turned off the lock that triggered after the failed attempts."),
        follow_ups=("Still no email. Could it be my company's firewall?", "That worked, I'm in. Thanks!"),
        team="Support", tags=("login", "account"), priority="high",
    ),
    Story(
        subjects=("Bug: export to CSV is empty", "Dashboard shows wrong totals", "App crashes when uploading a photo"),
        opening="Since yesterday's update the export gives me a file with only headers. Steps: Reports → Export → CSV. "
                "Browser is Firefox 128 on Windows. This worked last week.",
        replies=("Thanks for the detailed steps, {first}. I can reproduce it and have passed it to our engineers "
                 "with high priority. I'll update you as soon as there is a fix.",
                 "Hi {first}, a fix went out this morning. Could you try the export again and confirm?"),
        follow_ups=("Any news? My team relies on this report every Monday.", "Confirmed, the export works again."),
        team="Technical", tags=("bug",), type="incident", priority="high",
        note="@{colleague} reproduced on staging, looks like the new date filter. Linking the other reports.",
    ),
    Story(
        subjects=("Feature request: dark mode", "Could you add bulk editing?", "Suggestion: export to Google Sheets"),
        opening="Love the product! One thing we miss is being able to do this in bulk — "
                "we have 300 items to update every month. Is that on your roadmap?",
        replies=("Thanks for the suggestion, {first}! I've added your vote to the feature request and shared "
                 "your use case with the product team.",
                 "Quick update {first}: this is now planned for next quarter. I'll let you know when it ships."),
        follow_ups=("Great, any idea of the timeline?",),
        team="Support", tags=("feature-request",), type="task", priority="low",
    ),
    Story(
        subjects=("Invoice {invoice} has the wrong VAT number", "Need a copy of invoice {invoice}",
                  "Question about invoice {invoice}"),
        opening="Hi, our accounting team noticed that invoice {invoice} shows our old VAT number. "
                "Could you reissue it with the correct one? Thanks.",
        replies=("Hi {first}, I've corrected the VAT number on your account and reissued invoice {invoice}. "
                 "You'll find the new PDF under Billing → Invoices.",
                 "You're welcome, {first}. Future invoices will use the new number automatically."),
        follow_ups=("Thanks — can you also send it to our finance inbox?", "Perfect, received."),
        team="Billing", tags=("invoice",), priority="normal",
    ),
    Story(
        subjects=("Upgrade to the Business plan", "How do I change my plan?", "Downgrade question"),
        opening="We're growing and want to move to a bigger plan. Will we be charged the full price "
                "now or pro rata? And do we keep our data?",
        replies=("Hi {first}, great to hear! Upgrades are charged pro rata for the rest of the period and "
                 "all your data stays exactly where it is. I can switch you now if you like.",
                 "Done, {first} — your account is on the new plan. The prorated invoice is in your billing page."),
        follow_ups=("Yes please, go ahead.",),
        team="Billing", tags=("plan-change", "sales"), priority="normal",
    ),
    Story(
        subjects=("API returns 429 too often", "Webhook signature does not verify", "Integration with our ERP"),
        opening="Our integration started getting HTTP 429 responses at around 50 requests per minute. "
                "The docs say the limit is higher. Request id: req_8f2c.",
        replies=("Hi {first}, thanks for the request id. Your key was on the old limit; I've moved it to the "
                 "current one. Please also add a retry with backoff on 429 responses.",
                 "Following up, {first}: the logs look clean since the change. Let us know if you see it again."),
        follow_ups=("We still see a few 429s at peak time.", "All good now, thanks for the quick help."),
        team="Technical", tags=("api", "integration"), type="problem", priority="urgent",
        note="@{colleague} we may need to raise the burst limit for enterprise keys.",
    ),
    Story(
        subjects=("Damaged item in order {order}", "Wrong size delivered", "Missing part in my package"),
        opening="The package for order {order} arrived today but the box was crushed and the item is broken. "
                "Photos attached in my next message. What are my options?",
        replies=("I'm so sorry about that, {first}. I've arranged a free replacement which ships today; "
                 "no need to return the damaged one.",
                 "The replacement for {order} is on its way, {first}. Tracking should update tonight."),
        follow_ups=("Thank you, that's very kind. When will it ship?",),
        team="Support", tags=("shipping", "damaged"), type="incident", priority="high",
    ),
    Story(
        subjects=("Cancel my subscription", "Please close my account", "Stop automatic renewal"),
        opening="Please cancel my subscription at the end of the current period. "
                "We're moving to a different tool for now.",
        replies=("Hi {first}, sorry to see you go! I've scheduled the cancellation for the end of your period; "
                 "you keep full access until then. Could you tell us what we could do better?",
                 "All set, {first}. Your data stays available for export for 30 days after the period ends."),
        follow_ups=("Mostly price, honestly. Thanks for handling it.",),
        team="Billing", tags=("cancellation", "churn-risk"), priority="normal",
    ),
    Story(
        subjects=("How do I add a team member?", "Question about user permissions", "Setting up SSO"),
        opening="How can I invite my colleague and give them read-only access? "
                "I couldn't find it in the settings.",
        replies=("Hi {first}, go to Settings → Members → Invite, and pick the 'Viewer' role. "
                 "They'll get an email to join. Here's our guide with screenshots.",
                 "Happy to help, {first}! Anything else just let us know."),
        follow_ups=("Found it, thanks! Can viewers export reports too?",),
        team="Support", tags=("how-to", "account"), priority="low",
    ),
]

#: A short sign-off an agent adds to a final reply, and what the customer says when it is settled.
SIGN_OFFS = ("Have a great day!", "Best regards,", "Let me know if there's anything else.", "Thanks again for your patience.")
VENDOR_WAIT = "We're waiting for our logistics partner to confirm; I'll update you as soon as I hear back."
ESCALATION_REASONS = ("Needs an engineer to look at the logs.", "Customer is VIP and the issue is blocking.",
                      "Second report of the same problem this week.")
