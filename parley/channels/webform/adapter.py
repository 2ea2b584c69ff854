"""The web form channel: the contact form in the customer portal."""
import base64

from parley.channels.base import ChannelAdapter, DeliveryResult, InboundAttachment, InboundMessage
from parley.channels.registry import register


@register
class WebFormAdapter(ChannelAdapter):
    kind = "webform"
    label = "Web form"

    def parse(self, envelope) -> InboundMessage:
        data = envelope.payload
        email = (data.get("email") or "").strip().lower()
        if not email:
            raise ValueError("email is required")
        return InboundMessage(
            external_id=envelope.external_id, identity_kind="email", source_id=email, contact_email=email,
            contact_name=data.get("name", ""), subject=data.get("subject", ""), text=data.get("message", ""),
            attachments=tuple(
                InboundAttachment(filename=a["filename"], content_type=a.get("content_type", "application/octet-stream"),
                                  content=base64.b64decode(a["content_base64"]))
                for a in data.get("attachments", [])
            ),
        )

    def send(self, message) -> DeliveryResult:
        # The customer reads replies under "my requests" in the portal.
        return DeliveryResult(status="sent")
