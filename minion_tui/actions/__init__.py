"""The façade's actions by domain; :class:`minion_tui.service.Service` combines them."""
