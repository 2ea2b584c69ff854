"""Every write of the automation app, split by sub-domain: `rules`, `library` (canned responses, macros), `webhooks`."""
