"""Countries: the regions phone numbers can belong to (ISO 3166 alpha-2), named in the
rep's language and read back from a name in any language funnel speaks.

The English table below was generated once from the phonenumbers locale data (0.3 s to
import; this table costs nothing) and names a country in English. In other languages
the name is CLDR's, through Babel ("Deutschland", "Niemcy", "德國", "台湾"), read on the
first name asked. A country typed or imported as a name is looked up in the aliases
below, then in CLDR's names in all five languages ("Niemcy", "中華民國", "Tajwan")."""

from __future__ import annotations

from functools import cache

from funnel_tui.core.i18n import ENGLISH, current_language, current_locale

COUNTRY_NAMES: dict[str, str] = {
    "AD": "Andorra",
    "AE": "United Arab Emirates",
    "AF": "Afghanistan",
    "AG": "Antigua and Barbuda",
    "AI": "Anguilla",
    "AL": "Albania",
    "AM": "Armenia",
    "AO": "Angola",
    "AR": "Argentina",
    "AS": "American Samoa",
    "AT": "Austria",
    "AU": "Australia",
    "AW": "Aruba",
    "AX": "Åland Islands",
    "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina",
    "BB": "Barbados",
    "BD": "Bangladesh",
    "BE": "Belgium",
    "BF": "Burkina Faso",
    "BG": "Bulgaria",
    "BH": "Bahrain",
    "BI": "Burundi",
    "BJ": "Benin",
    "BL": "Saint Barthélemy",
    "BM": "Bermuda",
    "BN": "Brunei",
    "BO": "Bolivia",
    "BQ": "Bonaire, Sint Eustatius and Saba",
    "BR": "Brazil",
    "BS": "Bahamas",
    "BT": "Bhutan",
    "BW": "Botswana",
    "BY": "Belarus",
    "BZ": "Belize",
    "CA": "Canada",
    "CC": "Cocos Islands",
    "CD": "The Democratic Republic Of Congo",
    "CF": "Central African Republic",
    "CG": "Congo",
    "CH": "Switzerland",
    "CI": "Côte d'Ivoire",
    "CK": "Cook Islands",
    "CL": "Chile",
    "CM": "Cameroon",
    "CN": "China",
    "CO": "Colombia",
    "CR": "Costa Rica",
    "CU": "Cuba",
    "CV": "Cape Verde",
    "CW": "Curaçao",
    "CX": "Christmas Island",
    "CY": "Cyprus",
    "CZ": "Czech Republic",
    "DE": "Germany",
    "DJ": "Djibouti",
    "DK": "Denmark",
    "DM": "Dominica",
    "DO": "Dominican Republic",
    "DZ": "Algeria",
    "EC": "Ecuador",
    "EE": "Estonia",
    "EG": "Egypt",
    "EH": "Western Sahara",
    "ER": "Eritrea",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FI": "Finland",
    "FJ": "Fiji",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "FO": "Faroe Islands",
    "FR": "France",
    "GA": "Gabon",
    "GB": "United Kingdom",
    "GD": "Grenada",
    "GE": "Georgia",
    "GF": "French Guiana",
    "GG": "Guernsey",
    "GH": "Ghana",
    "GI": "Gibraltar",
    "GL": "Greenland",
    "GM": "Gambia",
    "GN": "Guinea",
    "GP": "Guadeloupe",
    "GQ": "Equatorial Guinea",
    "GR": "Greece",
    "GT": "Guatemala",
    "GU": "Guam",
    "GW": "Guinea-Bissau",
    "GY": "Guyana",
    "HK": "Hong Kong",
    "HN": "Honduras",
    "HR": "Croatia",
    "HT": "Haiti",
    "HU": "Hungary",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IM": "Isle Of Man",
    "IN": "India",
    "IO": "British Indian Ocean Territory",
    "IQ": "Iraq",
    "IR": "Iran",
    "IS": "Iceland",
    "IT": "Italy",
    "JE": "Jersey",
    "JM": "Jamaica",
    "JO": "Jordan",
    "JP": "Japan",
    "KE": "Kenya",
    "KG": "Kyrgyzstan",
    "KH": "Cambodia",
    "KI": "Kiribati",
    "KM": "Comoros",
    "KN": "Saint Kitts And Nevis",
    "KP": "North Korea",
    "KR": "South Korea",
    "KW": "Kuwait",
    "KY": "Cayman Islands",
    "KZ": "Kazakhstan",
    "LA": "Laos",
    "LB": "Lebanon",
    "LC": "Saint Lucia",
    "LI": "Liechtenstein",
    "LK": "Sri Lanka",
    "LR": "Liberia",
    "LS": "Lesotho",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "LY": "Libya",
    "MA": "Morocco",
    "MC": "Monaco",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MF": "Saint Martin",
    "MG": "Madagascar",
    "MH": "Marshall Islands",
    "MK": "Macedonia",
    "ML": "Mali",
    "MM": "Myanmar",
    "MN": "Mongolia",
    "MO": "Macao",
    "MP": "Northern Mariana Islands",
    "MQ": "Martinique",
    "MR": "Mauritania",
    "MS": "Montserrat",
    "MT": "Malta",
    "MU": "Mauritius",
    "MV": "Maldives",
    "MW": "Malawi",
    "MX": "Mexico",
    "MY": "Malaysia",
    "MZ": "Mozambique",
    "NA": "Namibia",
    "NC": "New Caledonia",
    "NE": "Niger",
    "NF": "Norfolk Island",
    "NG": "Nigeria",
    "NI": "Nicaragua",
    "NL": "Netherlands",
    "NO": "Norway",
    "NP": "Nepal",
    "NR": "Nauru",
    "NU": "Niue",
    "NZ": "New Zealand",
    "OM": "Oman",
    "PA": "Panama",
    "PE": "Peru",
    "PF": "French Polynesia",
    "PG": "Papua New Guinea",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PL": "Poland",
    "PM": "Saint Pierre And Miquelon",
    "PR": "Puerto Rico",
    "PS": "Palestine",
    "PT": "Portugal",
    "PW": "Palau",
    "PY": "Paraguay",
    "QA": "Qatar",
    "RE": "Reunion",
    "RO": "Romania",
    "RS": "Serbia",
    "RU": "Russia",
    "RW": "Rwanda",
    "SA": "Saudi Arabia",
    "SB": "Solomon Islands",
    "SC": "Seychelles",
    "SD": "Sudan",
    "SE": "Sweden",
    "SG": "Singapore",
    "SH": "Saint Helena",
    "SI": "Slovenia",
    "SJ": "Svalbard And Jan Mayen",
    "SK": "Slovakia",
    "SL": "Sierra Leone",
    "SM": "San Marino",
    "SN": "Senegal",
    "SO": "Somalia",
    "SR": "Suriname",
    "SS": "South Sudan",
    "ST": "Sao Tome And Principe",
    "SV": "El Salvador",
    "SX": "Sint Maarten (Dutch part)",
    "SY": "Syria",
    "SZ": "Swaziland",
    "TC": "Turks And Caicos Islands",
    "TD": "Chad",
    "TG": "Togo",
    "TH": "Thailand",
    "TJ": "Tajikistan",
    "TK": "Tokelau",
    "TL": "Timor-Leste",
    "TM": "Turkmenistan",
    "TN": "Tunisia",
    "TO": "Tonga",
    "TR": "Turkey",
    "TT": "Trinidad and Tobago",
    "TV": "Tuvalu",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "UA": "Ukraine",
    "UG": "Uganda",
    "US": "United States",
    "UY": "Uruguay",
    "UZ": "Uzbekistan",
    "VA": "Vatican",
    "VC": "Saint Vincent And The Grenadines",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "VN": "Vietnam",
    "VU": "Vanuatu",
    "WF": "Wallis And Futuna",
    "WS": "Samoa",
    "YE": "Yemen",
    "YT": "Mayotte",
    "ZA": "South Africa",
    "ZM": "Zambia",
    "ZW": "Zimbabwe",
}

