"""Job handlers and schedules of the automation app: webhook deliveries and the time rules' clock."""
from parley.automation.models import WebhookDelivery
from parley.automation.services import rules, webhooks
from parley.core import jobs


def _describe(delivery_id: int) -> tuple[str, str]:
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:
        return f"a webhook delivery that no longer exists (#{delivery_id})", ""
    return f"the {delivery.event_name} delivery #{delivery.pk} to the webhook “{delivery.webhook}”", f"/settings/webhooks/{delivery.webhook_id}/"


@jobs.handler(webhooks.DELIVER_QUEUE, max_attempts=webhooks.MAX_ATTEMPTS, backoff_seconds=webhooks.BACKOFF_SECONDS,
              on_dead=webhooks.delivery_dead, on_retry=webhooks.delivery_requeued, describe=_describe)
def deliver_webhook(delivery_id: int) -> None:
    webhooks.webhook_deliver(delivery_id=delivery_id)


@jobs.every(60, name="automation.time_rules")
def run_time_rules() -> None:
    rules.time_rules_run()


@jobs.every(3600, name="automation.prune")
def prune() -> None:
    rules.automation_prune()
