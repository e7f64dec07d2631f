"""Import figures: a 100,000-row trade-show export, against the validators alone.

The file is generated (deterministically) as a CRM or badge-scanner export looks:
"First Name,Last Name,Company,Email Address,Phone Number,Country,Lead Source,Title",
people from ten countries with their own scripts and accents, phones written the way
each country writes them and valid there, about 80 % with a phone, every row its own
email, about one company per five rows, a configured lead source; about 1 % of the
rows carry a broken email and about 1 % repeat an earlier row, so ~98 % become leads.

- The floor: the capture validators on those rows, `check_phone(phone, country)` and
  `check_email(email)` a row, one process, warmed up first (phonenumbers loads each
  region's metadata on first use): rows/s. Measured before and after the imports; the
  faster pass counts.
- Import into an empty database (`plan_import`, `run_import`): rows read / s.
  Goal: ≥ 60 % of the floor's rate. The report must add up, and its counts must be
  the ones the generator planted.
- Import 100,000 other rows (another seed, other people at the same companies) into
  the database holding the first file's leads: rows/s. Goal: ≥ 50 % of the floor.
- Import 100,000 rows of people new to it into a copy of the kept 1,000,000-lead demo,
  on SQLite and on PostgreSQL (import_at_scale: FUNNEL_BENCH_SIZES,
  FUNNEL_BENCH_ENGINES): rows/s. Goal: ≥ 50 % of the floor.
- Memory stays flat: the peak resident memory of an import of 1,000,000 rows against
  one of 100,000, each in a fresh process, for each of the import's two processes (the
  importing one and the checker it starts); the worse ratio counts. Goal: ≤ 1.2×
  (import_memory). The 1,000,000-row run takes a quarter of an hour: it runs with
  FUNNEL_BENCH_BIG=1.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
import unicodedata
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import import_at_scale
import import_memory

from common import Figure, check, timed

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000
BIG = os.environ.get("FUNNEL_BENCH_BIG") == "1"
BIG_ROWS = 1_000_000
SEED, SECOND_SEED = 11, 12

HEADER = [
    "First Name",
    "Last Name",
    "Company",
    "Email Address",
    "Phone Number",
    "Country",
    "Lead Source",
    "Title",
]
PHONE_SHARE = 0.80
BAD_EMAIL_SHARE = 0.01
DUPLICATE_SHARE = 0.01
ROWS_PER_COMPANY = 5


def figures() -> list[Figure]:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="funnel-bench-import-") as name:
        folder = Path(name)
        start = time.perf_counter()
        people = People(SEED)
        first = people.write(folder / "trade-show.csv", ROWS, SEED)
        second = people.write(folder / "second-show.csv", ROWS, SECOND_SEED, keep_checks=False)
        print(
            f"  {first.describe()}\n  {second.describe()}\n"
            f"  (both written in {time.perf_counter() - start:.0f} s)",
            file=sys.stderr,
        )
        regions = people.regions
        del people
        results, floor = _imports(folder, first, second, regions)
        results += import_at_scale.figures(folder, floor)
        if BIG:
            results += import_memory.figures(folder, first)
        else:
            print(
                f"  memory figure skipped: FUNNEL_BENCH_BIG=1 adds it ({BIG_ROWS:,} rows "
                "imported in a fresh process against 100,000: about 20 minutes)",
                file=sys.stderr,
            )
    return results


# ------------------------------------------------------------------ the people


def _w(text: str) -> list[str | tuple[str, str]]:
    """A table's entries: "|" between them, ":" between a spelling and its Latin one
    (CJK) or a family name's female and male forms (Polish)."""
    return [tuple(entry.split(":")) if ":" in entry else entry for entry in text.split("|")]


