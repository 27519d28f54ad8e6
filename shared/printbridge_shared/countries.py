"""ISO 3166-1 alpha-2 country codes, kept here rather than fetched: an address's country is checked
against this list, and the list changes a few times a decade (update it from ISO 3166 or the tz
database's `iso3166.tab`, which this copy was taken from)."""

COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
    ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
    HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
    LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
    NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
    SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
    UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    XK
    """.split()
)
"""Every officially assigned alpha-2 code (249), and XK: Kosovo has no assigned code, but XK (user-assigned)
is what the EU, carriers and shops use for it, so its addresses are not refused."""

WITHOUT_POSTCODE = frozenset(
    """
    AE AG AO AQ AW BF BI BJ BO BQ BS BV BW BZ CD CF CG CI CK CM CW DJ DM ER FJ GA GD GH GM GQ GY HK HM
    IE JM KI KM KN KP LY ML MO MR MW NR NU QA RW SB SC SL SR ST SX SY TD TF TG TK TL TO TV UG VU YE ZW
    """.split()
)
"""Countries and territories where many addresses carry no postcode (none exists, or it is new and not
in general use, as Ireland's Eircode): an address there may leave `zip` empty. Being generous here costs
nothing (a postcode given is kept); leaving a country out would refuse its real addresses."""
