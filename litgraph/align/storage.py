"""Restatements in the database: read documents that restate another, align, store.

``align_documents(db)`` finds every document whose ``documents.restates``
names another, aligns its claims to the sentences of that document with
``litgraph.align.align`` and replaces the ``claim_alignments`` table in one
transaction.

Which source sentences are candidates: every claim of the source document
(with the sources claim_sources gives it), plus the sentences of its text that
are not claims.  The extraction stage keeps only sentences that cite something
as claims of a document with references, and an uncited sentence is exactly
what ``uncited-in-source`` is about, so this module splits the source
document's text (``documents.path``) itself and adds the sentences that no
claim covers, with no sources.  Such a match is stored with
``matched_claim_id`` NULL and the sentence in ``matched_text``.

The restating document's own sentences are its claims (extraction keeps every
sentence of a document without references); only claims can be stored, since
``claim_alignments.claim_id`` is a claim's id.
"""

import json
import re
from collections import Counter
from pathlib import Path

from . import ALIGNMENT_STATUSES, Sentence, Thresholds, align, sentence_statuses, split_sentences
from ..errors import DocumentError


def _normal(text: str) -> str:
    text = re.sub(r"\[[^\[\]]{1,30}\]", "", text or "")
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _claim_order(claim_id: str):
    tail = str(claim_id).rsplit(":", 1)[-1]
    return (0, int(tail), "") if tail.isdigit() else (1, 0, str(claim_id))


def load_claims(db, document_id: str) -> list:
    """A document's claims as Sentences in document order, each with its source keys."""
    rows = list(db.query(
        "select c.id, c.text, c.line, group_concat(cs.source_id, char(31)) as sources "
        "from claims c left join claim_sources cs on cs.claim_id = c.id "
        "where c.document_id = ? group by c.id", [document_id]))
    rows.sort(key=lambda r: (r["line"] if r["line"] is not None else 10**9, _claim_order(r["id"])))
    return [Sentence(r["id"], r["text"] or "", sorted(set(r["sources"].split("\x1f"))) if r["sources"]
                     else [], r["line"]) for r in rows]


def _document_text(path, document_id: str, base_dir) -> str:
    if not path:
        raise DocumentError(f"document {document_id} has no path in the database")
    from ..extract import read_document_text

    full = Path(path)
    if not full.is_absolute() and base_dir is not None:
        full = Path(base_dir) / full
    # a document is a regular file inside the project folder: a `path:` leading out of it,
    # a device or a FIFO is refused, never read
    return read_document_text(full, root=base_dir)


def source_sentences(db, document_id: str, base_dir=None) -> tuple:
    """``(sentences, note)``: the source document's claims plus its uncited sentences.

    ``note`` is None, or says why only the claims could be used (the text
    could not be read).
    """
    claims = load_claims(db, document_id)
    row = db["documents"].get(document_id)
    try:
        text = _document_text(row.get("path"), document_id, base_dir)
    except DocumentError as exc:
        return claims, f"{exc}; aligned to its claims only, so no match can be uncited-in-source"
    covered = [_normal(c.text) for c in claims]
    extra = []
    for sentence in split_sentences(text, document_id):
        normal = _normal(sentence.text)
        if not normal or sentence.sources:
            continue  # a sentence with markers is a claim already
        if any(normal in c or c in normal for c in covered if c):
            continue
        extra.append(Sentence(sentence.id, sentence.text, [], sentence.line))
    merged = claims + extra
    merged.sort(key=lambda s: (s.line if s.line is not None else 10**9, _position(s, text)))
    return merged, None


def _position(sentence: Sentence, text: str) -> int:
    """Where a sentence starts in its document, to order sentences sharing a line."""
    words = sentence.text.split()[:6]
    found = text.find(" ".join(words)) if words else -1
    return found if found >= 0 else 0


def restatement_pairs(db) -> list:
    """``[(restating document id, source document id)]`` from documents.restates."""
    return [(r["id"], r["restates"]) for r in db.query(
        "select id, restates from documents where restates is not null and restates != '' "
        "and restates != id order by id")]


