"""The demo's people and companies: the sales team, the regions leads come from, and
names, companies, emails and mobile numbers in each region's own script."""

from __future__ import annotations

from collections.abc import Callable

from funnel_tui.core.folding import stored_fold
from funnel_tui.core.validators import normalise_key
from funnel_tui.demo import names as words
from funnel_tui.demo.clock import Clock
from funnel_tui.demo.draws import js, pick, weighted
from funnel_tui.demo.phones import PhonePlan, phone_plans, render
from funnel_tui.demo.writing import Rows

# The sales team: (login, display name, regions they mainly work).
REPS = (
    ("anna", "Anna Schneider", ("DE", "AT", "CH", "FR", "IT", "NL")),
    ("ben", "Ben Miller", ("US", "GB")),
    ("carla", "Carla Méndez", ("MX", "ES", "BR")),
    ("dawid", "Dawid Wójcik", ("PL", "DE")),
    ("mei", "林美玲", ("TW", "CN", "JP", "KR")),
)


EMPLOYEE_BUCKETS = ((3, 10), (10, 50), (50, 250), (250, 1000), (1000, 10000), (10000, 60000))
EMPLOYEE_WEIGHTS = (15, 25, 30, 18, 10, 2)


class Region:
    """A region and everything its leads are made of, prepared once per run."""

    def __init__(
        self,
        spec: words.RegionSpec,
        culture: words.Culture,
        reps: list[int],
        plans: tuple[PhonePlan, ...],
    ):
        self.code = spec.code
        self.spec = spec
        self.culture = culture
        self.style = culture.style
        self.tz = spec.utc_offset * 3600
        self.reps = reps
        self.plans = plans
        self.free_mail = words.free_mail(spec.code)
        # Name parts with their duplicate-check keys, so a name's key is two lookups.
        self.female = tuple((n, r, normalise_key(n)) for n, r in culture.female)
        self.male = tuple((n, r, normalise_key(n)) for n, r in culture.male)
        self.family = tuple(
            (m, mr, normalise_key(m), f, fr, normalise_key(f)) for m, mr, f, fr in culture.family
        )
        self.companies: list[tuple] = []
        self.misses = 0  # new companies in a row that found no unused name
        # Surnames that can share a company name ("Weber & Hoffmann"), where that is usual.
        self.partners = (
            tuple((m, mr) for m, mr, _, _, _, _ in self.family)
            if culture.style in ("western", "hispanic")
            else ()
        )


