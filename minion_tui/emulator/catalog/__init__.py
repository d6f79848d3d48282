"""The emulated catalog: its entities and the seeded generator that builds them."""
