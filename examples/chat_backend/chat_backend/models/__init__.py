"""Domain records: users, rooms and messages."""
