"""MLK_SUP: the software supply chain: registries keep images immutable and scanned."""
