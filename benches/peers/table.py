"""Prints run.sh's measurements as one table of medians, and fails when a
tool stored a different number of items than the feeds hold.

usage: table.py RESULTS.tsv EXPECTED_ITEMS
"""

import os
import statistics
import sys
from collections import defaultdict

TOOLS = ("syndic", "reader", "sfeed")
PHASES = ("first poll", "re-poll")


def machine():
    model = "unknown processor"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as f:
            mem_gib = int(f.readline().split()[1]) / 2**20
    except OSError:
        mem_gib = 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({model}), {mem_gib:.0f} GiB; load average now {load}"


def read(path):
    rows = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            tool, phase, _round, wall, user, sys_, rss_kb, items, size = line.rstrip("\n").split("\t")
            rows[(tool, phase)].append(
                {
                    "wall": float(wall),
                    "cpu": float(user) + float(sys_),
                    "rss_mb": int(rss_kb) / 1024,
                    "items": int(items),
                    "bytes": int(size),
                }
            )
    return rows


def main():
    rows, expected = read(sys.argv[1]), int(sys.argv[2])
    print(f"machine: {machine()}")
    print(f"{expected} items expected from every tool; medians of {len(rows[('syndic', 'first poll')])} rounds")
    header = f"{'tool':<8} {'phase':<11} {'wall s':>8} {'(min-max)':>14} {'CPU s':>7} {'peak MB':>8} {'B/item':>7} {'items':>8} {'x syndic':>9}"
    print(header)
    print("-" * len(header))
    wrong = []
    for phase in PHASES:
        base = statistics.median(r["wall"] for r in rows[("syndic", phase)])
        for tool in TOOLS:
            runs = rows.get((tool, phase), [])
            if not runs:
                continue
            wall = statistics.median(r["wall"] for r in runs)
            spread = f"({min(r['wall'] for r in runs):.2f}-{max(r['wall'] for r in runs):.2f})"
            items = sorted({r["items"] for r in runs})
            if items != [expected]:
                wrong.append(f"{tool} {phase}: {items}")
            print(
                f"{tool:<8} {phase:<11} {wall:>8.2f} {spread:>14} "
                f"{statistics.median(r['cpu'] for r in runs):>7.2f} "
                f"{statistics.median(r['rss_mb'] for r in runs):>8.0f} "
                f"{statistics.median(r['bytes'] for r in runs) / expected:>7.0f} "
                f"{'/'.join(map(str, items)):>8} {wall / base:>8.1f}x"
            )
    print("peak MB is the largest single process (sfeed runs many small ones);")
    print("CPU s counts every child process; x syndic is wall time over syndic's.")
    if wrong:
        sys.exit("item counts differ from the feeds': " + "; ".join(wrong))


if __name__ == "__main__":
    main()