# Names people commonly type that differ from the table's.
_ALIASES = {
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "england": "GB",
    "great britain": "GB",
    "china": "CN",
    "mainland china": "CN",
    "prc": "CN",
    "taiwan": "TW",
    "republic of china": "TW",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "deutschland": "DE",
    "polska": "PL",
    "méxico": "MX",
    "mexico": "MX",
    "türkiye": "TR",
    "turkey": "TR",
    "czech republic": "CZ",
    "czechia": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "uae": "AE",
    "中国": "CN",
    "中國": "CN",
    "中华人民共和国": "CN",
    "中華人民共和國": "CN",
    "中国大陆": "CN",
    "中國大陸": "CN",
    "台灣": "TW",
    "台湾": "TW",
    "臺灣": "TW",
    "中華民國": "TW",
    "中华民国": "TW",
    "香港": "HK",
    "澳門": "MO",
    "澳门": "MO",
    "日本": "JP",
    "韓國": "KR",
    "韩国": "KR",
    "대한민국": "KR",
    "한국": "KR",
    "美國": "US",
    "美国": "US",
    "德國": "DE",
    "德国": "DE",
    "波蘭": "PL",
    "波兰": "PL",
    "墨西哥": "MX",
    "英國": "GB",
    "英国": "GB",
    "法國": "FR",
    "法国": "FR",
    "新加坡": "SG",
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "united states": "US",
    "estados unidos": "US",
    "vereinigte staaten": "US",
    "stany zjednoczone": "US",
    "niemcy": "DE",
    "bundesrepublik deutschland": "DE",
    "brd": "DE",
    "österreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "polen": "PL",
    "pologne": "PL",
    "polonia": "PL",
    "rzeczpospolita polska": "PL",
    "alemania": "DE",
    "allemagne": "DE",
    "estados unidos mexicanos": "MX",
    "mexiko": "MX",
    "meksyk": "MX",
    # The teams' other neighbours and customers, as German, Polish and Spanish write them.
    "eeuu": "US",
    "ee uu": "US",
    "chiny": "CN",
    "tajwan": "TW",
    "japonia": "JP",
    "hongkong": "HK",
    "korea południowa": "KR",
    "大韓民國": "KR",
    "frankreich": "FR",
    "francja": "FR",
    "großbritannien": "GB",
    "grossbritannien": "GB",
    "vereinigtes königreich": "GB",
    "wielka brytania": "GB",
    "reino unido": "GB",
    "tschechien": "CZ",
    "czechy": "CZ",
    "república checa": "CZ",
    "türkei": "TR",
    "turcja": "TR",
    "italien": "IT",
    "włochy": "IT",
    "niederlande": "NL",
    "holandia": "NL",
    "spanien": "ES",
    "hiszpania": "ES",
    "ungarn": "HU",
    "węgry": "HU",
    "szwajcaria": "CH",
    "kanada": "CA",
    "brasilien": "BR",
    "brazylia": "BR",
    "españa": "ES",
    "espana": "ES",
    "perú": "PE",
    "brasil": "BR",
    "france": "FR",
    "italia": "IT",
    "nederland": "NL",
    "magyarország": "HU",
    "česko": "CZ",
    "ceska republika": "CZ",
    "česká republika": "CZ",
    "slovensko": "SK",
    "россия": "RU",
    "україна": "UA",
    "u k": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "hong kong sar": "HK",
    "taiwan roc": "TW",
    "taiwan province of china": "TW",
    "korea republic of": "KR",
    "republic of korea": "KR",
    "viet nam": "VN",
}

