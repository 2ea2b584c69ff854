"""The email channel: inbound mail from IMAP, the built-in SMTP receiver or a provider webhook; replies by SMTP or an ESP."""
from parley.channels.addresses import address_key
from parley.channels.base import Address, ChannelAdapter, DeliveryResult, InboundMessage
from parley.channels.email.config import EmailInboxConfig
from parley.channels.email.inbound import inbound_from_envelope
from parley.channels.email.sending import email_send, message_id_new, reply_email
from parley.channels.email.services import sending_config
from parley.channels.registry import register


@register
class EmailAdapter(ChannelAdapter):
    kind = "email"
    label = "Email"
    config_schema = EmailInboxConfig

    def addresses(self, config: dict) -> list[Address]:
        return [Address("email", address_key(address), "addresses") for address in config.get("addresses", ())]

    def parse(self, envelope) -> InboundMessage | None:
        return inbound_from_envelope(envelope)

    def send(self, message) -> DeliveryResult:
        config = sending_config(inbox=message.conversation.inbox)
        message_id = message_id_new(config.from_address.rpartition("@")[2])
        email_send(config, reply_email(message, config, message_id=message_id))
        return DeliveryResult(external_id=message_id, status="sent")
