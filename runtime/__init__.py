"""Statistics and money: drift, fairness, control charts, pricing, cost and scheduling.

Free of Pulumi on purpose: this package also runs inside deployed jobs.
"""
