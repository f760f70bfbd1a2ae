"""Rules: CrossGuard policy packs, the rule library they use, and the offline analyzer client."""
