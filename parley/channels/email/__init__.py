"""E-mail channel: read inbound mail (parsing, quotes, auto-replies, bounces) and send outbound mail."""
