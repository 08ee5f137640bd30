#!/usr/bin/env python3
"""Compare two labelling passes of the held-out corpus, field by field.

Usage: python3 compare_labels.py [FIRST] [SECOND]
  FIRST  defaults to heldout.json (entries with an "expect" object)
  SECOND defaults to heldout-second-pass.json (flat entries with the same keys)

Prints agreement per field, Cohen's kappa for Priority and Type (and Reason
and Safety_Hazard__c, for information), and every disagreement. Subjects are
compared loosely: the two passes agree when some phrase (or alternative) of
one shares a content word (three letters or more, not in `STOP`) with, or
is the same as, some phrase of the other, i.e. when both point at the same
problem. The same `subject_agree` decides which subjects of a fresh round
go to its settler (`rounds/round.py disagree`). Stdlib only.
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ["Priority", "Type", "Reason", "Error_Code__c", "Meter_Reading__c",
          "Safety_Hazard__c", "subject_contains"]
KAPPA = ["Priority", "Type", "Reason", "Safety_Hazard__c"]
STOP = set("the a an and or of to in on at is it its was for with not no "
           "from by off out up be are has have had this that as but".split())


def load(path):
    data = json.load(open(path, encoding="utf-8"))
    out = {}
    for e in data:
        out[e["id"]] = e["expect"] if "expect" in e else e
    order = [e["id"] for e in data]
    return order, out


def phrases(subj):
    flat = []
    for p in subj or []:
        flat.extend(p if isinstance(p, list) else [p])
    return [p.lower() for p in flat]


def content(subj):
    """The content words of a subject's phrases: three letters or more,
    outside `STOP`."""
    return {w for p in phrases(subj) for w in re.findall(r"[a-z0-9áéíóúñ]+", p)
            if len(w) >= 3 and w not in STOP}


def subject_agree(a, b):
    """Two subjects point at the same problem: they share a content word, or
    a phrase (a code such as "F-07" has no content word)."""
    return bool(content(a) & content(b)) or bool(set(phrases(a)) & set(phrases(b)))


def kappa(pairs):
    n = len(pairs)
    if n == 0:
        return float("nan")
    po = sum(1 for a, b in pairs if a == b) / n
    ca = Counter(a for a, _ in pairs)
    cb = Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def main():
    first = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "heldout.json")
    second = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "heldout-second-pass.json")
    order, A = load(first)
    _, B = load(second)
    missing = [i for i in order if i not in B]
    if missing:
        print("missing from second pass:", ", ".join(missing))
    ids = [i for i in order if i in B]
    disagreements = []
    print(f"{len(ids)} notes compared\n")
    print(f"{'field':20} {'agree':>9} {'%':>7} {'kappa':>7}")
    for f in FIELDS:
        pairs = []
        agree = 0
        for i in ids:
            a, b = A[i].get(f), B[i].get(f)
            ok = subject_agree(a, b) if f == "subject_contains" else a == b
            agree += ok
            if f != "subject_contains":
                pairs.append((json.dumps(a), json.dumps(b)))
            if not ok:
                disagreements.append((i, f, a, b))
        k = f"{kappa(pairs):7.3f}" if f in KAPPA else ""
        print(f"{f:20} {agree:4}/{len(ids):<4} {100 * agree / len(ids):6.1f}% {k}")
    print(f"\n{len(disagreements)} disagreements (id, field, first pass, second pass):")
    for i, f, a, b in disagreements:
        print(f"  {i:34} {f:18} {json.dumps(a, ensure_ascii=False):30} {json.dumps(b, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
