"""Writes N realistic RSS 2.0 feeds for the peer comparison.

Each feed has ITEMS items whose description is about 1.35 KB of HTML
(paragraphs, a link, emphasis), as news sites publish: the size that
decides what a poller parses, sanitizes and stores. The text is drawn
from a fixed vocabulary with a seeded generator, so every run and every
tool sees the same bytes.

usage: feeds.py DIR N ITEMS
"""

import html
import os
import random
import sys
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

WORDS = (
    "council harbour plan budget vote minister report committee river bridge "
    "school hospital railway station market prices energy winter storm coast "
    "election campaign mayor district police court judge appeal ruling union "
    "strike workers factory export import trade agreement talks summit leaders "
    "museum festival concert season league match coach players injury transfer "
    "research university study scientists data climate forest water drought "
    "farmers harvest tourism airport flights delays housing rents tenants "
    "developers planning permission residents protest survey figures growth "
    "inflation bank rates loans savings pension reform tax spending deficit"
).split()

# Paragraphs are added until past this, so descriptions average ~1.35 KB.
MIN_HTML_BYTES = 1190


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 18))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(rng, n, i, k):
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
    if k == 1:
        text += f' <a href="https://news.example/{n}/related/{i}">Read the background</a>.'
    if k == 2:
        text = f"<em>{sentence(rng)}</em> " + text
    return f"<p>{text}</p>"


def description(rng, n, i):
    parts, size, k = [], 0, 0
    while size < MIN_HTML_BYTES:
        p = paragraph(rng, n, i, k)
        parts.append(p)
        size += len(p)
        k += 1
    return "\n".join(parts)


def feed(n, items, start):
    rng = random.Random(n)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
        f"<title>Newsroom {n}</title><link>https://news.example/{n}/</link>",
        f"<description>Local and national news, desk {n}</description>",
    ]
    for i in range(items):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 11))).capitalize()
        date = format_datetime(start - timedelta(minutes=37 * i + n % 60), usegmt=True)
        out.append(
            "<item>"
            f"<title>{html.escape(title)} ({n}-{i})</title>"
            f"<link>https://news.example/{n}/{2026 - i % 3}/story-{i}</link>"
            f'<guid isPermaLink="false">news-{n}-{i}</guid>'
            f"<pubDate>{date}</pubDate>"
            f"<category>{rng.choice(WORDS)}</category>"
            f"<description>{html.escape(description(rng, n, i))}</description>"
            "</item>"
        )
    out.append("</channel></rss>\n")
    return "\n".join(out)


def main():
    root, n, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(os.path.join(root, "feed"), exist_ok=True)
    start = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    for i in range(n):
        with open(os.path.join(root, "feed", f"{i}.xml"), "w", encoding="utf-8") as f:
            f.write(feed(i, items, start))


if __name__ == "__main__":
    main()