class People:
    """Makes up the people leads are and the companies they work for, never handing out
    an email, phone number or company name twice (nor one the database holds)."""

    def __init__(
        self,
        rnd: Callable[[], float],
        clock: Clock,
        rows: Rows,
        users: dict[str, int],
        taken: dict[str, set[str]],
    ):
        self.rnd = rnd
        self.clock = clock
        self.rows = rows
        self.rep_ids = [users[login] for login, _, _ in REPS]
        cultures = words.cultures()
        plans = phone_plans()
        self.regions = [
            Region(
                spec,
                cultures[spec.culture],
                [users[login] for login, _, codes in REPS if spec.code in codes] or self.rep_ids,
                plans[spec.code],
            )
            for spec in words.REGIONS
        ]
        self.pick_region = weighted([r.weight for r in words.REGIONS])
        self.pick_employees = weighted(EMPLOYEE_WEIGHTS)
        # What the database already holds is not handed out again.
        self.emails = taken["email_norm"]
        self.phones = taken["phone_e164"]
        self.company_keys = taken["company"]
        self.domains: set[str] = set()
        self.next_company = 0

    def person(
        self, region: Region, created: int, creator: int
    ) -> tuple[str, str, tuple[str, str | None, str, str], str, tuple | None, str]:
        """(name, name key, phone, email, company, title) of a new lead in the region;
        a new company, when it gets one, is written as made by `creator` at `created`."""
        rnd = self.rnd
        female = rnd() < 0.5
        given = region.female if female else region.male
        given, given_roman, given_key = given[int(rnd() * len(given))]
        family = region.family[int(rnd() * len(region.family))]
        surname, surname_roman, surname_key = family[3:] if female else family[:3]
        style = region.style
        if style == "cjk":
            name, name_key = surname + given, surname_key + given_key
        elif style == "ja":
            name, name_key = surname + " " + given, surname_key + " " + given_key
        elif style == "hispanic" and rnd() < 0.7:
            second = region.family[int(rnd() * len(region.family))]
            second, second_key = (second[3], second[5]) if female else (second[0], second[2])
            name = given + " " + surname + " " + second
            name_key = given_key + " " + surname_key + " " + second_key
        else:
            name, name_key = given + " " + surname, given_key + " " + surname_key

        company = None
        if rnd() < 0.75:
            pool = region.companies
            # New companies appear until a region's names run out (small name lists, or a
            # database that already holds many demo companies).
            if not pool or (region.misses < 20 and rnd() < 0.3):
                company = self.company(region, created, creator)
            if company is None and pool:
                company = pool[int(rnd() * len(pool))]
        phone = self.phone(region) if rnd() < 0.9 else ("", None, "", "")
        email = ""
        if not phone[0] or rnd() < 0.9:
            domain = company[2] if company and rnd() < 0.8 else None
            email = self.email(given_roman, surname_roman, domain, region)
        titles = region.culture.titles
        title = titles[int(rnd() * len(titles))] if rnd() < 0.75 else ""
        return name, name_key, phone, email, company, title

    def company(self, region: Region, when: int, user: int) -> tuple | None:
        """A new company of the region, or None when no unused name came up."""
        rnd = self.rnd
        culture = region.culture
        for _ in range(4):
            stem, stem_roman = pick(rnd, culture.stems)
            if region.partners and rnd() < 0.4:
                # Partnerships are named after two founders: "Weber & Hoffmann".
                other, other_roman = pick(rnd, region.partners)
                if other != stem:
                    stem, stem_roman = f"{stem} & {other}", f"{stem_roman}-{other_roman}"
            city = ""
            if culture.city_prefixes and rnd() < 0.5:
                city, city_roman = pick(rnd, culture.city_prefixes)
            pattern, domain_pattern, industry = pick(rnd, culture.company_patterns)
            name = pattern.format(city + stem)
            key = normalise_key(name)
            if key not in self.company_keys:
                break
        else:
            region.misses += 1
            return None
        region.misses = 0
        self.company_keys.add(key)
        domain = domain_pattern.format(stem_roman) + "." + region.spec.tld
        if city and culture.key != "zh_CN":  # a Chinese company's domain omits its city
            domain = city_roman + "-" + domain
        if domain in self.domains:
            domain = domain.replace(".", f"{len(self.domains)}.", 1)
        self.domains.add(domain)
        lo, hi = EMPLOYEE_BUCKETS[self.pick_employees(rnd())]
        employees = None if rnd() < 0.12 else int(lo + (hi - lo) * rnd() ** 2)
        if rnd() < 0.1:
            industry = ""
        self.next_company += 1
        cid = self.next_company
        stamp = self.clock.ts(when)
        website = "https://www." + domain if rnd() < 0.75 else ""
        self.rows.company_rows.append(
            (cid, name, key, industry, employees, region.code, website, stamp, stamp, 1)
        )
        self.rows.history_rows.append(
            (stamp, user, "company", cid, "create", "name", None, name, None)
        )
        company = (
            cid, name, domain, industry, employees, '"company": ' + js(name), key,
            stored_fold(key),
        )  # fmt: skip
        region.companies.append(company)
        return company

    def email(self, given: str, family: str, domain: str | None, region: Region) -> str:
        rnd = self.rnd
        r = rnd()
        if domain is None:
            domain = pick(rnd, region.free_mail)
            if r < 0.35:
                local = f"{given}.{family}"
            elif r < 0.55:
                local = f"{family}{given}{int(rnd() * 90) + 10}"
            elif r < 0.75:
                local = f"{given}_{family}"
            else:
                local = f"{given[0]}{family}{int(rnd() * 900) + 100}"
        elif region.style in ("cjk", "ja") and r < 0.5:
            local = f"{family}.{given}" if r < 0.25 else f"{given}{family}"
        elif r < 0.55:
            local = f"{given}.{family}"
        elif r < 0.8:
            local = f"{given[0]}.{family}"
        else:
            local = f"{given[0]}{family}"
        if rnd() < 0.08:
            # Some people type their address capitalised; the normalised form keeps it.
            local = local.title()
        email = f"{local}@{domain}"
        n = 2
        while email.casefold() in self.emails:
            email = f"{local}{n}@{domain}"
            n += 1
        self.emails.add(email.casefold())
        return email

    def phone(self, region: Region) -> tuple[str, str, str, str]:
        """(as typed, E.164, number type, international format) of a new mobile number
        in the region."""
        rnd = self.rnd
        plan = pick(rnd, region.plans)
        scale = 10**plan.free
        while True:
            digits = str(scale + int(rnd() * scale))[1:]
            e164 = "+" + plan.country_code + plan.prefix + digits
            if e164 not in self.phones:
                break
        self.phones.add(e164)
        international = render(plan.international, digits)
        r = rnd()
        if r < 0.7:
            typed = international
        elif r < 0.85:
            typed = e164
        else:
            typed = render(plan.national, digits)
        return typed, e164, plan.type_name, international
