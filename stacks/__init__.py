"""Teams: the Pulumi program, the ``StackSpec``, per-team templates, the offline engine and ``keel``."""
