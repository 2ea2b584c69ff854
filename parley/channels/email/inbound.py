"""Turn a stored raw email into an InboundMessage, or handle it without one.

What becomes of a mail, in order:
- a feedback-loop complaint (ARF) opens nothing: it marks the address complained (unsubscribed)
  and the reply it reports;
- a permanent bounce (DSN) becomes a DeliveryReport that marks the outbound message it returns
  failed, in plain words, and a hard one counts against the address; a delay is noted on its
  conversation; a bounce matching no reply goes to the admins' Bounces list; none opens anything;
- our own mail coming back (loop), a blocked sender, or a sender over the inbox's hourly
  limit is refused: the envelope stays stored, marked failed with the reason, so an admin
  sees it and can retry it, but no conversation is made (a loop would otherwise flood the
  inbox with conversations);
- anything else becomes a message in the thread `threads.thread_find` picks. Attachments over
  the size limit are dropped with a note on the message; a mail too broken to read keeps its
  raw .eml attached with a note. New conversations get the inbox's acknowledgement, except
  for auto-replies and bulk mail.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser

from django.conf import settings
from django.utils import timezone

from parley.channels.base import DeliveryReport, InboundAttachment, InboundMessage
from parley.channels.email.arf import ComplaintReport
from parley.channels.email.bounces import bounce_message_find
from parley.channels.email.config import EmailConfig
from parley.channels.email.parsing import ParsedEmail, parse_email
from parley.channels.email.sending import LOOP_HEADER, is_own_message_id, loop_token
from parley.channels.email.threads import Thread, thread_find, thread_index_root
from parley.contacts.models import IdentityKind
from parley.conversations.models import DeliveryStatus, Direction, Message

logger = logging.getLogger(__name__)

UNKNOWN_SENDER = "unknown-sender@invalid"
QUOTE_ONLY_NOTE = "[No new text; the quoted message is below.]"


class MailRefused(ValueError):
    """The inbox does not take this mail (loop, block list, rate limit); the envelope keeps it."""


def inbound_from_envelope(envelope) -> InboundMessage | DeliveryReport | None:
    """Return the InboundMessage an email envelope carries, the DeliveryReport a bounce is, or None."""
    inbox = envelope.inbox
    config = EmailConfig.of(inbox)
    raw = bytes(envelope.raw or b"")
    parsed = parse_email(raw)
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    if parsed.complaint is not None:
        _complaint_apply(inbox, parsed.complaint)
        return None
    if parsed.is_bounce:
        return _bounce_report(envelope, parsed)
    sender = parsed.from_address or str(headers.get("Return-Path", "")).strip(" <>\r\n\t").lower() or UNKNOWN_SENDER
    refusal = _refusal(inbox, config, parsed, headers, sender)
    if refusal:
        raise MailRefused(refusal)

    refs = list(dict.fromkeys(([parsed.in_reply_to] if parsed.in_reply_to else []) + parsed.references[::-1]))
    index_root = thread_index_root(str(headers.get("Thread-Index") or ""))
    if parsed.from_ambiguous:
        # A sender we cannot name for sure never joins an existing thread: it could be posing as that customer.
        refs, thread = [], Thread(found_by="new: ambiguous sender")
    else:
        thread = thread_find(inbox=inbox, config=config, sender=sender, subject=parsed.subject, refs=refs,
                             thread_index=index_root)

    attachments, notes = _attachments(parsed)
    broken = not parsed.from_address or any(e.startswith("fatal:") for e in parsed.parse_errors)
    if broken:
        keep_raw = len(raw) <= settings.PARLEY_MAX_ATTACHMENT_BYTES
        if keep_raw:
            attachments.append(InboundAttachment(filename="message.eml", content_type="message/rfc822", content=raw))
        notes.append("This email could not be read completely (" + "; ".join(parsed.parse_errors[:3]) + "). "
                     + ("The original is attached as message.eml." if keep_raw else "The original is kept with the inbound envelope."))
    text = QUOTE_ONLY_NOTE if parsed.quote_only else (parsed.new_text or parsed.text).strip()
    if notes:
        text = "\n\n".join([text, *(f"[{note}]" for note in notes)]).strip()

    return InboundMessage(
        external_id=envelope.external_id,
        # An ambiguous From is someone else until proven otherwise, even when its angle address is a customer's.
        identity_kind=IdentityKind.UNVERIFIED_EMAIL if parsed.from_ambiguous else IdentityKind.EMAIL,
        source_id=sender,
        contact_email=sender if sender != UNKNOWN_SENDER and not parsed.from_ambiguous else "",
        contact_name=parsed.from_name,
        subject=parsed.subject or ("(unreadable email)" if broken else ""),
        text=text,
        html=parsed.html,
        attachments=tuple(attachments),
        thread_refs=() if thread.follow_up_of else tuple(refs),
        conversation_id=thread.conversation.pk if thread.conversation else None,
        follow_up_of=thread.follow_up_of.pk if thread.follow_up_of else None,
        participants=tuple((name, address) for name, address in parsed.to + parsed.cc
                           if not config.is_own_address(address) and address != sender),
        metadata={
            "message_id": parsed.message_id,
            # Replies go here, but the contact stays the From address: a Reply-To never moves a conversation
            # onto someone else's record.
            "reply_to": [address for _, address in parsed.reply_to],
            "quoted_text": parsed.quoted_text,
            "quoted_html": parsed.quoted_html,
            "quote_only": parsed.quote_only,
            "signature": parsed.signature or "",
            "signature_html": parsed.signature_html,
            "is_forward": parsed.is_forward,
            "parse_errors": parsed.parse_errors,
            "auto_reply": parsed.is_auto_reply,
            "auto_reply_reason": parsed.auto_reply_reason or "",
            # Machine-sent mail: never acknowledged, never reopens a solved conversation, never resets a clock.
            "auto_submitted": parsed.auto_reply_kind,
            "thread_index": index_root,
            "threaded_by": thread.found_by,
            "refused_attachments": [n for n in notes if n.startswith("attachment ")],
            "sender_unverified": parsed.from_ambiguous,
            "authentication_failures": parsed.authentication_failures,
        },
    )


def _refusal(inbox, config: EmailConfig, parsed: ParsedEmail, headers, sender: str) -> str:
    if str(headers.get(LOOP_HEADER, "")).strip() == loop_token() or is_own_message_id(parsed.message_id):
        return "refused: this is mail Parley sent itself (mail loop)"
    if config.is_own_address(sender):
        return f"refused: the sender {sender} is this inbox's own address (mail loop)"
    listed = config.sender_refusal(sender)
    if listed:
        return f"refused: {listed}"
    if config.rate_limit_per_hour:
        recent = Message.objects.filter(
            conversation__inbox=inbox, direction=Direction.INBOUND, sender_contact__identities__kind="email",
            sender_contact__identities__source_id=sender, created_at__gte=timezone.now() - timedelta(hours=1),
        ).count()
        if recent >= config.rate_limit_per_hour:
            return f"refused: {sender} sent more than {config.rate_limit_per_hour} emails in the last hour"
    return ""


def _complaint_apply(inbox, complaint: ComplaintReport) -> None:
    """Unsubscribe the address that reported our mail as spam, and mark the reply it reported.

    Never a conversation. Providers often redact the recipient; the reported reply (found by
    its Message-ID) then names it.
    """
    from parley.contacts.services import email_address_complained
    from parley.conversations.services import message_complaint_record

    reply = None
    if complaint.original_message_id:
        reply = (Message.objects.filter(conversation__inbox=inbox, direction=Direction.OUTBOUND,
                                        external_id=complaint.original_message_id)
                 .select_related("conversation__contact").first())
    recipient = complaint.recipient or (reply.conversation.contact.email if reply else "")
    if not recipient:
        logger.info("feedback-loop complaint (%s) about %s in inbox %s names no recipient and no reply of ours",
                    complaint.feedback_type, complaint.original_message_id, inbox.pk)
        return
    reason = f"reported our mail as spam ({complaint.feedback_type}"
    reason += f", via {complaint.user_agent})" if complaint.user_agent else ")"
    email_address_complained(address=recipient, reason=reason)
    if reply is not None:
        message_complaint_record(message=reply, recipient=recipient, feedback_type=complaint.feedback_type)


def _bounce_report(envelope, parsed: ParsedEmail) -> DeliveryReport | None:
    """Return the failure report a permanent bounce is, or note a delay on the returned message's conversation.

    A delay (Action: delayed, a 4.x.x status) leaves the message as it is: the sending server
    keeps trying, and a later permanent bounce still marks it failed. A hard bounce of a reply
    counts against the failed address (once per reply). A bounce that matches no reply goes to
    the admins' Bounces list; it never counts against an address, as it may be backscatter
    (mail someone else sent in our name).
    """
    from parley.channels.email.services import unmatched_bounce_record
    from parley.contacts.services import email_address_hard_bounced
    from parley.conversations.services import message_delivery_delayed

    inbox, report = envelope.inbox, parsed.bounce
    original = bounce_message_find(inbox=inbox, report=report)
    if original is None:
        unmatched_bounce_record(envelope=envelope, report=report, received_at=parsed.date)
        return None
    if report.permanent:
        if original.delivery_status != DeliveryStatus.FAILED:
            for recipient in report.recipients:
                if recipient.kind == "hard" and recipient.address:
                    email_address_hard_bounced(address=recipient.address, reason=recipient.explanation)
        return DeliveryReport(external_id=original.external_id, status=DeliveryStatus.FAILED,
                              reason=f"bounced: {report.explanation} {report.reason}"[:2000], at=parsed.date)
    for recipient in report.recipients:
        if recipient.action == "delayed":
            message_delivery_delayed(message=original, recipient=recipient.address,
                                     reason=(recipient.diagnostic or f"status {recipient.status or 'unknown'}")[:1000])
    return None


def _size(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


def _attachments(parsed: ParsedEmail) -> tuple[list[InboundAttachment], list[str]]:
    limit = settings.PARLEY_MAX_ATTACHMENT_BYTES
    kept, notes = [], []
    for attachment in parsed.attachments:
        if len(attachment.content) > limit:
            notes.append(f"attachment {attachment.filename} ({_size(len(attachment.content))}) was refused: "
                         f"over the {_size(limit)} limit")
            continue
        kept.append(InboundAttachment(filename=attachment.filename, content_type=attachment.content_type,
                                      content=attachment.content, content_id=attachment.content_id))
    return kept, notes
