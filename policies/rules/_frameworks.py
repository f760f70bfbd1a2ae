"""Compliance framework controls rules cite (NIST SP 800-53 Rev. 5, CIS Benchmarks, GDPR)."""

from __future__ import annotations

from ._base import Framework

NIST = "NIST SP 800-53"
NIST_V = "Rev. 5"


def nist(control: str, title: str) -> Framework:
    return Framework(NIST, NIST_V, control, title)


def cis_aws(control: str, title: str) -> Framework:
    return Framework("CIS Amazon Web Services Foundations Benchmark", "3.0.0", control, title)


def cis_gcp(control: str, title: str) -> Framework:
    return Framework("CIS Google Cloud Platform Foundation Benchmark", "3.0.0", control, title)


SC28 = nist("SC-28", "Protection of information at rest")
SC8 = nist("SC-8", "Transmission confidentiality and integrity")
SC12 = nist("SC-12", "Cryptographic key establishment and management")
SC7 = nist("SC-7", "Boundary protection")
AC3 = nist("AC-3", "Access enforcement")
AC6 = nist("AC-6", "Least privilege")
AU2 = nist("AU-2", "Event logging")
AU11 = nist("AU-11", "Audit record retention")
CM8 = nist("CM-8", "System component inventory")
SI12 = nist("SI-12", "Information management and retention")
GDPR44 = Framework("GDPR", "2016/679", "Art. 44", "General principle for transfers")
