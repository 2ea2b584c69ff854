"""Twilio's documented webhook parameters and signatures, as the SMS and voice tests send them."""
from twilio.request_validator import RequestValidator
from twilio_fake import ACCOUNT_SID, AUTH_TOKEN

SMS_NUMBER = "+14155550100"
VOICE_NUMBER = "+14155550199"
CUSTOMER = "+14155552671"


def signature(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature as Twilio computes it, with the twilio package's own validator."""
    return RequestValidator(token).compute_signature(url, params)


def inbound_sms(sid: str = "SM" + "1" * 32, body: str = "Where is my order?", *, sender: str = CUSTOMER, to: str = SMS_NUMBER,
                **extra) -> dict:
    """The form Twilio posts for an incoming message (its documented parameters)."""
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": to, "Body": body,
            "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01", **extra}


def acme_flow(team_id: int) -> list[dict]:
    """A menu tree with every kind of node: hours, menus by key or word, a language, order status, queue, call-back."""
    return [
        {"id": "welcome", "type": "hours", "open_next": "jingle", "closed_next": "closed"},
        {"id": "jingle", "type": "play", "url": "https://example.com/acme-jingle.mp3", "next": "main"},
        {"id": "closed", "type": "voicemail", "text": "We are closed. Please leave a message after the tone."},
        {"id": "main", "type": "menu", "text": "Welcome to Acme. For your order status press 1 or say order. "
                                                "For sales press 2 or say sales. Para español, oprima 3. "
                                                "To be called back press 4.",
         "options": [{"key": "1", "words": "order", "next": "order"}, {"key": "2", "words": "sales", "next": "sales"},
                     {"key": "3", "words": "español", "next": "main_es", "language": "es-ES"},
                     {"key": "4", "words": "call back", "next": "call_back"}]},
        {"id": "order", "type": "order_status", "field": "order_status", "next": "bye"},
        {"id": "bye", "type": "hangup", "text": "Thank you for calling. Goodbye."},
        {"id": "sales", "type": "queue", "team": team_id, "text": "Connecting you to sales."},
        {"id": "main_es", "type": "menu", "text": "Para dejar un mensaje, oprima 1.",
         "options": [{"key": "1", "words": "mensaje", "next": "voicemail_es"}]},
        {"id": "voicemail_es", "type": "voicemail", "text": "Deje su mensaje después del tono."},
        {"id": "call_back", "type": "callback", "text": "Say when we should call you back."},
    ]


def call_params(sid: str = "CA" + "a" * 32, *, caller: str = CUSTOMER, to: str = VOICE_NUMBER, **extra) -> dict:
    """The form Twilio posts for a call step (its documented parameters)."""
    return {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": caller, "To": to, "Direction": "inbound",
            "CallStatus": "in-progress", "ApiVersion": "2010-04-01", **extra}
