"""Discovery: the sources a user follows (people on a provider, charts, tags) and the sync
that pulls their likes and reposts into the store as provenance (sources.py, sync.py).

Provider-neutral: a source names a listing by the words of ``providers/base.py``
Capabilities (``likes``, ``reposts``); the provider is found from the source's URN. Below
the service: it is handed the store and the providers, and never imports the service.
"""
