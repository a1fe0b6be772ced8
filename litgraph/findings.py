"""One definition of each finding, shared by the web and ``litgraph check``.

Each finding is a SQL view over the stored tables.  ``ensure_db_shape``
creates the views in every database (so Datasette lists them and the canned
queries of metadata.yaml select from them), and ``litgraph check`` runs the
same SQL text through :func:`finding_rows` (as common table expressions, so it
works on a database whose views are older than this module).  Change a
definition here and both change together.

- ``claim_evidence``: every source behind a claim, its own (``inherited`` 0)
  or, for a sentence of a rewrite, inherited from the claims of the original
  it restates (``inherited`` 1, ``via_claim_id`` names that original claim);
- ``weak_claims``: claims whose usable (not excluded) sources, own or
  inherited, include none of evidence level 1 or 2, with the reason;
- ``unresolved_sources``: sources not excluded whose status is unresolved,
  conflict or not resolved yet;
- ``restatement_findings``: sentences of a rewrite whose best match is not
  simply supported;
- ``level_disagreements``: sources whose declared and inferred levels differ,
  unless a curator set the level (the curator's level settles it).
"""

LOW_LEVEL = 3  # evidence levels 3, 4 and 5 are low-level

# Reasons of weak_claims, in the words the web and the report show.
WEAK_REASONS = {
    "cites no source": "claim-without-source",
    "cites only markers that name no entry": "claim-without-source",
    "cites only excluded sources": "claim-without-source",
    "no source has a known evidence level": "unknown-level-claim",
    "low-level evidence, other sources of unknown level": "unknown-level-claim",
    "best source is low-level evidence": "low-level-claim",
}

def evidence_sql(claim: str = "") -> str:
    """The sources behind claims, own and inherited: the one definition of claim_evidence.

    With ``claim`` (an SQL expression such as ``c.id``) only that claim's rows, written so
    that SQLite looks them up through the indexes (a correlated subquery over the view
    itself would materialise the whole view for every claim).
    """
    own = f"where cs.claim_id = {claim}" if claim else ""
    inherited = f"and a.claim_id = {claim}" if claim else ""
    return f"""
select cs.claim_id, cs.source_id, 0 as inherited, null as via_claim_id
from claim_sources cs {own}
union all
select a.claim_id, cs.source_id, 1 as inherited, a.matched_claim_id as via_claim_id
from claim_alignments a
  join claim_sources cs on cs.claim_id = a.matched_claim_id
where a.matched_claim_id is not null {inherited}
  and not exists (select 1 from claim_sources own
                  where own.claim_id = a.claim_id and own.source_id = cs.source_id)
"""


def _usable(what: str, condition: str = "") -> str:
    """A correlated subquery: ``what`` over claim c's usable (not excluded) sources."""
    return (f"(select {what} from ({evidence_sql('c.id')}) e join sources s on s.id = e.source_id "
            f"where coalesce(s.excluded, 0) = 0 {condition})")


# view name -> its SELECT (views listed after the views they read).
VIEWS = {
    "claim_evidence": evidence_sql(),
    "weak_claims": f"""
select claim_id, document_id, section, line, text, sources, best_level, unknown_level,
  inherited_from, markers_without_entry,
  case
    when cited = 0 and markers_without_entry is not null
      then 'cites only markers that name no entry'
    when cited = 0 then 'cites no source'
    when sources = 0 then 'cites only excluded sources'
    when best_level is null then 'no source has a known evidence level'
    when unknown_level > 0 then 'low-level evidence, other sources of unknown level'
    else 'best source is low-level evidence'
  end as reason
from (
  select c.id as claim_id, c.document_id, c.section, c.line, c.text, c.markers_without_entry,
    (select count(*) from ({evidence_sql('c.id')})) as cited,
    {_usable('count(distinct e.source_id)')} as sources,
    {_usable('count(distinct e.source_id)', 'and s.evidence_level is null')} as unknown_level,
    {_usable('min(s.evidence_level)')} as best_level,
    (select group_concat(distinct e.via_claim_id) from ({evidence_sql('c.id')}) e
       where e.inherited = 1) as inherited_from
  from claims c
)
where sources = 0 or best_level is null or best_level >= {LOW_LEVEL}
""",
    "unresolved_sources": """
select s.id as source_id, coalesce(s.status, 'not resolved') as status, s.status_reason,
  s.cited_as, s.pmid, s.doi
from sources s
where (s.status is null or s.status in ('unresolved', 'conflict'))
  and coalesce(s.excluded, 0) = 0
""",
    "restatement_findings": """
select a.claim_id, coalesce(a.document_id, c.document_id) as document_id,
  coalesce(a.line, c.line) as line, c.text,
  coalesce(a.sentence_status, a.status) as status, a.score,
  a.matched_claim_id, a.matched_line, a.matched_text, a.explanation
from claim_alignments a
  join claims c on c.id = a.claim_id
where a.rank = 1 and coalesce(a.sentence_status, a.status) != 'supported'
""",
    "level_disagreements": """
select s.id as source_id, s.declared_level, s.inferred_level, s.evidence_level,
  s.evidence_basis, s.publication_types
from sources s
where s.level_disagreement = 1 and coalesce(s.evidence_basis, '') != 'curator'
  and coalesce(s.excluded, 0) = 0
""",
}


def view_sql(name: str) -> str:
    """The CREATE VIEW statement of finding ``name``."""
    return f"CREATE VIEW {name} AS{VIEWS[name].rstrip()}"


def ensure_views(db) -> None:
    """Create (or bring up to date) every finding view.  Idempotent."""
    existing = {r["name"]: r["sql"] for r in db.query(
        "select name, sql from sqlite_master where type = 'view'")}
    for name in VIEWS:
        wanted = view_sql(name)
        if existing.get(name) != wanted:
            db.execute(f"DROP VIEW IF EXISTS {name}")
            db.execute(wanted)


# Columns the views read that a database built by an older litgraph lacks (the commands
# that only read never add them): read as null there.
LATER_COLUMNS = {"claims": ("markers_without_entry",)}


def finding_sql(name: str, tail: str = "", columns: str = "*", lacking=()) -> str:
    """``select columns from name`` + ``tail``, every view given as a common table expression;
    each of ``lacking``, (table, column), read as null."""
    shadows = {}
    for table, column in lacking:
        shadows.setdefault(table, []).append(f"null as {column}")
    ctes = [f"{table} as (select *, {', '.join(nulls)} from main.{table})"
            for table, nulls in shadows.items()]
    ctes += [f"{view} as ({sql})" for view, sql in VIEWS.items()]
    joined = ",\n".join(ctes)
    return f"with {joined}\nselect {columns} from {name} {tail}"


def finding_rows(db, name: str, tail: str = "", params=(), columns: str = "*") -> list:
    """The rows of finding ``name`` (``tail``: joins, where, order by), computed from VIEWS."""
    return list(db.query(finding_sql(name, tail, columns, lacking_columns(db)), params))


def lacking_columns(db) -> list:
    """(table, column) of each of LATER_COLUMNS the database lacks (``db``: a sqlite3
    connection or a sqlite_utils Database; a table it lacks has no columns)."""
    lacking = []
    for table, later in LATER_COLUMNS.items():
        have = {row[1] for row in db.execute(f"pragma table_info({table})").fetchall()}
        lacking += [(table, column) for column in later if column not in have]
    return lacking
