"""Texts for the tests that hold a fast pre-check to the full path it skips."""

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def varied_texts(pieces, seed, count, most, inserted=""):
    """``pieces``, then ``count`` joins of 1 to ``most`` of them at random (some upper-cased or
    case-swapped, some with one of ``inserted``'s characters put in), then every line of the
    repository's documents and text fixtures."""
    rng = random.Random(seed)
    texts = list(pieces)
    for _ in range(count):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, most)))
        if rng.random() < 0.3:
            text = text.upper() if rng.random() < 0.5 else text.swapcase()
        if inserted and rng.random() < 0.3:
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(inserted) + text[i:]
        texts.append(text)
    for path in sorted((ROOT / "documents").glob("*.txt")) + \
            sorted((ROOT / "tests" / "fixtures").rglob("*.txt")):
        texts.extend(path.read_text(encoding="utf-8", errors="replace").splitlines())
    return texts
