"""The word pre-check of citation._strip_noise agrees with running every NOISE pattern."""

from litgraph.extract import citation
from text_variants import varied_texts

PIECES = ["(accessed 3 May 2020)", "(Last Accessed: 2019)", "accessed on 12 March 2021.",
          "ACCESSED", "acce\u017f\u017fed 2020", "[Internet]", "[cited 2020 Jan 5]", "[Epub ahead of print]",
          "[ONLINE]", "Retrieved from", "Retrieved March 3, 2020, from", "RETR\u0130EVED FROM",
          "Available from:", "[Online]. Available", "available online", "Epub 2019 Mar 3.",
          "Epub ahead of print.", "EPUB 2020", "(2nd ed.)", "(Revised ed., Vol. 2)", "3rd edn.",
          "First edition", "(Second ED.)", "Published online March 3, 2020.", "PUBLISHED ONLINE 2019",
          "Miller JS, Zhou M.", "Lancet. 2016;388:488-97.", "J Synth Med.", "(2019)", "[1]", "ed",
          "\u212a", "\u0131", "Publi\u017fhed online 2020"]


def test_strip_noise_agrees_with_every_pattern_run():
    texts = varied_texts(PIECES, seed=3, count=4000, most=5)
    assert len(citation.NOISE_WORDS) == len(citation.NOISE)
    for text in texts:
        slow = text
        for pattern in citation.NOISE:
            slow = pattern.sub(" ", slow)
        assert citation._strip_noise(text) == citation._squash(slow), text
