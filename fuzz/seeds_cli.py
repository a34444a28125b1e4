#!/usr/bin/env python3
"""Seeds for the jsonl_stream and dir_walk fuzz targets.

    python3 fuzz/seeds_cli.py TARGET CORPUS_DIR

jsonl_stream: the shipped answer sets of the demo rubric (first byte 0) and
of the UAE 2018 rubric (first byte 1) joined into JSONL, as they are and in
variants: CRLF line ends, byte-order marks on line 1 and on a later line,
blank lines, every line twice, a line that is not UTF-8, a lone CR, a
rejected line followed by a corrected one with the same id.

dir_walk: small programs (see fuzz_targets/dir_walk.rs) for the trees of
issue 14: links to `.` and `..`, a self link, a FIFO and a dangling link
named `.json`, a file reached by a link and a hard link, `.JSON` names.
"""
import glob
import json
import os
import sys


def jsonl_stream(corpus):
    sets = {
        0: sorted(glob.glob("examples/demo/answers/*.json")),
        1: sorted(glob.glob("examples/uae-integration-2018/*.json")),
    }
    for kind, files in sets.items():
        sets_ = [json.load(open(f, encoding="utf-8")) for f in files]
        # Keep the seeds under the run's -max_len (16 KiB): three answer sets.
        sets_ = sets_[:3]
        lines = [json.dumps(x, ensure_ascii=False).encode() for x in sets_]
        # The first answer set without its first answer (rejected when it is
        # scored: a missing answer), then as it is.
        first = json.loads(lines[0])
        first["answers"].pop(next(iter(first["answers"])))
        broken = json.dumps(first, ensure_ascii=False).encode()
        variants = {
            "plain": b"\n".join(lines) + b"\n",
            "crlf": b"\r\n".join(lines) + b"\r\n",
            "bom": b"\xef\xbb\xbf" + b"\n".join(lines),
            "late_bom": b"\n".join(lines[:1] + [b"\xef\xbb\xbf" + lines[1]] + lines[2:]),
            "blank": b"\n \n\t\r\n".join(lines) + b"\n\n",
            "twice": b"\n".join(lines + lines),
            "not_utf8": b"\n".join(lines[:1] + [b'{"rubric": "\xff\xfe"}'] + lines[1:]),
            "lone_cr": b"\r".join(lines) + b"\n" + lines[0] + b"\r\r\n",
            "fixed": broken + b"\n" + b"\n".join(lines),
        }
        for name, text in variants.items():
            with open(os.path.join(corpus, f"seed_{kind}_{name}.jsonl"), "wb") as f:
                f.write(bytes([kind]) + text)


# dir_walk: one op is three bytes (op, parent, name); see program().
NAMES = ["a", "b", "c", "moi", "Z", ".h", "a.b"]
SUFFIXES = [".json", ".JSON", ".jsonl", ".Jsonl", ".txt", ".mizan", "", ".json.bak"]


def name(base, suffix):
    return NAMES.index(base) + 7 * SUFFIXES.index(suffix)


def mkdir(parent, n):
    return [0, parent, n]


def mkfile(parent, n, content=1):
    return [3 + 16 * content, parent, n]


def link(parent, n, target):
    # target: 0 ., 1 .., 2 ../.., 3 root, 4 dir b, 5 file b, 6 abs dir b, 7 nothing, 8 itself
    # op % 16 = 9, op >> 4 = k: (k + 9) % 9 = k.
    return [9 + 16 * target, parent, n]


def fifo(parent, n):
    return [13, parent, n]


def socket(parent, n):
    return [15, parent, n]


def dir_walk(corpus):
    programs = {
        # Two links to `.` in a directory with answer files (issue 14 item 3).
        "two_dots": [mkdir(0, name("a", "")), mkfile(1, name("moi", ".json")),
                     mkfile(1, name("b", ".jsonl")), link(1, name("b", ""), 0), link(1, name("c", ""), 0)],
        # A self link, a dangling `.json` link, a FIFO named `.json` (item 6).
        "special": [mkfile(0, name("a", ".json")), link(0, name("b", ".json"), 8),
                    link(0, name("c", ".json"), 7), fifo(0, name("moi", ".json")),
                    socket(0, name("Z", ".jsonl"))],
        # Links to `..`, `../..`, the root, and a sibling directory.
        "up": [mkdir(0, name("a", "")), mkdir(1, name("b", "")), mkfile(2, name("moi", ".JSON")),
               link(2, name("c", ""), 1), link(2, name("Z", ""), 2), link(1, name("c", ""), 3),
               link(0, name("b", ""), 4), mkfile(0, name("a", ".txt"))],
        # A file reached by a link, a hard link and its own name.
        "same_file": [mkfile(0, name("a", ".json")), link(0, name("b", ".json"), 5),
                      [8, 0, name("c", ".jsonl")], mkfile(0, name("moi", ".mizan")),
                      mkdir(0, name("Z", "")), link(5, name("a", ".Jsonl"), 5)],
        # Deep chain with an absolute link back up.
        "deep": [mkdir(0, 0), mkdir(1, 1), mkdir(2, 2), mkdir(3, 3), mkdir(4, 4),
                 mkfile(4, name("a", ".json")), link(4, name("b", ""), 6)],
    }
    for pname, ops in programs.items():
        data = bytes(b for op in ops for b in op)
        with open(os.path.join(corpus, f"seed_{pname}"), "wb") as f:
            f.write(data)
        # And walked with two more paths given: the root again and entry 1.
        with open(os.path.join(corpus, f"seed_{pname}_paths"), "wb") as f:
            f.write(data + bytes([0, 1]))


if __name__ == "__main__":
    target, corpus = sys.argv[1], sys.argv[2]
    os.makedirs(corpus, exist_ok=True)
    {"jsonl_stream": jsonl_stream, "dir_walk": dir_walk}[target](corpus)
