"""The facility list held in memory, looked up the ways a mother finds her clinic on USSD:
by its MFL code, by county then sub-county, or by the name she types."""

from .records import normalised


class Directory:
    """Facilities by code, by county and sub-county, and by normalised name."""

    def __init__(self, facilities, source="sample"):
        self.source = source  # "sample" (flows/facilities.csv) or "imported"
        self.by_code = {f.code: f for f in facilities}
        self._areas = {}
        self._names = {}
        for facility in sorted(self.by_code.values(), key=lambda f: (f.name.lower(), f.code)):
            # One with no sub-county is listed under the county's own name, so none is out of reach.
            self._areas.setdefault(facility.county, {}).setdefault(
                facility.sub_county or facility.county, []).append(facility)
            for name in {normalised(facility.name), normalised(facility.sms_name)} - {""}:
                self._names.setdefault(name, []).append(facility)

    def __len__(self):
        return len(self.by_code)

    def all(self):
        return sorted(self.by_code.values(), key=lambda f: (f.county, f.sub_county, f.name))

    def get(self, code):
        return self.by_code.get(str(code or "").strip())

    def counties(self):
        return sorted(self._areas)

    def sub_counties(self, county):
        return sorted(self._areas.get(county, {}))

    def in_sub_county(self, county, sub_county):
        return list(self._areas.get(county, {}).get(sub_county, []))

    def in_county(self, county):
        return [f for sub in self.sub_counties(county) for f in self.in_sub_county(county, sub)]

    def named(self, typed):
        """The one facility whose name (or SMS name) is what she typed, case, punctuation and
        spacing aside; None when no name, or more than one facility, matches."""
        found = self._names.get(normalised(typed), [])
        return found[0] if len(found) == 1 else None
