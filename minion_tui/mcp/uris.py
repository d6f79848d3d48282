"""The URIs of the server's resources (resources.py serves them): tools name the ones they
change in ``@tool(changes=(...))``, and the subscribers of those are told after a call."""

NOW_PLAYING = "minion://now-playing"
QUEUE = "minion://queue"
INBOX = "minion://inbox"
DOWNLOADS = "minion://downloads"
