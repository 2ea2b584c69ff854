"""The email channel: inbound mail from IMAP, the built-in SMTP receiver or a provider webhook; replies by SMTP or an ESP."""
from parley.channels.base import ChannelAdapter, DeliveryResult, InboundMessage
from parley.channels.email.config import validate_email_config
from parley.channels.email.inbound import inbound_from_envelope
from parley.channels.email.config import EmailConfig
from parley.channels.email.sending import email_send, message_id_for, reply_email
from parley.channels.email.services import sending_config
from parley.channels.registry import register


@register
class EmailAdapter(ChannelAdapter):
    kind = "email"
    label = "Email"

    def validate_config(self, config: dict) -> dict:
        return validate_email_config(config)

    def parse(self, envelope) -> InboundMessage | None:
        return inbound_from_envelope(envelope)

    def send(self, message) -> DeliveryResult:
        config = sending_config(inbox=message.conversation.inbox)
        message_id = message_id_for(message, config.from_address.rpartition("@")[2])
        email_send(config, reply_email(message, config, message_id=message_id))
        return DeliveryResult(external_id=message_id, status="sent")

    def acknowledgement(self, conversation) -> str:
        config = EmailConfig.of(conversation.inbox)
        return config.acknowledgement_text.replace("{number}", str(conversation.pk)) if config.auto_acknowledge else ""
