#!/usr/bin/env python3
"""Write, label, settle and join a round of fresh notes (LABELLING.md).

A round is 800 notes: eight writers of 100 (two trades each), eight blind
labellers who read only the guidelines and the notes, one settler who picks
one of the two values where they differ. The people are helpers (or
colleagues) handed the prompts this script writes; it does the rest.

  round.py brief N DIR      the writers' prompts DIR/W-eNNN.md for round N
                            (ids e{8(N-10)+1}…, a pairing of the 16 trades
                            whose pairs LABELLING.md has used least)
  round.py prep DIR         once DIR/eNNN.json are written: the notes
                            without labels and the labellers' prompts
                            DIR/L-eNNN.md; lists near twins of held-out,
                            dev.json and table notes (two notes sharing
                            40 % or more of their distinct words, over
                            both, are twins: leave the new one out)
  round.py disagree DIR     once DIR/second-eNNN.json are written: the
                            agreement per field and DIR/disagreements.json
                            (two values in no order, the passes hidden) with
                            the settler's prompt DIR/SETTLER.md
  round.py build N DIR [IDS]
                            once DIR/settled.json is written: the round's
                            fresh-roundN.json (settled) and
                            fresh-roundN-second-pass.json, leaving out the
                            comma-separated IDS; the settled rows for
                            LABELLING.md in DIR/table.md
  round.py join N           append a fresh round to dev2.json,
                            dev2-second-pass.json and dev2-notes-only.json
                            (then `git rm` its two files and retrain)

Stdlib only.
"""
import collections
import glob
import json
import os
import random
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
sys.path.insert(0, DATA)
from compare_labels import FIELDS, subject_agree  # noqa: E402  (one list, one rule)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(DATA)))
TRADES = ["hvac", "refrigeration", "boilers", "pumps", "electrical",
          "generators-ups", "lifts", "doors", "fire-security", "kitchen",
          "vehicles", "it-av", "building", "plumbing", "medical-lab",
          "solar-ev"]
TWIN = 0.40


def template(name, **kw):
    text = open(os.path.join(HERE, name), encoding="utf-8").read()
    for k, v in kw.items():
        text = text.replace("{" + k + "}", v)
    return text


def notes_only(e):
    """An entry as a blind labeller sees it (`dev2-notes-only.json`'s shape)."""
    return {k: e[k] for k in ("id", "trade", "asset", "notes")}


