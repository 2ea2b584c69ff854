"""Build raw emails the way common clients write them, for the email channel tests."""
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone


def mail(*, sender="Rita Ruiz <rita@customer.test>", to="Support <support@example.test>", subject="Order 1001 is late",
         text="Hello, my order 1001 has not arrived.", html=None, cc=None, message_id=None, in_reply_to=None,
         references=None, reply_to=None, headers=None, attachments=()) -> bytes:
    """Return RFC 5322 bytes; message_id/in_reply_to/references are given without angle brackets."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = f"<{message_id}>" if message_id else make_msgid(domain="customer.test")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    if reply_to:
        msg["Reply-To"] = reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def dsn(*, original_message_id: str, recipient="rita@customer.test", action="failed", status="5.1.1",
        diagnostic="smtp; 550 5.1.1 <rita@customer.test>: Recipient address rejected: User unknown",
        subject="Undelivered Mail Returned to Sender") -> bytes:
    """Return a Postfix-style RFC 3464 delivery status notification for a message we sent."""
    return (
        "From: MAILER-DAEMON@mx.customer.test (Mail Delivery System)\r\n"
        "To: support@example.test\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{make_msgid(domain='mx.customer.test')[1:-1]}>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.test\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n\r\n"
        "--B1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@example.test\r\nTo: {recipient}\r\nMessage-ID: <{original_message_id}>\r\nSubject: Re: hi\r\n\r\n"
        "--B1--\r\n"
    ).encode()


def arf(*, original_message_id: str, recipient="rita@customer.test", feedback_type="abuse",
        user_agent="SomeMailbox-FBL/1.0") -> bytes:
    """Return an RFC 5965 feedback-loop report (a mailbox provider's spam complaint) about a message we sent.

    `recipient` "" leaves Original-Rcpt-To and the returned copy's To out, as providers that redact do.
    """
    rcpt_field = f"Original-Rcpt-To: <{recipient}>\r\n" if recipient else ""
    return (
        "From: abuse-reports@fbl.mailbox.test\r\n"
        "To: fbl@example.test\r\n"
        "Subject: Email Feedback Report\r\n"
        f"Message-ID: <{make_msgid(domain='fbl.mailbox.test')[1:-1]}>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F1"\r\n\r\n'
        "--F1\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report for a message you sent.\r\n\r\n"
        "--F1\r\nContent-Type: message/feedback-report\r\n\r\n"
        f"Feedback-Type: {feedback_type}\r\nUser-Agent: {user_agent}\r\nVersion: 1\r\n"
        f"Original-Mail-From: <support@example.test>\r\n{rcpt_field}\r\n"
        "--F1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: support@example.test\r\n" + (f"To: {recipient}\r\n" if recipient else "")
        + f"Message-ID: <{original_message_id}>\r\nSubject: Re: Order 1001 is late\r\n\r\n"
        "--F1--\r\n"
    ).encode()