# Per country: a share of the rows, given names, family names (Polish: female and male
# forms), trades, cities and legal forms for company names, job titles, free mail
# domains, the web domain's suffix. Chinese and Japanese entries carry their Latin
# spelling for email addresses.
COUNTRIES: dict[str, dict] = {
    "DE": {
        "weight": 18,
        "female": _w(
            "Anna|Lena|Jutta|Sophie|Käthe|Marie|Hannah|Lea|Jana|Sabine|Ursula|Birgit|Anja|Gülay|"
            "Renée|Charlotte"
        ),
        "male": _w(
            "Jörg|Lukas|Maximilian|Jürgen|Klaus|Stefan|Björn|Uwe|Matthias|Sören|Florian|Tobias|"
            "Dieter|Önder|Ralf|Günther"
        ),
        "family": _w(
            "Müller|Schmidt|Schneider|Fischer|Weiß|Meyer|Wagner|Becker|Schäfer|Koch|Bauer|"
            "Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|"
            "Hartmann|Lange|Köhler|Jäger|Groß|Öztürk|Böhm|Vogel|Fuchs|Weißmüller|Straßburger"
        ),
        "trades": _w(
            "Logistik|Maschinenbau|Elektrotechnik|Verpackung|Metallbau|Kunststofftechnik|"
            "Antriebstechnik|Feinmechanik|Druckluft|Lebensmittel|Haustechnik|Präzisionsteile|"
            "Werkzeugbau|Medizintechnik|Solartechnik|Gießerei"
        ),
        "cities": _w(
            "München|Köln|Düsseldorf|Nürnberg|Stuttgart|Bremen|Lübeck|Würzburg|Osnabrück|"
            "Göttingen|Saarbrücken"
        ),
        "forms": _w("GmbH|GmbH & Co. KG|AG|KG|e.K."),
        "titles": _w(
            "Einkaufsleiter|Geschäftsführer|Leiterin Einkauf|Prokurist|Technischer Leiter|"
            "Vertriebsleiterin|Projektingenieur|Head of Procurement|Werksleiter|"
        ),
        "free": _w("web.de|gmx.de|t-online.de|gmail.com"),
        "tld": "de",
    },
    "PL": {
        "weight": 10,
        "female": _w(
            "Anna|Małgorzata|Agnieszka|Katarzyna|Zofia|Joanna|Łucja|Jadwiga|Elżbieta|Grażyna|"
            "Dorota|Wiktoria"
        ),
        "male": _w(
            "Piotr|Krzysztof|Łukasz|Paweł|Michał|Wojciech|Grzegorz|Jarosław|Zbigniew|Mateusz|"
            "Jędrzej|Bartłomiej"
        ),
        "family": _w(
            "Kowalska:Kowalski|Nowak:Nowak|Wiśniewska:Wiśniewski|Wójcik:Wójcik|Kamińska:Kamiński|"
            "Lewandowska:Lewandowski|Zielińska:Zieliński|Szymańska:Szymański|Woźniak:Woźniak|"
            "Dąbrowska:Dąbrowski|Kozłowska:Kozłowski|Jankowska:Jankowski|Mazur:Mazur|"
            "Krawczyk:Krawczyk|Piotrowska:Piotrowski|Grabowska:Grabowski|Pawłowska:Pawłowski|"
            "Michalska:Michalski|Król:Król|Wieczorek:Wieczorek|Jabłońska:Jabłoński|Wróbel:Wróbel|"
            "Nowakowska:Nowakowski|Majewska:Majewski|Olszewska:Olszewski|Stępień:Stępień|"
            "Jaworska:Jaworski|Malinowska:Malinowski|Górska:Górski|Sikora:Sikora"
        ),
        "trades": _w(
            "Logistyka|Budownictwo|Meble|Opakowania|Automatyka|Elektronika|Transport|Stal|Drewno|"
            "Chemia|Energetyka|Handel"
        ),
        "cities": _w("Kraków|Łódź|Wrocław|Poznań|Gdańsk|Szczecin|Lublin|Białystok|Rzeszów|Toruń"),
        "forms": _w("Sp. z o.o.|S.A.|Sp. j.|Sp. k."),
        "titles": _w(
            "Kierownik zakupów|Prezes Zarządu|Dyrektor handlowy|Specjalista ds. zaopatrzenia|"
            "Kierownik produkcji|Właściciel|Główna księgowa|"
        ),
        "free": _w("wp.pl|onet.pl|interia.pl|o2.pl|gmail.com"),
        "tld": "pl",
    },
    "MX": {
        "weight": 10,
        "female": _w(
            "María José|Guadalupe|Ximena|Sofía|Fernanda|Lucía|Mónica|Verónica|Araceli|Itzel|"
            "Valeria|Beatriz"
        ),
        "male": _w(
            "José Luis|Juan Pablo|Héctor|Ramón|Jesús|Andrés|Raúl|Joaquín|Sebastián|Óscar|"
            "Cuauhtémoc|Iñaki"
        ),
        "family": _w(
            "Hernández|García|Martínez|López|González|Pérez|Rodríguez|Sánchez|Ramírez|Cruz|"
            "Flores|Gómez|Díaz|Vázquez|Jiménez|Morales|Reyes|Gutiérrez|Ortiz|Chávez|Ruiz|Álvarez|"
            "Castillo|Núñez|Domínguez|Muñoz|Ibáñez|Peña|Zúñiga|Velázquez"
        ),
        "trades": _w(
            "Autopartes|Plásticos|Alimentos|Construcción|Logística|Textiles|Maquinaria|Empaques|"
            "Electrónica|Minería|Agroindustria|Metalmecánica"
        ),
        "cities": _w(
            "Monterrey|Querétaro|León|Puebla|Mérida|Toluca|Saltillo|Guadalajara|Tijuana|Culiacán"
        ),
        "forms": _w("S.A. de C.V.|S. de R.L. de C.V.|S.A.P.I. de C.V."),
        "titles": _w(
            "Gerente de Compras|Director General|Jefe de Mantenimiento|Gerente de Planta|"
            "Coordinadora de Logística|Ingeniero de Procesos|"
        ),
        "free": _w("gmail.com|hotmail.com|yahoo.com.mx|outlook.com"),
        "tld": "com.mx",
    },
    "US": {
        "weight": 15,
        "female": _w(
            "Jennifer|Emily|Ashley|Jessica|Sarah|Megan|Rachel|Laura|Kimberly|Nicole|Brittany|"
            "Danielle|Zoë|Chloé"
        ),
        "male": _w(
            "Michael|Christopher|Matthew|Joshua|David|Daniel|James|Robert|John|Joseph|Andrew|"
            "Ryan|Brandon|Tyler"
        ),
        "family": _w(
            "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|Moore|"
            "Jackson|Martin|Lee|Thompson|White|Harris|Clark|Lewis|Robinson|Walker|Young|Allen|"
            "King|Wright|Scott|Nguyen|O'Brien|McAllister|Van Buren|Peña"
        ),
        "trades": _w(
            "Logistics|Manufacturing|Industrial Supply|Packaging|Technologies|Systems|"
            "Fabrication|Foods|Components|Controls|Analytics|Solutions|Engineering|Robotics"
        ),
        "cities": _w(
            "Dallas|Denver|Phoenix|Boston|Atlanta|Seattle|Austin|Chicago|Portland|Detroit|Omaha"
        ),
        "forms": _w("Inc.|LLC|Corp.|Co."),
        "titles": _w(
            "Purchasing Manager|VP of Operations|Procurement Specialist|CEO|Plant Manager|"
            "Director of Supply Chain|Buyer|Operations Manager|"
        ),
        "free": _w("gmail.com|yahoo.com|outlook.com|aol.com|icloud.com"),
        "tld": "com",
    },
    "FR": {
        "weight": 10,
        "female": _w(
            "Camille|Léa|Chloé|Inès|Manon|Élodie|Hélène|Françoise|Anaïs|Maëlle|Céline|Noémie"
        ),
        "male": _w(
            "Jean-Luc|François|Théo|Jérôme|Hugo|Loïc|Benoît|Cédric|Stéphane|Gaël|Mathéo|Frédéric"
        ),
        "family": _w(
            "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|"
            "Lefèvre|Michel|Garcia|David|Bertrand|Roux|Vincent|Fournier|Morel|Girard|André|"
            "Lefebvre|Mercier|Dupont|Lambert|Bonnet|François|Faure|Chevalier|Gauthier|Benoît|"
            "Lemaître"
        ),
        "trades": _w(
            "Logistique|Industrie|Emballages|Mécanique|Électronique|Agroalimentaire|Bâtiment|"
            "Chaudronnerie|Plasturgie|Énergies|Métallerie|Décolletage"
        ),
        "cities": _w(
            "Lyon|Nantes|Rennes|Besançon|Orléans|Grenoble|Nîmes|Amiens|Reims|Saint-Étienne"
        ),
        "forms": _w("SAS|SARL|SA|et Fils"),
        "titles": _w(
            "Responsable achats|Directeur général|Acheteuse|Directrice des opérations|"
            "Chef de projet|Gérant|Responsable logistique|"
        ),
        "free": _w("orange.fr|free.fr|laposte.net|gmail.com|sfr.fr"),
        "tld": "fr",
    },
    "GB": {
        "weight": 10,
        "female": _w(
            "Olivia|Amelia|Isla|Emily|Sophie|Charlotte|Siobhan|Niamh|Eleanor|Harriet|Gemma|Fiona"
        ),
        "male": _w("Oliver|George|Harry|Jack|Alistair|Rhys|Callum|Hamish|Nigel|Gareth|Dylan|Seán"),
        "family": _w(
            "Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Robinson|Wright|Thompson|"
            "Evans|Walker|White|Roberts|Green|Hall|Wood|Jackson|Clarke|Patel|Khan|O'Connor|"
            "MacDonald|Ffrench|Llewellyn|Hughes|Edwards|Price|Morgan"
        ),
        "trades": _w(
            "Logistics|Engineering|Packaging|Precision|Foods|Components|Fabrications|"
            "Distribution|Plastics|Controls|Hydraulics|Tooling"
        ),
        "cities": _w(
            "Leeds|Bristol|Sheffield|Norwich|Cardiff|Glasgow|Belfast|Derby|Coventry|Swindon"
        ),
        "forms": _w("Ltd|plc|& Sons Ltd|LLP"),
        "titles": _w(
            "Procurement Manager|Managing Director|Head of Operations|Buyer|Commercial Director|"
            "Works Manager|"
        ),
        "free": _w("gmail.com|btinternet.com|outlook.com|hotmail.co.uk|sky.com"),
        "tld": "co.uk",
    },
    "TW": {
        "weight": 7,
        "female": _w(
            "淑芬:Shu-Fen|美玲:Mei-Ling|怡君:Yi-Chun|雅婷:Ya-Ting|佳穎:Chia-Ying|婉婷:Wan-Ting|欣怡:Hsin-Yi|"
            "惠如:Hui-Ju|詩涵:Shih-Han|宜蓁:Yi-Chen"
        ),
        "male": _w(
            "志明:Chih-Ming|建宏:Chien-Hung|俊傑:Chun-Chieh|家豪:Chia-Hao|冠宇:Kuan-Yu|宗翰:Tsung-Han|"
            "承恩:Cheng-En|彥廷:Yen-Ting|柏翰:Po-Han|文雄:Wen-Hsiung"
        ),
        "family": _w(
            "陳:Chen|林:Lin|黃:Huang|張:Chang|李:Lee|王:Wang|吳:Wu|劉:Liu|蔡:Tsai|楊:Yang|許:Hsu|鄭:Cheng|"
            "謝:Hsieh|郭:Kuo|洪:Hung|曾:Tseng|邱:Chiu|廖:Liao|賴:Lai|周:Chou"
        ),
        "trades": _w(
            "精密機械:precision|電子:electronics|光電:optronics|塑膠:plastics|半導體:semi|五金:hardware|"
            "物流:logistics|紡織:textile|自動化:automation|食品:foods"
        ),
        "cities": _w(
            "台中:taichung|新竹:hsinchu|台南:tainan|高雄:kaohsiung|桃園:taoyuan|彰化:changhua|嘉義:chiayi|"
            "宜蘭:yilan"
        ),
        "forms": _w("股份有限公司|有限公司|企業社"),
        "titles": _w("採購經理|總經理|業務經理|廠長|研發工程師|Purchasing Manager|"),
        "free": _w("gmail.com|yahoo.com.tw|hotmail.com|msa.hinet.net"),
        "tld": "com.tw",
    },
    "JP": {
        "weight": 8,
        "female": _w(
            "陽子:yoko|美咲:misaki|さくら:sakura|恵子:keiko|由美:yumi|愛:ai|結衣:yui|真由美:mayumi|直子:naoko|"
            "花子:hanako"
        ),
        "male": _w(
            "太郎:taro|健太:kenta|翔太:shota|大輔:daisuke|浩:hiroshi|誠:makoto|拓也:takuya|悠斗:yuto|一郎:ichiro|"
            "和也:kazuya"
        ),
        "family": _w(
            "佐藤:sato|鈴木:suzuki|高橋:takahashi|田中:tanaka|伊藤:ito|渡辺:watanabe|山本:yamamoto|中村:nakamura|"
            "小林:kobayashi|加藤:kato|吉田:yoshida|山田:yamada|佐々木:sasaki|山口:yamaguchi|松本:matsumoto|"
            "井上:inoue|木村:kimura|林:hayashi|斎藤:saito|清水:shimizu|山崎:yamazaki|森:mori|池田:ikeda|"
            "橋本:hashimoto|阿部:abe|石川:ishikawa|前田:maeda|藤田:fujita|小川:ogawa|岡田:okada"
        ),
        "trades": _w(
            "製作所:seisakusho|工業:kogyo|電機:denki|精工:seiko|化学:kagaku|物産:bussan|商事:shoji|技研:giken|"
            "金属:kinzoku|運輸:unyu|産業:sangyo|機械:kikai|電子:denshi|興業:kogyo|製薬:seiyaku|建設:kensetsu"
        ),
        "cities": _w(
            "大阪:osaka|名古屋:nagoya|横浜:yokohama|神戸:kobe|京都:kyoto|札幌:sapporo|福岡:fukuoka|浜松:hamamatsu|"
            "仙台:sendai|広島:hiroshima|新潟:niigata|金沢:kanazawa"
        ),
        "forms": _w("株式会社|有限会社"),
        "titles": _w("購買部長|代表取締役|営業課長|工場長|技術部 主任|調達担当|"),
        "free": _w("gmail.com|yahoo.co.jp|docomo.ne.jp|outlook.jp"),
        "tld": "co.jp",
    },
    "ES": {
        "weight": 6,
        "female": _w("Lucía|Carmen|Nuria|Montserrat|Begoña|Ainhoa|Paloma|Inés|Rocío|Noelia"),
        "male": _w("Jordi|Íñigo|Álvaro|Sergio|Rubén|Javier|Jesús|Joan|Xabier|Adrián"),
        "family": _w(
            "García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|Martín|"
            "Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Navarro|Torres|Domínguez|"
            "Vázquez|Ramos|Gil|Serrano|Castaño|Ibáñez|Etxeberria|Puig|Ferrer"
        ),
        "trades": _w(
            "Logística|Embalajes|Maquinaria|Alimentación|Construcciones|Electrónica|Transportes|"
            "Cerámica|Plásticos|Componentes"
        ),
        "cities": _w(
            "Valencia|Sevilla|Zaragoza|Málaga|Bilbao|Alicante|Córdoba|Valladolid|Vigo|Girona"
        ),
        "forms": _w("S.L.|S.A.|S.L.U."),
        "titles": _w(
            "Responsable de Compras|Director General|Jefa de Producción|Gerente|Técnico de Compras|"
        ),
        "free": _w("gmail.com|hotmail.es|yahoo.es|telefonica.net"),
        "tld": "es",
    },
    "IT": {
        "weight": 6,
        "female": _w(
            "Giulia|Francesca|Chiara|Martina|Alessandra|Federica|Ilaria|Beatrice|Noemi|Elisa"
        ),
        "male": _w("Giuseppe|Niccolò|Lorenzo|Matteo|Andrea|Luca|Nicolò|Gianluca|Pierpaolo|Davide"),
        "family": _w(
            "Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco|Bruno|Gallo|"
            "Conti|De Luca|Mancini|Costa|Giordano|Rizzo|Lombardi|Moretti|Barbieri|Fontana|"
            "Santoro|Mariani|Rinaldi|Caruso|D'Angelo|Ferrara|Galli|Martinelli"
        ),
        "trades": _w(
            "Meccanica|Logistica|Imballaggi|Automazione|Alimentari|Elettronica|Arredamenti|"
            "Tessile|Plastica|Utensileria"
        ),
        "cities": _w("Milano|Torino|Bologna|Brescia|Bergamo|Verona|Padova|Firenze|Modena|Vicenza"),
        "forms": _w("S.r.l.|S.p.A.|S.n.c.|S.a.s."),
        "titles": _w(
            "Responsabile Acquisti|Amministratore Delegato|Direttore Tecnico|Buyer|Titolare|"
            "Responsabile di Produzione|"
        ),
        "free": _w("gmail.com|libero.it|virgilio.it|alice.it|tiscali.it"),
        "tld": "it",
    },
}

