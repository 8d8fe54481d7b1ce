"""The currencies a course may be priced in: ISO 4217's codes for money in circulation.

Left out on purpose: fund and accounting units (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW,
XDR, XSU, XUA, the XB* bond units), precious metals (XAU, XAG, XPD, XPT), the testing and
no-currency codes (XTS, XXX), and codes withdrawn by now (ANG, CUC, HRK, SLL, ZWL, ...).
"""

from __future__ import annotations

CIRCULATING = frozenset(
    # A table of codes reads best as text, not as a list of quoted strings.
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
    KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
    MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON
    RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
    TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
    """.split()  # noqa: SIM905
)


def is_circulating(code: str) -> bool:
    return code in CIRCULATING