def write_lines(path, entries):
    """A JSON array, one entry a line, as the corpus files are."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(
            "  " + json.dumps(e, ensure_ascii=False) for e in entries) + "\n]\n")


def writers(d):
    return sorted(os.path.basename(p)[:-5]
                  for p in glob.glob(os.path.join(d, "e[0-9]*.json")))


def brief(n, d):
    os.makedirs(d, exist_ok=True)
    used = collections.Counter()
    text = open(os.path.join(DATA, "LABELLING.md"), encoding="utf-8").read()
    for a, b in re.findall(r"([a-z-]+) \+ ([a-z-]+)", text):
        if a in TRADES and b in TRADES:
            used[frozenset((a, b))] += 1
    rng = random.Random(n)
    best = None
    for _ in range(100_000):
        t = TRADES[:]
        rng.shuffle(t)
        pairs = [(t[i], t[i + 1]) for i in range(0, 16, 2)]
        key = (max(used[frozenset(p)] for p in pairs),
               sum(used[frozenset(p)] for p in pairs))
        if best is None or key < best[0]:
            best = (key, pairs)
    first = 8 * (n - 10) + 1
    for i, (a, b) in enumerate(best[1]):
        p = f"e{first + i}"
        with open(os.path.join(d, f"W-{p}.md"), "w", encoding="utf-8") as f:
            f.write(template("writer.md", P=p, T1=a, T2=b, DIR=d, REPO=REPO))
        print(p, a, "+", b)
    print("pairs used before, most and in all:", best[0])


def words(s):
    return set(re.findall(r"[a-z0-9áéíóúñ']+", s.lower()))


def prep(d):
    ref = []
    for f in ["heldout-notes-only.json", "dev.json", "notes.json"]:
        for e in json.load(open(os.path.join(DATA, f), encoding="utf-8")):
            ref.append((f, e["id"], words(e["notes"])))
    lengths = []
    for p in writers(d):
        entries = json.load(open(os.path.join(d, p + ".json"), encoding="utf-8"))
        write_lines(os.path.join(d, f"notes-{p}.json"),
                    [notes_only(e) for e in entries])
        with open(os.path.join(d, f"L-{p}.md"), "w", encoding="utf-8") as f:
            f.write(template("labeller.md", P=p, DIR=d, REPO=REPO))
        for e in entries:
            lengths.append(len(e["notes"]))
            a = words(e["notes"])
            j, name = max((len(a & b) / max(1, len(a | b)), f + ":" + i)
                          for f, i, b in ref)
            if j >= TWIN:
                print(f"twin\t{e['id']}\t{j:.2f}\t{name}")
        print(p, len(entries))
    print(f"{len(lengths)} notes, mean {statistics.mean(lengths):.0f}, "
          f"median {statistics.median(lengths)} characters")


def disagree(d):
    rng = random.Random(d)
    rows, agree, n = [], collections.Counter(), 0
    for p in writers(d):
        second = {e["id"]: e["expect"] for e in
                  json.load(open(os.path.join(d, f"second-{p}.json"), encoding="utf-8"))}
        for e in json.load(open(os.path.join(d, p + ".json"), encoding="utf-8")):
            n += 1
            for k in FIELDS:
                a, b = e["expect"][k], second[e["id"]][k]
                same = subject_agree(a, b) if k == "subject_contains" else a == b
                agree[k] += same
                if not same:
                    c = [("first", a), ("second", b)]
                    rng.shuffle(c)
                    rows.append({"id": e["id"], "asset": e["asset"], "notes": e["notes"],
                                 "field": k, "A": c[0][1], "B": c[1][1],
                                 "_key": {"A": c[0][0], "B": c[1][0]}})
    print(f"{n} notes; agreement", ", ".join(f"{k} {agree[k]}" for k in FIELDS),
          f"; {len(rows)} rows to settle")
    with open(os.path.join(d, "disagreements.json"), "w", encoding="utf-8") as f:
        json.dump([{k: v for k, v in r.items() if k != "_key"} for r in rows], f,
                  ensure_ascii=False, indent=1)
    json.dump([r["_key"] for r in rows], open(os.path.join(d, "keys.json"), "w"))
    with open(os.path.join(d, "SETTLER.md"), "w", encoding="utf-8") as f:
        f.write(template("settler.md", DIR=d, REPO=REPO))


def build(n, d, skip):
    rows = json.load(open(os.path.join(d, "disagreements.json"), encoding="utf-8"))
    keys = json.load(open(os.path.join(d, "keys.json")))
    settled = json.load(open(os.path.join(d, "settled.json"), encoding="utf-8"))
    assert len(settled) == len(rows), "settled.json has another number of rows"
    for r, s in zip(rows, settled):
        assert (r["id"], r["field"]) == (s["id"], s["field"]), (r["id"], s["id"])
        assert s["choice"] in ("A", "B") and s["reason"].strip(), s
    first, second = [], []
    for p in writers(d):
        sec = {e["id"]: e["expect"] for e in
               json.load(open(os.path.join(d, f"second-{p}.json"), encoding="utf-8"))}
        for e in json.load(open(os.path.join(d, p + ".json"), encoding="utf-8")):
            if e["id"] not in skip:
                first.append(e)
                second.append({"id": e["id"], "expect": sec[e["id"]]})
    by_id = {e["id"]: e for e in first}
    table, took = [], collections.Counter()

    def code(v):
        return "`" + json.dumps(v, ensure_ascii=False) + "`"

    for r, k, s in zip(rows, keys, settled):
        if r["id"] in skip:
            continue
        value, who = r[s["choice"]], k[s["choice"]]
        fp, sp = (r["A"], r["B"]) if k["A"] == "first" else (r["B"], r["A"])
        by_id[r["id"]]["expect"][r["field"]] = value
        took[who] += 1
        table.append(f"| {r['id']} | {r['field']} | {code(fp)} | {code(sp)} | "
                     f"{code(value)} ({who} pass) | {s['reason'].replace('|', '/')} |")
    refuse_unquoted(first)
    write_lines(os.path.join(DATA, f"fresh-round{n}.json"), first)
    write_lines(os.path.join(DATA, f"fresh-round{n}-second-pass.json"), second)
    with open(os.path.join(d, "table.md"), "w", encoding="utf-8") as f:
        # The header too: a table pasted without it is not a table.
        head = ["| id | field | first pass | second pass | settled | reason (guideline) |",
                "|---|---|---|---|---|---|"]
        f.write("\n".join(head + table) + "\n")
    print(f"{len(first)} notes; {len(table)} rows settled, {took['first']} as the "
          f"first pass, {took['second']} as the second")


def refuse_unquoted(entries):
    """Exits naming each subject phrase that is not in its note as written
    (any case): `the_corpora_load_and_their_expectations_are_well_formed`
    fails on them once the round joins dev2."""
    bad = []
    for e in entries:
        for p in e["expect"].get("subject_contains") or []:
            for a in p if isinstance(p, list) else [p]:
                if not isinstance(a, str) or a.lower() not in e["notes"].lower():
                    bad.append(f"{e['id']}: {a!r}")
    if bad:
        sys.exit("subject phrases not in their notes (mend them in the writer's "
                 "or settled file before `build`, in the round's file before "
                 "`join`):\n" + "\n".join(bad))


def lines(path):
    body = open(path, encoding="utf-8").read().rstrip("\n").split("\n")
    assert body[0] == "[" and body[-1] == "]", path
    return [x.strip().rstrip(",") for x in body[1:-1]]


def append(path, new):
    body = open(path, encoding="utf-8").read().rstrip("\n").split("\n")[:-1]
    body[-1] = body[-1].rstrip(",") + ","
    body += ["  " + x + "," for x in new]
    body[-1] = body[-1].rstrip(",")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(body + ["]"]) + "\n")


def join(n):
    a = lines(os.path.join(DATA, f"fresh-round{n}.json"))
    b = lines(os.path.join(DATA, f"fresh-round{n}-second-pass.json"))
    entries = [json.loads(x) for x in a]
    assert [e["id"] for e in entries] == [json.loads(x)["id"] for x in b]
    refuse_unquoted(entries)
    only = [json.dumps(notes_only(e), ensure_ascii=False) for e in entries]
    append(os.path.join(DATA, "dev2.json"), a)
    append(os.path.join(DATA, "dev2-second-pass.json"), b)
    append(os.path.join(DATA, "dev2-notes-only.json"), only)
    for f in ["dev2.json", "dev2-second-pass.json", "dev2-notes-only.json"]:
        print(f, len(json.load(open(os.path.join(DATA, f), encoding="utf-8"))))


def main():
    a = sys.argv[1:]
    if a[:1] == ["brief"] and len(a) == 3:
        brief(int(a[1]), os.path.abspath(a[2]))
    elif a[:1] == ["prep"] and len(a) == 2:
        prep(os.path.abspath(a[1]))
    elif a[:1] == ["disagree"] and len(a) == 2:
        disagree(os.path.abspath(a[1]))
    elif a[:1] == ["build"] and len(a) in (3, 4):
        build(int(a[1]), os.path.abspath(a[2]),
              set(a[3].split(",")) if len(a) == 4 and a[3] else set())
    elif a[:1] == ["join"] and len(a) == 2:
        join(int(a[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