# Lead sources: the configured ones (a trade-show export: mostly "Trade show").
SOURCE_WEIGHTS = {"Trade show": 60, "Business card": 12, "Web form": 10}
_LATIN = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d"})


def latin(text: str) -> str:
    """ASCII letters for an address: "Weißmüller" -> "weissmuller"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN))
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch in " -")).lower()


def _spelling(entry: str | tuple[str, str]) -> tuple[str, str]:
    """(as written, in Latin letters)."""
    return entry if isinstance(entry, tuple) else (entry, latin(entry))


class Phones:
    """Valid numbers of one country, written as its people write them: the country's
    example numbers (mobile and fixed line) with every digit but the first drawn, so
    area codes and mobile prefixes vary; a number phonenumbers does not call valid
    there, read back as written, is drawn again."""

    def __init__(self, region: str):
        import phonenumbers
        from phonenumbers import PhoneNumberType

        self.region = region
        self.templates = []
        for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            self.templates.append(phonenumbers.national_significant_number(example))

    def draw(self, rng: random.Random, used: set[str]) -> str:
        import phonenumbers

        while True:
            template = self.templates[0 if rng.random() < 0.6 else 1]
            varied = len(template) - 1
            digits = template[0] + f"{rng.randrange(10**varied):0{varied}d}"
            try:
                number = phonenumbers.parse(digits, self.region)
                if not phonenumbers.is_valid_number_for_region(number, self.region):
                    continue
                written = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.NATIONAL
                )
                again = phonenumbers.parse(written, self.region)  # as the import reads it
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(again):
                continue
            e164 = phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164)
            if e164 in used:
                continue
            used.add(e164)
            return written


@dataclass
class Written:
    """A generated file, and what an import of it must report."""

    path: Path
    rows: int
    good: int
    bad_email: int
    duplicate: int
    with_phone: int
    companies: int
    checks: list[tuple[str, str, str]]  # (phone, email, country) a row, for the floor

    def describe(self) -> str:
        size = self.path.stat().st_size / 1e6
        return (
            f"{self.path.name}: {self.rows:,} rows, {size:.1f} MB, {self.with_phone:,} with "
            f"a phone, {self.companies:,} companies; planted {self.bad_email:,} bad emails "
            f"and {self.duplicate:,} duplicates, so {self.good:,} leads to insert"
        )


class People:
    """Writes export files. The files written by one People share its companies and
    never share a person (email, phone, or name at a company) unless a row is planted
    as a duplicate: each file imports into a database holding the others' leads."""

    def __init__(self, seed: int):
        from funnel_tui.config import load_config

        self.seed = seed
        self.sources = list(load_config(None).lead_sources)
        self.source_weights = [SOURCE_WEIGHTS.get(s, 3) for s in self.sources]
        self.regions = list(COUNTRIES)
        self.phones = {region: Phones(region) for region in self.regions}
        self.companies: dict[str, list[tuple[str, str]]] = {r: [] for r in self.regions}
        self._company_names: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_emails: set[str] = set()
        self.used_names: set[str] = set()  # name key \x1f company key
        # A database's leads, name key (as the import joins the name) \x1f company key:
        # no row but a planted duplicate is one of them (import_at_scale).
        self.taken_names: set[str] = set()

    def _ensure_companies(self, rows: int) -> None:
        """About one company per ROWS_PER_COMPANY rows of the first file, per country."""
        if any(self.companies.values()):
            return
        rng = random.Random(self.seed * 7919)
        total = sum(c["weight"] for c in COUNTRIES.values())
        for region, facts in COUNTRIES.items():
            wanted = max(1, rows * facts["weight"] // total // ROWS_PER_COMPANY)
            misses = 0
            while len(self.companies[region]) < wanted:
                name, domain = self._company(rng, region, facts)
                if misses > 1000:  # the names run out: a branch number, as groups have
                    name, domain = f"{name} {misses}", f"{misses}.{domain}"
                if name in self._company_names:
                    misses += 1
                    continue
                misses = 0
                self._company_names.add(name)
                self.companies[region].append((name, domain))

    @staticmethod
    def _company(rng: random.Random, region: str, facts: dict) -> tuple[str, str]:
        """(name, web domain)."""
        form = rng.choice(facts["forms"])
        trade, trade_latin = _spelling(rng.choice(facts["trades"]))
        city, city_latin = _spelling(rng.choice(facts["cities"]))
        family = rng.choice(facts["family"])
        family, family_latin = _spelling(family[1] if region == "PL" else family)
        other, other_latin = _spelling(rng.choice(facts["family"]))
        if region == "PL":
            other, other_latin = _spelling(rng.choice(facts["family"])[1])
        pick = rng.random()
        if region == "JP":
            core = f"{family}{trade}" if pick < 0.5 else f"{city}{family}{trade}"
            name = f"{form}{core}" if rng.random() < 0.7 else f"{core}{form}"
            slug = f"{city_latin}-" * (pick >= 0.5) + f"{family_latin}-{trade_latin}"
        elif region == "TW":
            core = f"{city}{family}{other}{trade}" if pick < 0.5 else f"{family}{other}{trade}"
            name = f"{core}{form}"
            slug = f"{city_latin}-" * (pick < 0.5) + f"{family_latin}{other_latin}-{trade_latin}"
        elif pick < 0.45:
            name = f"{family} {trade} {form}"
            slug = f"{family_latin}-{trade_latin}"
        elif pick < 0.75:
            name = f"{family} & {other} {form}"
            slug = f"{family_latin}-{other_latin}"
        elif pick < 0.95:
            name = f"{trade} {city} {family} {form}"
            slug = f"{trade_latin}-{city_latin}-{family_latin}"
        else:  # a comma: quoted in the file
            name = f"{family}, {other} {trade} {form}"
            slug = f"{family_latin}{other_latin}-{trade_latin}"
        domain = "-".join(slug.replace(" ", "-").replace("'", "").split("-")).strip("-")
        return name, f"{domain}.{facts['tld']}"

    def write(self, path: Path, rows: int, seed: int, keep_checks: bool = True) -> Written:
        from funnel_tui.core.validators import normalise_key

        self._ensure_companies(rows)
        rng = random.Random(seed)
        regions = self.regions
        weights = [COUNTRIES[r]["weight"] for r in regions]
        written = Written(path, rows, 0, 0, 0, 0, 0, [])
        companies_seen: set[str] = set()
        recent: deque[list[str]] = deque(maxlen=2000)  # rows that will be inserted
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            for _ in range(rows):
                luck = rng.random()
                if luck < DUPLICATE_SHARE and recent:
                    row = self._duplicate(rng, rng.choice(recent))
                    written.duplicate += 1
                else:
                    region = rng.choices(regions, weights)[0]
                    row = self._person(rng, region, normalise_key)
                    if luck > 1 - BAD_EMAIL_SHARE:
                        row[3] = _broken(rng, row[3])
                        written.bad_email += 1
                    else:
                        written.good += 1
                        recent.append(row)
                companies_seen.add(row[2])
                written.with_phone += bool(row[4])
                if keep_checks:
                    written.checks.append((row[4], row[3], row[5]))
                writer.writerow(row)
        written.companies = len(companies_seen)
        return written

    def _person(self, rng: random.Random, region: str, normalise_key) -> list[str]:
        from funnel_tui.core.person_names import join_name

        facts = COUNTRIES[region]
        company, domain = rng.choice(self.companies[region])
        company_key = normalise_key(company)
        female = rng.random() < 0.5
        while True:
            given, given_latin = _spelling(rng.choice(facts["female" if female else "male"]))
            family = rng.choice(facts["family"])
            if region == "PL":
                family = family[0 if female else 1]
            family, family_latin = _spelling(family)
            key = normalise_key(f"{given} {family}") + "\x1f" + company_key
            if key not in self.used_names and (
                not self.taken_names
                or normalise_key(join_name(given, family, country=region)) + "\x1f" + company_key
                not in self.taken_names
            ):
                self.used_names.add(key)
                break
        email = self._email(rng, facts, given_latin, family_latin, domain)
        phone = (
            self.phones[region].draw(rng, self.used_phones) if rng.random() < PHONE_SHARE else ""
        )
        source = rng.choices(self.sources, self.source_weights)[0]
        if rng.random() < 0.05:
            source = source.lower()  # typed by hand somewhere
        title = rng.choice(facts["titles"])
        return [given, family, company, email, phone, region, source, title]

    def _email(self, rng: random.Random, facts: dict, given: str, family: str, domain: str) -> str:
        given = given.lower().replace(" ", "").replace("'", "")
        family = family.lower().replace(" ", "").replace("'", "")
        pick = rng.random()
        local = (
            f"{given}.{family}"
            if pick < 0.55
            else f"{given[0]}{family}"
            if pick < 0.75
            else f"{given}_{family}"
            if pick < 0.85
            else f"{family}.{given}"
        )
        host = domain if rng.random() < 0.75 else rng.choice(facts["free"])
        address = f"{local}@{host}"
        while address.lower() in self.used_emails:
            address = f"{local}{rng.randrange(2, 10_000)}@{host}"
        self.used_emails.add(address.lower())
        if rng.random() < 0.03:
            address = address[0].upper() + address[1:]  # "Anna.kowalska@…" as typed
        return address

    def _duplicate(self, rng: random.Random, row: list[str]) -> list[str]:
        """An earlier, importable row again: scanned twice, or the same person with
        another address, or another spelling at the same number."""
        row = list(row)
        pick = rng.random()
        if pick < 0.4:
            return row  # the badge scanned twice
        if pick < 0.7:  # the same address, its domain typed in capitals
            local, host = row[3].split("@")
            row[3] = f"{local}@{host.upper()}"
            row[7] = ""
            return row
        # the same person with a private address: same name at the same company
        local = row[3].split("@")[0]
        host = rng.choice(["gmail.com", "outlook.com", "yahoo.com"])
        address = f"{local}.private@{host}"
        while address.lower() in self.used_emails:
            address = f"{local}.{rng.randrange(10_000)}@{host}"
        self.used_emails.add(address.lower())
        row[3] = address
        # "A. Kowalska" at the same number: a phone match. Not for a name written in
        # Chinese, Japanese or Korean characters, where no one writes an initial: funnel
        # rightly does not take "真. 松本" for 松本真由美, and inserted such rows as
        # possible duplicates, so the counts missed what was planted.
        if row[4] and rng.random() < 0.5 and not _east_asian(row[0]):
            row[0] = row[0][:1] + "."
        return row


def _east_asian(name: str) -> bool:
    return any(
        unicodedata.name(ch, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA"))
        for ch in name
    )


def _broken(rng: random.Random, address: str) -> str:
    """An address email-validator refuses, as they come in exports."""
    local, host = address.split("@")
    return rng.choice(
        [
            f"{local}(at){host}",
            f"{local}@{host.split('.')[0]}",
            f"{local}@@{host}",
            f"{local} @{host}",
            f"{local}..x@{host}",
            f"{local}@{host},",
        ]
    )


# ------------------------------------------------------------------ the floor


def _floor(rows: list[tuple[str, str, str]], regions: list[str], warm: bool) -> float:
    """check_phone and check_email on every row: rows/s. `warm`: first load every
    region's phone metadata and pass over a few thousand rows."""
    from phonenumbers import PhoneNumberFormat, example_number, format_number

    from funnel_tui.core import validators

    def validate(part):
        for phone, email, country in part:
            validators.check_phone(phone, country)
            validators.check_email(email)

    if warm:
        for region in regions:
            written = format_number(example_number(region), PhoneNumberFormat.NATIONAL)
            assert validators.check_phone(written, region).ok
        assert validators.check_email("anna.kowalska@example.pl").ok
        validate(rows[:5000])
    seconds = timed(lambda: validate(rows))
    floor = len(rows) / seconds
    print(
        f"  floor: check_phone + check_email on {len(rows):,} rows in {seconds:.2f} s "
        f"({floor:,.0f} rows/s)",
        file=sys.stderr,
    )
    return floor


# ------------------------------------------------------------------ the imports


def _imports(
    folder: Path, first: Written, second: Written, regions: list[str]
) -> tuple[list[Figure], float]:
    """Both imports, one after the other into the same database, and the floor. The
    floor is measured before and after them and the faster pass counts: a test run
    elsewhere on the machine slowing one pass must not flatter the ratios."""
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.transfer.importer import run_import
    from funnel_tui.transfer.plan import plan_import

    before = _floor(first.checks, regions, warm=True)
    measured = []
    open_database(str(folder / "leads.db"))
    try:
        rules = Funnel(load_config(None), "bench")
        for written, label in (
            (first, "empty db"),
            (second, f"{round(first.good / 1000)}k-lead db"),
        ):
            start = time.perf_counter()
            report = run_import(rules, plan_import(written.path))
            seconds = time.perf_counter() - start
            print(
                f"  import into the {label}: {report.summary()} in {seconds:.2f} s "
                f"({report.rows_read / seconds:,.0f} rows/s)",
                file=sys.stderr,
            )
            measured.append((written, label, report, seconds))
    finally:
        close_database()
    floor = max(before, _floor(first.checks, regions, warm=False))
    floor_note = (
        "check_phone + check_email of the same rows, one process (the faster of two passes)"
    )
    results = []
    for (written, label, report, seconds), share in zip(measured, (0.6, 0.5), strict=True):
        results += import_figures(label, written, report, seconds, floor, floor_note, share)
    return results, floor


def import_figures(label, written, report, seconds, floor, floor_note, share) -> list[Figure]:
    """An import's rows/s against the floor (goal: `share` of it), and the checks that
    its report adds up and counts what the file planted."""
    from funnel_tui.transfer.importer import DUPLICATE, INSERTED, REFUSED

    speed = report.rows_read / seconds
    planted = (written.good, written.duplicate, written.bad_email)
    got = (report.counts[INSERTED], report.counts[DUPLICATE], report.counts[REFUSED])
    return [
        Figure(
            f"import {written.rows // 1000}k rows into the {label}, rows/s",
            speed,
            "rows/s",
            floor,
            floor_note,
            floor / speed,
            f"≥ {share:.0%} of the floor",
            speed >= share * floor,
        ),
        check(
            f"  {label}: the report adds up",
            report.adds_up() and report.rows_read == written.rows and not report.aborted,
            f"{report.rows_read:,} read",
        ),
        check(
            f"  {label}: ins/dup/refused as planted",
            got == planted,
            "/".join(f"{n:,}" for n in got),
        ),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from common import report

    sys.exit(0 if report(figures()) else 1)
