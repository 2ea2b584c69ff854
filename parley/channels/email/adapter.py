"""The email channel: inbound mail from IMAP, the built-in SMTP receiver or a provider webhook; replies by SMTP or an ESP."""
from django.utils.translation import gettext_lazy

from parley.channels.addresses import address_key
from parley.channels.base import (
    Address, AttachmentRules, Capabilities, ChannelAdapter, ConnectionCheck, DeliveryReport, PollState, DeliveryResult, Endpoint, InboundMessage,
)
from parley.channels.email.config import EmailConfig, EmailInboxConfig
from parley.channels.email.connection import connection_checks
from parley.channels.email.models import EmailInboxState
from parley.channels.email.inbound import inbound_from_envelope
from parley.channels.email.sending import email_send, message_id_for, reply_email
from parley.channels.email.services import sending_config
from parley.channels.email.webhooks import provider_endpoints
from parley.channels.registry import register
from parley.contacts.models import AddressState
from parley.contacts.selectors import email_address_status


@register
class EmailAdapter(ChannelAdapter):
    kind = "email"
    label = gettext_lazy("Email")
    # Mail carries HTML and files of any type; the site's per-file limit applies (25 MB by default,
    # what the large mailbox providers accept).
    capabilities = Capabilities(html=True, attachments=AttachmentRules(), copies=True)
    config_schema = EmailInboxConfig

    def addresses(self, config: dict) -> list[Address]:
        return [Address("email", address_key(address), "addresses") for address in config.get("addresses", ())]

    def endpoints(self) -> list[Endpoint]:
        return provider_endpoints()

    def parse(self, envelope) -> InboundMessage | DeliveryReport | None:
        return inbound_from_envelope(envelope)

    def send(self, message) -> DeliveryResult:
        config = sending_config(inbox=message.conversation.inbox)
        message_id = message_id_for(message, config.from_address.rpartition("@")[2])
        email_send(config, reply_email(message, config, message_id=message_id))
        return DeliveryResult(external_id=message_id, status="sent")

    def test_connection(self, config: dict) -> list[ConnectionCheck]:
        return connection_checks(EmailConfig.from_settings(config))

    def poll_state(self, inbox) -> PollState | None:
        state = EmailInboxState.objects.filter(inbox=inbox).first()
        if state is None:
            return None
        return PollState(last_success_at=state.last_success_at, last_error=state.last_error, last_error_at=state.last_error_at)

    def acknowledgement(self, conversation) -> str:
        config = EmailConfig.of(conversation.inbox)
        # Automatic mail to an address that reported us as spam or keeps bouncing only hurts the sender's reputation.
        if not config.auto_acknowledge or email_address_status(address=conversation.contact.email).state != AddressState.OK:
            return ""
        return str(config.acknowledgement_text).replace("{number}", str(conversation.pk))
