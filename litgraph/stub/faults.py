"""Faults the stand-in injects: which kinds, at what rates, and how they are drawn.

A spec such as ``"429=0.2,500=0.1,truncate=0.05,seed=7,slow_ms=500"`` names
each kind's probability per request and the settings; the draws come from
``random.Random(seed)``, so a run that asks in the same order meets the same
faults.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

from ..errors import InputError

NAMED_FAULTS = ("truncate", "error", "html", "empty", "slow", "timeout")


@dataclass(frozen=True)
class Faults:
    """Fault rates (kind -> probability per request) and how to draw them.

    Kinds: ``429``, any 5xx status (``500``, ``502``, ``503``, ...), ``truncate``
    (200 with the XML cut in half), ``error`` (200 with NCBI's ``<ERROR>``),
    ``html`` (200 with an HTML error page), ``empty`` (200, empty body),
    ``slow`` (the normal answer after ``slow_ms``) and ``timeout`` (the normal
    answer after ``timeout_ms``, meant to exceed the client's timeout).  A
    drawn 429 asks the client to wait ``retry_after`` seconds (Retry-After).
    """

    rates: tuple[tuple[str, float], ...] = ()
    seed: int = 0
    slow_ms: int = 1500
    timeout_ms: int = 60_000
    retry_after: int = 1

    def rate(self, kind: str) -> float:
        return dict(self.rates).get(kind, 0.0)

    def draw(self, rng: random.Random) -> str | None:
        """One draw: the fault kind for the next request, or None."""
        if not self.rates:
            return None
        point = rng.random()
        total = 0.0
        for kind, rate in self.rates:
            total += rate
            if point < total:
                return kind
        return None


def parse_faults(spec) -> Faults | None:
    """Read a fault spec such as ``"429=0.2,500=0.1,truncate=0.05,seed=7,slow_ms=500"``.

    Returns None for an empty spec. Raises InputError naming the bad item.
    """
    if spec is None or isinstance(spec, Faults):
        return spec
    spec = str(spec).strip()
    if not spec:
        return None
    rates: dict[str, float] = {}
    settings = {f.name: f.default for f in fields(Faults) if f.name != "rates"}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip().lower()
        if not sep:
            raise InputError(f"fault spec item {item!r}: expected kind=rate, e.g. 429=0.1")
        if name in settings:
            if not value.strip().isdigit():
                raise InputError(f"fault spec item {item!r}: {name} must be a whole number")
            settings[name] = int(value)
            continue
        if name == "5xx":
            name = "500"
        if not (name == "429" or name in NAMED_FAULTS or (name.isdigit() and 500 <= int(name) <= 599)):
            raise InputError(f"fault spec item {item!r}: unknown kind {name!r} (known: 429, 5xx codes, "
                             f"{', '.join(NAMED_FAULTS)}, {', '.join(settings)})")
        try:
            rate = float(value)
        except ValueError:
            raise InputError(f"fault spec item {item!r}: rate must be a number from 0 to 1") from None
        if not 0 <= rate <= 1:
            raise InputError(f"fault spec item {item!r}: rate must be a number from 0 to 1")
        rates[name] = rate
    if sum(rates.values()) > 1 + 1e-9:
        raise InputError(f"fault spec {spec!r}: the rates add up to more than 1")
    return Faults(tuple(rates.items()), **settings)