_BY_NAME = {name.casefold(): code for code, name in COUNTRY_NAMES.items()}
_LOOSE: dict[str, str] = {}  # names without punctuation or accents


def country_code(text: str) -> str | None:
    """The ISO code for a country typed as a code or a name; None when unknown."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    upper = cleaned.upper()
    if upper in COUNTRY_NAMES:
        return upper
    folded = cleaned.casefold()
    found = _ALIASES.get(folded) or _BY_NAME.get(folded)
    if found:
        return found
    # "U.S.A.", "Taiwan, ROC", "Perú" spelt "Peru": punctuation and accents left out; and
    # every name CLDR gives in the five languages funnel speaks ("Niemcy", "德國").
    if not _LOOSE:  # built on the first name not found as typed: start-up pays nothing
        names = [*_cldr_names().items(), *_BY_NAME.items(), *_ALIASES.items()]
        _LOOSE.update({_loose(n): code for n, code in names})
    return _LOOSE.get(_loose(cleaned)) if _loose(cleaned) else None


# The locales whose country names are read when typed: every language funnel speaks.
_NAME_LOCALES = ("en", "de", "pl", "zh_Hant", "zh_Hans")


def _cldr_names() -> dict[str, str]:
    """Each country's names in CLDR (Babel's data), in every language funnel speaks,
    folded, for the countries phone numbers can belong to."""
    from babel import Locale

    found: dict[str, str] = {}
    for locale in _NAME_LOCALES:
        territories = Locale.parse(locale).territories
        for code in COUNTRY_NAMES:
            name = territories.get(code)
            if name:
                found.setdefault(name.casefold(), code)
    return found


def _loose(text: str) -> str:
    import re
    import unicodedata

    words = re.sub(r"[\W_]+", " ", text.casefold()).split()
    plain = unicodedata.normalize("NFKD", " ".join(words))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def country_name(code: str) -> str:
    """A country's name in the rep's language (English: the table's, else CLDR's through
    Babel: "Deutschland", "Niemcy", "德國"), or the code itself when none is known."""
    code = code.upper()
    if current_language() != ENGLISH:
        name = _local_names(current_locale()).get(code)
        if name:
            return name
    return COUNTRY_NAMES.get(code, code)


@cache
def _local_names(locale: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(locale).territories)
    except (UnknownLocaleError, ValueError):
        return {}