def align_documents(db, thresholds=None, base_dir=None) -> dict:
    """Align every restating document to the one it restates; replace claim_alignments.

    ``thresholds`` is a ``Thresholds`` or a mapping of its fields (None: the
    defaults).  Relative document paths are read from ``base_dir`` (default:
    the current folder).  Returns counts: ``restatements`` (document pairs),
    ``sentences`` (restating claims aligned), ``alignments`` (rows written),
    one count per status (per sentence), and ``source_text_unread`` (source
    documents whose text could not be read, aligned to their claims only).
    The table is replaced in one transaction, so a failure leaves the
    previous alignments in place.
    """
    thresholds = Thresholds.from_dict(thresholds)
    rows, statuses = [], Counter()
    counts = {"restatements": 0, "sentences": 0, "alignments": 0,
              **{status: 0 for status in ALIGNMENT_STATUSES}, "source_text_unread": 0}
    for restating_id, source_id in restatement_pairs(db):
        if not db["documents"].count_where("id = ?", [source_id]):
            continue
        restating = load_claims(db, restating_id)
        if not restating:
            continue
        source, note = source_sentences(db, source_id, base_dir)
        if note:
            counts["source_text_unread"] += 1
        claim_ids = {r["id"] for r in db.query(
            "select id from claims where document_id = ?", [source_id])}
        alignments = align(restating, source, thresholds)
        per_sentence = sentence_statuses(alignments)
        statuses.update(per_sentence.values())
        rows.extend(alignment_rows(alignments, per_sentence, claim_ids, restating_id,
                                   {s.id: s.line for s in restating}))
        counts["restatements"] += 1
        counts["sentences"] += len(restating)
    save_alignments(db, rows)
    counts["alignments"] = len(rows)
    counts.update({status: statuses.get(status, 0) for status in ALIGNMENT_STATUSES})
    return counts


def alignment_inputs_stamp(db, thresholds=None, base_dir=None, code: str = "") -> str:
    """A SHA-256 of everything ``align_documents`` reads: the restatement pairs, both
    documents' claims with their sources, the restated document's text, the thresholds,
    the ``code`` digest the caller gives and the versions of the libraries that score.  The
    same stamp means aligning again would store the same rows."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(code.encode())
    digest.update(repr(Thresholds.from_dict(thresholds)).encode())
    digest.update(repr([version("scikit-learn"), version("numpy")]).encode())
    for restating_id, source_id in restatement_pairs(db):
        digest.update(repr(("pair", restating_id, source_id)).encode())
        if not db["documents"].count_where("id = ?", [source_id]):
            continue
        for document_id in (restating_id, source_id):
            for sentence in load_claims(db, document_id):
                digest.update(repr(tuple(vars(sentence).values())).encode("utf-8", "surrogatepass"))
        row = db["documents"].get(source_id)
        try:
            text = _document_text(row.get("path"), source_id, base_dir)
        except DocumentError as exc:
            text = f"unread: {exc}"
        digest.update(b"\0text\0" + text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def alignment_rows(alignments: list, per_sentence: dict, claim_ids: set, document_id=None,
                   lines=None) -> list:
    """claim_alignments rows; a matched sentence that is not a stored claim keeps only its text.

    ``document_id`` and ``lines`` (claim id -> line) place each restating claim.
    """
    lines = lines or {}
    rows = []
    for a in alignments:
        matched = a.matched_claim_id if a.matched_claim_id in claim_ids else None
        rows.append({
            "claim_id": a.claim_id, "rank": a.rank, "matched_claim_id": matched,
            "score": a.score, "status": a.status, "sentence_status": per_sentence[a.claim_id],
            "explanation": a.explanation, "matched_text": a.matched_text,
            "matched_line": a.matched_line,
            "sources": json.dumps(a.sources, ensure_ascii=False) if a.sources else None,
            "document_id": document_id, "line": lines.get(a.claim_id)})
    return rows


def save_alignments(db, rows: list) -> None:
    """Replace every row of claim_alignments with ``rows``, in one transaction."""
    from ..store import TABLES

    columns, pk, _fks = TABLES["claim_alignments"]
    with db.atomic():
        db.execute("DELETE FROM claim_alignments")
        if rows:
            db["claim_alignments"].insert_all(rows, pk=pk, columns=columns)
