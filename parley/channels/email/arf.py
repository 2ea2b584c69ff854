"""Read feedback-loop complaints (ARF, RFC 5965): a recipient marked our mail as spam."""
from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from .dsn import returned_headers, status_fields


@dataclass(frozen=True)
class ComplaintReport:
    """What a mailbox provider's abuse report says about a message we sent."""

    feedback_type: str
    recipient: str
    original_message_id: str | None
    original_subject: str
    user_agent: str


def parse_complaint(msg: Message) -> ComplaintReport | None:
    """Return the complaint an ARF report carries, or None when `msg` is not one."""
    children = msg.get_payload() if msg.is_multipart() else []
    children = [part for part in children if isinstance(part, Message)] if isinstance(children, list) else []
    feedback = next((part for part in children if part.get_content_type() == "message/feedback-report"), None)
    is_report = msg.get_content_type() == "multipart/report"
    if feedback is None or not is_report:
        return None
    fields = status_fields(feedback)
    returned = returned_headers(children)
    # Providers redact the recipient in the returned copy more often than in Original-Rcpt-To.
    recipient = fields.get("original-rcpt-to", "").strip("<> ").lower() or returned["to"].split(",")[0].strip()
    return ComplaintReport(
        feedback_type=fields.get("feedback-type", "abuse").lower(),
        recipient=recipient,
        original_message_id=returned["message_id"] or None,
        original_subject=returned["subject"],
        user_agent=fields.get("user-agent", ""),
    )
