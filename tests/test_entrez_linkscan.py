"""elink replies scanned without a tree (``linkscan``) read as ElementTree and Bio.Entrez read them.

``parse_elink`` scans a reply in elink's plain grammar and leaves any other to
ElementTree.  Each test checks which reader took the reply, and holds the scan to
ElementTree's reading (``parse_elink_elementtree``) and, where it reads the reply,
Bio.Entrez's: a test passed because every reply went to ElementTree proves nothing.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litgraph.entrez.linkscan import scan_links
from litgraph.entrez.records import parse_elink, parse_elink_elementtree
from litgraph.entrez.reference import parse_elink_reference
from litgraph.errors import ReplyShapeError
from litgraph.stub import render
from litgraph.stub.server import build_catalogue
from litgraph.stub.synthetic import synthetic_pmid

HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD '
        'elink 20101123//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">\n')
NAMES = ("pubmed_pubmed_citedin", "pubmed_pubmed_refs")


def link_set(own, links, linkname="pubmed_pubmed_citedin", gap="", extra=""):
    """A LinkSet about PMIDs ``own``, linked to ``links``; ``gap`` between all its tags."""
    g = gap
    ids = "".join(f"{g}<Id>{i}</Id>" for i in own)
    link_list = "".join(f"{g}<Link>{g}<Id>{i}</Id>{g}</Link>" for i in links)
    return (f"{g}<LinkSet>{g}<DbFrom>pubmed</DbFrom>{g}<IdList>{ids}{g}</IdList>{extra}{g}"
            f"<LinkSetDb>{g}<DbTo>pubmed</DbTo>{g}<LinkName>{linkname}</LinkName>{link_list}{g}"
            f"</LinkSetDb>{g}</LinkSet>")


def reply(*link_sets, tail="\n"):
    return (HEAD + "<eLinkResult>" + "".join(link_sets) + "</eLinkResult>" + tail).encode()


def readers_agree(content, scanned=True):
    """Each link name read alike by parse_elink, ElementTree and Bio.Entrez; ``scanned``:
    whether the scan must take the reply (else it must leave it)."""
    for name in NAMES:
        assert (scan_links(content, name) is not None) is scanned
        assert parse_elink(content, name) == parse_elink_elementtree(content, name) \
            == parse_elink_reference(content, name)


def test_every_stand_in_reply_shape_reads_alike_and_the_plain_ones_are_scanned():
    catalogue = build_catalogue(synthetic=300)
    groups = [[synthetic_pmid(n)] for n in range(1, 301)] + [[synthetic_pmid(1), synthetic_pmid(2)]]
    groups.append(["990009999"])  # a PMID the stand-in does not know
    for shape in ["", *render.SHAPES]:
        content = render.elink_xml(catalogue, groups, NAMES, {shape} - {""}).encode()
        # id-errors writes an <ERROR> into a LinkSet: ElementTree reads that reply
        readers_agree(content, scanned=shape != "id-errors")
    assert sum(len(v) for v in parse_elink(content, NAMES[0]).values()) > 300


def test_ncbis_own_layout_tabs_and_line_feeds_between_tags_is_scanned():
    content = reply(link_set(["20090506"], ["31", "32", "31"], gap="\n\t\t"),
                    link_set(["20090506"], ["33"], gap="\r\n  "),
                    link_set(["1", "2"], ["34"], gap="\n"),  # a by-group answer: credited to none
                    link_set(["3"], ["35"], "pubmed_pubmed_refs", gap="\t"),
                    link_set(["4"], ["36"], linkname=" pubmed_pubmed_citedin\n"), tail="\n\n")
    readers_agree(content)
    assert parse_elink(content, NAMES[0]) == {"20090506": ["31", "32", "33"], "3": [], "4": ["36"]}


LEFT_TO_ELEMENTTREE = {
    "a comment": reply(link_set(["1"], ["2"]) + "<!-- c -->"),
    "a processing instruction": reply(link_set(["1"], ["2"]) + "<?pi x?>"),
    "a character reference": reply(link_set(["1"], ["&#50;"])),
    "a CDATA section": reply(link_set(["1"], ["<![CDATA[2]]>"])),
    "text beyond ASCII": reply(link_set(["1"], ["2"]).replace("pubmed</DbFrom>", "pubméd</DbFrom>")),
    "digits beyond ASCII": reply(link_set(["1"], ["٣"])),
    "an ERROR in a LinkSet": reply(link_set(["1"], ["2"], extra="<ERROR>Invalid uid</ERROR>")),
    "an attribute": reply(link_set(["1"], ["2"]).replace("<Link>", '<Link a="b">')),
    "a Score": reply(link_set(["1"], ["2"]).replace("</Id></Link>", "</Id><Score>9</Score></Link>")),
    "an empty or padded Id": reply(link_set(["1"], ["", " 3 "])),
    "two IdLists": reply(link_set(["1"], ["2"]).replace("</IdList>", "</IdList><IdList><Id>4</Id>"
                                                                       "</IdList>")),
}


@pytest.mark.parametrize("name", LEFT_TO_ELEMENTTREE)
def test_what_the_grammar_does_not_hold_is_read_by_elementtree_alike(name):
    content = LEFT_TO_ELEMENTTREE[name]
    for linkname in NAMES:
        assert scan_links(content, linkname) is None
        # Bio.Entrez lists a Link's Score beside its Id, and keeps a LinkSet's last IdList
        if name not in ("a Score", "two IdLists"):
            assert parse_elink(content, linkname) == parse_elink_reference(content, linkname)
        assert parse_elink(content, linkname) == parse_elink_elementtree(content, linkname)


def test_a_reply_cut_short_or_with_more_after_the_root_is_an_error_as_before():
    whole = reply(link_set(["1"], ["2", "3"]), link_set(["4"], ["5"]))
    for cut in (len(whole) // 2, len(whole) - 8):
        with pytest.raises(ReplyShapeError, match="elink reply is not well-formed XML"):
            parse_elink(whole[:cut], NAMES[0])
    with pytest.raises(ReplyShapeError, match="elink reply is not well-formed XML"):
        parse_elink(whole + b"<eLinkResult/>", NAMES[0])
    with pytest.raises(ReplyShapeError, match="elink reply is a eSearchResult document"):
        parse_elink(whole.replace(b"eLinkResult", b"eSearchResult"), NAMES[0])


PMID = st.from_regex(r"[1-9][0-9]{0,3}", fullmatch=True)
GAP = st.sampled_from(["", " ", "\n", "\t", "\r\n  "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(PMID, min_size=0, max_size=3), st.lists(PMID, max_size=6),
                          st.sampled_from(NAMES), GAP), max_size=6))
def test_any_plain_reply_scans_into_what_elementtree_reads(sets):
    content = reply(*(link_set(own, links, name, gap) for own, links, name, gap in sets))
    for linkname in NAMES:
        assert scan_links(content, linkname) is not None
        assert parse_elink(content, linkname) == parse_elink_elementtree(content, linkname)
