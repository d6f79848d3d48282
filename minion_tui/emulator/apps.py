"""The apps registered on the emulated services, which ``--demo`` signs in with (the demo's
settings fill them in, cli/session.py). A leaf with no imports, so reading them costs
nothing."""

SOUNDCLOUD_APP_ID = "minion-demo-soundcloud"
SOUNDCLOUD_APP_SECRET = "minion-demo-soundcloud-secret"
MIXCLOUD_APP_ID = "minion-demo-mixcloud"
MIXCLOUD_APP_SECRET = "minion-demo-mixcloud-secret"
#: Registered redirect URIs: a loopback one matches on any port (RFC 8252 §7.3).
REDIRECTS = ("http://127.0.0.1/callback",)
