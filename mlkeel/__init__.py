"""mlkeel: MLOps platforms as code.

The distribution ships four packages whose folders are the architecture:
``stacks`` (teams, the spec, the offline engine, the ``keel`` command), ``components`` (clouds),
``policies`` (rules) and ``runtime`` (statistics and money). This small package holds only the
contracts all of them share (tag keys, residency zones), so none needs a back-edge to another.
"""

__version__ = "0.1.0"
