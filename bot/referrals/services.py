"""The staff-edited list of services for children with a disability, by county.

flows/referral_services.yaml lists each service's name, county, what it offers
(in every language) and phone. Entries marked `sample: true` show staff how to
write one and are never shown to a mother: the bot only names services the
programme has listed as real. Problems name the file, the line and the fix,
like every other content check.
"""

from dataclasses import dataclass

from .. import phones
from ..content import gsm, yamlfile
from ..errors import Problem
from .counties import county_named

FILE = "referral_services.yaml"
SCHEMA = "referral_services.schema.json"
MOST_PER_COUNTY = 4  # more than this will not fit a USSD session of about 180 seconds
SHORT_CODE_DIGITS = (3, 4)  # toll-free lines such as 1195 or 116


@dataclass(frozen=True)
class Service:
    name: str
    county: str
    offers: dict  # language -> what it offers
    phone: str
    sample: bool
    line: int | None


@dataclass(frozen=True)
class ReferralList:
    services: tuple

    def in_county(self, typed):
        """Return (county, real services there) for what she typed; county is None if unknown."""
        county = county_named(typed)
        return county, [s for s in self.services if s.county == county and not s.sample]

    @staticmethod
    def shown(services, language):
        """The services as one text for a USSD screen, in `language`."""
        return "; ".join(f"{s.name}, {s.phone}: {s.offers[language]}" for s in services)


def build_referral_list(data, lines, problems):
    """Return the ReferralList from schema-valid data, adding the problems found."""
    services, seen = [], set()
    for n, entry in enumerate(data["services"]):
        line = yamlfile.line_of(lines, "services", n)
        county = county_named(entry["county"])
        service = Service(entry["name"], county or entry["county"], entry["offers"],
                          entry["phone"], entry.get("sample", False), line)
        problems += _entry_problems(service, county, line)
        if (service.name.lower(), service.county) in seen:
            problems.append(Problem(FILE, f"'{service.name}' in {service.county} is listed twice.",
                                    line=line, fix="Keep one of them."))
        seen.add((service.name.lower(), service.county))
        services.append(service)
    problems += _crowded_counties(services)
    return ReferralList(tuple(services))


def _entry_problems(service, county, line):
    problems = []
    if county is None:
        problems.append(Problem(FILE, f"'{service.county}' is not one of Kenya's 47 counties.",
                                key=service.name, line=line,
                                fix="Write the county's name, e.g. 'Kisumu' or 'Homa Bay'."))
    if not (phones.normalise(service.phone) or _short_code(service.phone)):
        problems.append(Problem(FILE, f"The phone {service.phone!r} is not a valid number.",
                                key=service.name, line=line,
                                fix="Write it as 0712345678, +254712345678 or a short code like 1195."))
    for language, text in sorted(service.offers.items()):
        odd = gsm.outside_gsm(f"{service.name} {text}")
        if odd:
            problems.append(Problem(FILE, f"The {language} text uses {odd!r}, which many phones "
                                    "show as boxes.", key=service.name, line=line,
                                    fix="Use plain letters, straight quotes ' \" and '-' instead."))
    return problems


def _short_code(phone):
    return phone.isdigit() and not phone.startswith("0") and len(phone) in SHORT_CODE_DIGITS


def _crowded_counties(services):
    counts = {}
    for service in services:
        if not service.sample:
            counts.setdefault(service.county, []).append(service)
    return [Problem(FILE, f"{county} lists {len(listed)} services; a mother can read at most "
                    f"{MOST_PER_COUNTY} in one session.", line=listed[MOST_PER_COUNTY].line,
                    fix=f"Keep the {MOST_PER_COUNTY} most useful; a Mentor Mother can name others.")
            for county, listed in sorted(counts.items()) if len(listed) > MOST_PER_COUNTY]

