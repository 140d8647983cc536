"""Code lists the receiver checks against (ISO 4217 currencies, UN/ECE Rec 20 units)."""

CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD
JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLL SOS SRD SSP STN SVC SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER
ZAR ZMW ZWL
""".split())

# UN/ECE Recommendation 20 unit codes this receiver maps to a unit of measure,
# with the Odoo 11 ``product`` module UoM each one means.
UNITS = {
    "EA": "product.product_uom_unit",   # each
    "C62": "product.product_uom_unit",  # one
    "H87": "product.product_uom_unit",  # piece
    "DZN": "product.product_uom_dozen",
    "KGM": "product.product_uom_kgm",
    "GRM": "product.product_uom_gram",
    "TNE": "product.product_uom_ton",
    "MTR": "product.product_uom_meter",
    "CMT": "product.product_uom_cm",
    "KMT": "product.product_uom_km",
    "LTR": "product.product_uom_litre",
    "HUR": "product.product_uom_hour",
    "DAY": "product.product_uom_day",
}
