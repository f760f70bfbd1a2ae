"""MLK_TLS: encryption in transit."""
