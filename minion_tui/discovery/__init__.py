"""Discovery: where tracks worth hearing come from, and in what order to hear them.

sources.py and sync.py: the sources a user follows (people on a provider, charts, tags) and
the sync that pulls their likes and reposts into the store as provenance; rank.py ranks the
inbox (the evidence of followed artists, weighted by how much you trust each); radio.py
orders a radio queue from a seed.

Provider-neutral: a source names a listing by the words of ``providers/base.py``
Capabilities (``likes``, ``reposts``); the provider is found from the source's URN. Below
the service: it is handed the store and the providers, and never imports the service.
"""
