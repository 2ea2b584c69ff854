"""The demo workspace: a realistic help desk, seeded through the same services as real data."""
