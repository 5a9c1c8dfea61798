"""``python -m bench.compression``: what zlib saves on session cookies, by payload size.

Behind :data:`sessionware.cookies._signing.COMPRESS_FROM`: it generates sessions of
the shapes apps keep (a user id, an e-mail, a CSRF token, a cart, flashed messages,
preferences, a tagged date), serializes each as the signed cookie does, and prints
per 64-byte band how often Flask's rule (compress when two bytes shorter) compresses
and how many bytes that saves. The seed is fixed, so the table is the same each run.
"""

from __future__ import annotations

import argparse
import random
import string
import zlib
from collections import defaultdict
from typing import Any

from sessionware.cookies.tagged import TaggedJSONSerializer

__all__ = ["main", "session"]

_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "you",
    "that",
    "it",
    "was",
    "for",
    "on",
    "are",
    "as",
    "with",
    "they",
    "at",
    "be",
    "this",
    "have",
    "from",
    "or",
    "one",
    "had",
    "by",
    "word",
    "but",
    "not",
    "what",
    "all",
    "were",
    "we",
    "when",
    "your",
    "can",
    "said",
    "there",
    "use",
    "an",
    "each",
    "which",
    "she",
    "do",
    "how",
    "their",
    "if",
    "will",
    "up",
    "other",
    "about",
    "out",
    "many",
    "then",
    "them",
    "these",
    "so",
    "some",
]


def session(rng: random.Random) -> dict[str, Any]:
    """One generated session, each part present with the odds an app might have."""
    data: dict[str, Any] = {}
    if rng.random() < 0.9:
        data["user_id"] = rng.randint(1, 10**7)
    if rng.random() < 0.6:
        name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10)))
        data["username"] = f"{name}@example.org"
    if rng.random() < 0.7:
        data["csrf_token"] = "".join(rng.choices(string.ascii_letters + string.digits, k=43))
    if rng.random() < 0.4:
        data["cart"] = [rng.randint(1, 5000) for _ in range(rng.randint(0, 12))]
    if rng.random() < 0.5:
        data["_flashes"] = [
            ("message", " ".join(rng.choices(_WORDS, k=rng.randint(3, 15))).capitalize() + ".")
            for _ in range(rng.randint(1, 2))
        ]
    if rng.random() < 0.3:
        data["_permanent"] = True
    if rng.random() < 0.3:
        data["prefs"] = {"theme": rng.choice(["dark", "light"]), "lang": "en", "tz": "UTC"}
    return data


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20_000)
    args = parser.parse_args(argv)
    rng = random.Random(17)
    serializer = TaggedJSONSerializer()
    bands: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for _ in range(args.sessions):
        payload = serializer.dumps(session(rng)).encode("ascii")
        compressed = zlib.compress(payload)
        saved = len(payload) - len(compressed) if len(compressed) < len(payload) - 1 else 0
        bands[len(payload) // 64 * 64].append((saved, len(payload)))
    print("| JSON bytes | sessions | compressed | bytes saved, mean | of the payload |")
    print("|---|---|---|---|---|")
    for band in sorted(bands):
        rows = bands[band]
        compressed_share = sum(1 for saved, _ in rows if saved) / len(rows)
        saved_total = sum(saved for saved, _ in rows)
        print(
            f"| {band}-{band + 63} | {len(rows)} | {compressed_share:.0%} | "
            f"{saved_total / len(rows):.1f} | {saved_total / sum(n for _, n in rows):.1%} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
