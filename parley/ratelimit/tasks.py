from parley.core.jobs import every
from parley.ratelimit.services import rate_counters_prune


@every(3600)
def prune_rate_counters() -> None:
    rate_counters_prune()
