"""Benchmark: does identity verification catch wrong citations, and leave right ones alone?

Usage:
    python bench/identity.py

Every record of the stand-in's fixture file (litgraph/stub/fixtures/records.yaml)
that has a title and authors is fetched through the client, and a faithful
reference is written from it (PMID, title, authors, journal, year, volume,
pages, as a document would state them).  Then:

- harmless variations, one at a time and all together: the journal abbreviated
  (the record's ISO abbreviation, else each long word cut to four letters),
  the subtitle dropped, the author list cut to ``et al.``, authors written
  ``Miller, J. S.``, the year one off
  (epub versus print), inline markup in the title, case and accents changed,
  trailing periods;
- single-field perturbations: a wrong title (another record's), a wrong first
  author (another record's), a wrong year (three off);
- multi-field perturbations: the PMIDs of two references swapped, the PMID of
  another record, the DOI of another record alone (the shape of a fabricated
  reference: a real DOI under an invented citation);
- a PMID that exists nowhere (the synthetic range, with no synthetic corpus).

All of them go through the real path: ``resolve_sources`` against the stand-in
(identity verification and the candidate search included).  A perturbation
is classed by how many stated fields really differ, character for character
after case folding, from the record its identifier leads to (so a "wrong
title" that happens to equal the record's title would not count).

Printed: the confusion matrix (rows: variation or perturbation; columns:
verified, partial, mismatch, no verdict, unresolved), the three targets and
how often a mismatch's candidate is the record the citation describes.
Targets: every perturbation changing two or more fields is a mismatch; no
faithful reference (with or without harmless variations) is a mismatch; at
least 95% of single-field perturbations are partial or mismatch.
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import finish, stopwatch  # noqa: E402

from litgraph.entrez import EntrezClient  # noqa: E402
from litgraph.identity import author_names, fold, surname  # noqa: E402
from litgraph.model import SourceEntry  # noqa: E402
from litgraph.resolve import resolve_sources  # noqa: E402
from litgraph.stub.records import load_records  # noqa: E402
from litgraph.stub.server import StandIn  # noqa: E402
from litgraph.stub.synthetic import synthetic_pmid  # noqa: E402

COLUMNS = ("verified", "partial", "mismatch", "none", "unresolved")
HARMLESS = ("journal-abbreviated", "subtitle-dropped", "et-al", "authors-comma-initials",
            "year-epub-minus-1", "year-print-plus-1", "inline-markup", "case-and-accents",
            "trailing-periods", "all-harmless-at-once")
PERTURBED = ("wrong-title", "wrong-first-author", "wrong-year", "swapped-identifiers",
             "pmid-of-another-record", "doi-of-another-record")


# ---------------------------------------------------------------- references

def faithful(record, key) -> SourceEntry:
    """The reference a careful document would write for ``record``."""
    return SourceEntry(key, pmid=record.pmid, title=record.title, authors=list(record.authors),
                       journal=record.journal or record.journal_iso or record.book_title,
                       year=record.year,
                       volume=record.volume, pages=record.pages)


def _strip_accents(text):
    import unicodedata

    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def abbreviate(journal) -> str:
    return " ".join(w[:4] if len(w) > 5 else w for w in journal.split()
                    if w.lower() not in ("of", "and", "the", "&"))


def harmless(entry, record, kind):
    """``entry`` with one harmless variation, or None where it does not apply."""
    if kind == "journal-abbreviated":
        if not entry.journal:
            return None
        iso = record.journal_iso
        short = iso if iso and fold(iso) != fold(entry.journal) else abbreviate(entry.journal)
        return replace(entry, journal=short) if fold(short) != fold(entry.journal) else None
    if kind == "subtitle-dropped":
        if not entry.title or ":" not in entry.title:
            return None
        return replace(entry, title=entry.title.split(":", 1)[0])
    if kind == "et-al":
        if len(entry.authors) < 2:
            return None
        kept = entry.authors[:3] if len(entry.authors) > 3 else entry.authors[:1]
        return replace(entry, authors=kept + ["et al."])
    if kind == "authors-comma-initials":  # "Miller JS" written "Miller, J. S."
        written = []
        for author in entry.authors:
            parts = author.rsplit(" ", 1)
            if len(parts) == 2 and parts[1].isupper() and len(parts[1]) <= 3:
                written.append(f"{parts[0]}, {'. '.join(parts[1])}.")
            else:
                written.append(author)
        return replace(entry, authors=written) if written != entry.authors else None
    if kind in ("year-epub-minus-1", "year-print-plus-1"):
        if not entry.year:
            return None
        return replace(entry, year=entry.year + (-1 if kind == "year-epub-minus-1" else 1))
    if kind == "inline-markup":
        words = (entry.title or "").split()
        if len(words) < 2:
            return None
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        words[longest] = f"<i>{words[longest]}</i>"
        return replace(entry, title=" ".join(words))
    if kind == "case-and-accents":
        return replace(entry, title=(entry.title or "").upper() or None,
                       authors=[_strip_accents(a) for a in entry.authors],
                       journal=(entry.journal or "").lower() or None)
    if kind == "trailing-periods":
        return replace(entry, title=(entry.title.rstrip(".") + ".") if entry.title else None,
                       journal=(entry.journal + ".") if entry.journal else None)
    if kind == "all-harmless-at-once":
        varied = entry
        for one in HARMLESS[:-1]:
            if one == "year-print-plus-1":
                continue
            varied = harmless(varied, record, one) or varied
        return varied
    raise ValueError(kind)


def _other(records, index, usable):
    """The first record after ``index`` (cyclically) for which ``usable(record)`` holds."""
    for step in range(1, len(records)):
        other = records[(index + step) % len(records)]
        if usable(other):
            return other
    return None


def stated_differences(entry, record) -> int:
    """How many stated fields differ from the record, exactly (after case folding)."""
    pairs = [
        (entry.title, record.title),
        (surname(author_names(entry.authors)[0]) if author_names(entry.authors) else None,
         surname(record.authors[0]) if record.authors else None),
        (entry.year, record.year),
        (entry.journal, record.journal or record.book_title),
        (entry.volume, record.volume),
        (entry.first_page, (record.pages or "").split("-")[0] or None),
    ]
    others = author_names(entry.authors)[1:]
    have = {" ".join(surname(a)) for a in record.authors}
    differing = sum(1 for stated, recorded in pairs
                    if stated and recorded and fold(str(stated)) != fold(str(recorded)))
    if others and record.authors and any(" ".join(surname(a)) not in have for a in others):
        differing += 1
    return differing


def perturbed(records, entries):
    """(kind, entry, the record the citation describes) for every perturbation that applies."""
    out = []
    for i, (record, entry) in enumerate(zip(records, entries)):
        other = _other(records, i, lambda r: r.title and fold(r.title) != fold(record.title))
        if entry.title and other:
            out.append(("wrong-title", replace(entry, key=entry.key + "/wrong-title",
                                               title=other.title), record))
        other = _other(records, i, lambda r: r.authors and record.authors
                       and surname(r.authors[0]) != surname(record.authors[0])
                       and not any(surname(r.authors[0]) == surname(a) for a in record.authors))
        if entry.authors and other:
            out.append(("wrong-first-author", replace(
                entry, key=entry.key + "/wrong-first-author",
                authors=[other.authors[0]] + entry.authors[1:]), record))
        if entry.year:
            out.append(("wrong-year", replace(entry, key=entry.key + "/wrong-year",
                                              year=entry.year + 3), record))
        other = records[(i + 7) % len(records)]
        if other.pmid != record.pmid:
            out.append(("pmid-of-another-record", replace(
                entry, key=entry.key + "/pmid-of-another", pmid=other.pmid), record))
        other = _other(records, i, lambda r: r.doi and r.pmid != record.pmid)
        if other:
            out.append(("doi-of-another-record", replace(
                entry, key=entry.key + "/doi-of-another", pmid=None, doi=other.doi), record))
    for i in range(0, len(entries) - 1, 2):
        a, b = entries[i], entries[i + 1]
        out.append(("swapped-identifiers", replace(a, key=a.key + "/swapped", pmid=b.pmid),
                    records[i]))
        out.append(("swapped-identifiers", replace(b, key=b.key + "/swapped", pmid=a.pmid),
                    records[i + 1]))
    return out


# ---------------------------------------------------------------- running

def verdict_column(resolution) -> str:
    if resolution.status != "resolved":
        return "unresolved"
    return resolution.identity or "none"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=10, help="misses listed per target")
    args = parser.parse_args(argv)

    pmids = [r.pmid for r in load_records()]
    with StandIn(rate_limit=None) as stand_in, EntrezClient(stand_in.base_url, rate=0) as client:
        fetched = client.fetch_pubmed(pmids).records
        records = [fetched[p] for p in pmids if p in fetched
                   and fetched[p].title and fetched[p].authors]
        entries = [faithful(r, f"r{r.pmid}") for r in records]
        cases = [("faithful", e, r) for e, r in zip(entries, records)]
        for kind in HARMLESS:
            for entry, record in zip(entries, records):
                varied = harmless(entry, record, kind)
                if varied is not None:
                    cases.append((kind, replace(varied, key=f"{entry.key}/{kind}"), record))
        cases += perturbed(records, entries)
        for n in range(1, 6):
            cases.append(("non-existent-pmid", SourceEntry(
                f"missing-{n}", pmid=synthetic_pmid(999_990 + n), title="A reference to nothing",
                authors=["Nobody N"], journal="Synthetic Journal of Benchmarks", year=2020), None))
        with stopwatch() as watch:
            resolutions = resolve_sources([c[1] for c in cases], client)

    matrix = {}
    fields_changed = {}
    results = []
    for (kind, entry, cited), resolution in zip(cases, resolutions):
        column = verdict_column(resolution)
        matrix.setdefault(kind, dict.fromkeys(COLUMNS, 0))[column] += 1
        changed = (stated_differences(entry, resolution.record)
                   if resolution.record is not None else None)
        if kind in PERTURBED:
            fields_changed.setdefault(kind, []).append(changed)
        results.append((kind, entry, cited, resolution, column, changed))

    harmless_kinds = ("faithful",) + HARMLESS
    faithful_rows = [r for r in results if r[0] in harmless_kinds]
    single = [r for r in results if r[0] in PERTURBED and r[5] == 1]
    multi = [r for r in results if r[0] in PERTURBED and r[5] is not None and r[5] >= 2]
    unclassed = [r for r in results if r[0] in PERTURBED and (r[5] is None or r[5] == 0)]
    missing = [r for r in results if r[0] == "non-existent-pmid"]
    faithful_mismatch = [r for r in faithful_rows if r[4] == "mismatch"]
    faithful_verified = [r for r in faithful_rows if r[4] == "verified"]
    single_flagged = [r for r in single if r[4] in ("partial", "mismatch")]
    multi_mismatch = [r for r in multi if r[4] == "mismatch"]
    with_candidate = [r for r in results if r[4] == "mismatch" and r[2] is not None
                      and "candidate: PMID" in (r[3].identity_reason or "")]
    right_candidate = [r for r in with_candidate
                       if f"candidate: PMID {r[2].pmid} " in r[3].identity_reason]
    mismatches_citing_a_record = [r for r in results if r[4] == "mismatch" and r[2] is not None
                                  and r[3].record is not None and r[3].record.pmid != r[2].pmid]

    lines = [f"identity verification: {len(records)} fixture records, {len(cases)} references, "
             f"resolved through the stand-in in {watch.seconds:.1f} s", ""]
    width = max(len(k) for k in matrix) + 2
    lines.append("".ljust(width) + "".join(c.rjust(11) for c in COLUMNS) + "  fields changed")
    for kind in ("faithful",) + HARMLESS + PERTURBED + ("non-existent-pmid",):
        if kind not in matrix:
            continue
        counts = fields_changed.get(kind)
        spread = ""
        if counts:
            known = [c for c in counts if c is not None]
            spread = f"  {min(known)}-{max(known)}" if known else ""
        lines.append(kind.ljust(width) + "".join(str(matrix[kind][c]).rjust(11) for c in COLUMNS)
                     + spread)
    share = len(single_flagged) / len(single) if single else 0.0
    lines += [
        "",
        f"multi-field perturbations flagged mismatch: {len(multi_mismatch)} of {len(multi)} "
        f"(target: all) {'MET' if len(multi_mismatch) == len(multi) else 'MISSED'}",
        f"faithful references (with harmless variations) flagged mismatch: "
        f"{len(faithful_mismatch)} of {len(faithful_rows)} (target: none) "
        f"{'MET' if not faithful_mismatch else 'MISSED'}; verified: {len(faithful_verified)}",
        f"single-field perturbations flagged partial or mismatch: {len(single_flagged)} of "
        f"{len(single)} = {share:.1%} (target: >= 95%) {'MET' if share >= 0.95 else 'MISSED'}",
        f"non-existent PMIDs left unresolved: {sum(r[4] == 'unresolved' for r in missing)} of "
        f"{len(missing)}",
        f"perturbations that changed no stated field (not classed): {len(unclassed)}",
        f"mismatches whose citation describes another fixture record: "
        f"{len(mismatches_citing_a_record)}; with a candidate: {len(with_candidate)}; "
        f"the candidate is the described record: {len(right_candidate)}",
    ]
    misses = ([("multi not mismatch", r) for r in multi if r[4] != "mismatch"]
              + [("faithful mismatch", r) for r in faithful_mismatch]
              + [("single not flagged", r) for r in single if r not in single_flagged]
              + [("faithful not verified", r) for r in faithful_rows
                 if r[4] not in ("verified", "mismatch")])
    if misses:
        lines.append("")
        lines.append("misses and near misses:")
        for label, r in misses[: args.show * 4]:
            lines.append(f"  {label}: {r[1].key} ({r[0]}): {r[3].identity} - "
                         f"{r[3].identity_reason or r[3].status_reason}")
    figures = {
        "records": len(records), "references": len(cases),
        "matrix": matrix,
        "multi_field": {"count": len(multi), "mismatch": len(multi_mismatch)},
        "faithful": {"count": len(faithful_rows), "mismatch": len(faithful_mismatch),
                     "verified": len(faithful_verified)},
        "single_field": {"count": len(single), "flagged": len(single_flagged),
                         "share": round(share, 4)},
        "candidates": {"mismatches_describing_a_record": len(mismatches_citing_a_record),
                       "with_candidate": len(with_candidate), "right": len(right_candidate)},
        "seconds": round(watch.seconds, 2),
    }
    finish("identity", figures, lines)
    met = (len(multi_mismatch) == len(multi) and not faithful_mismatch and share >= 0.95)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
