#!/usr/bin/env python3
"""Latency figures from psql outputs of measure.sh's timed scripts: after each marker line
'@@ LABEL name1,name2,...' come the \\timing lines of that transaction's statements, in order.
Prints, per label, the transaction (sum of its statements) and each named statement (begin, set,
commit left out): n, p50, p95, p99, max in ms (nearest rank). Labels starting 'warmup' are skipped."""
import math
import re
import sys
from collections import OrderedDict

def pct(xs, p):
    s = sorted(xs)
    return s[max(0, math.ceil(p * len(s)) - 1)]

groups = OrderedDict()  # label -> (names, [list of per-transaction lists])
for path in sys.argv[1:]:
    cur = None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("@@ "):
            parts = line.split()
            label, names = parts[1], (parts[2].split(",") if len(parts) > 2 else [])
            g = groups.setdefault(label, (names, []))
            cur = []
            g[1].append(cur)
        elif cur is not None:
            m = re.match(r"Time: ([0-9.]+) ms", line)
            if m:
                cur.append(float(m.group(1)))

print("| operation | statement | n | p50 ms | p95 ms | p99 ms | max ms |")
print("|---|---|---:|---:|---:|---:|---:|")
for label, (names, txs) in groups.items():
    if label.startswith("warmup"):
        continue
    txs = [t for t in txs if t]
    if not txs:
        continue
    rows = [("transaction", [sum(t) for t in txs])] if len(names) > 1 else []
    for i, name in enumerate(names):
        if name in ("begin", "set", "commit", "rollback"):
            continue
        rows.append((name, [t[i] for t in txs if len(t) > i]))
    for name, xs in rows:
        if not xs:
            continue
        print(f"| {label} | {name} | {len(xs)} | {pct(xs, .5):.2f} | {pct(xs, .95):.2f} | {pct(xs, .99):.2f} | {max(xs):.2f} |")
