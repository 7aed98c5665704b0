#!/usr/bin/python3
"""Generate testdata/lower.json: strings and what Python's str.lower() and
the idna codec's nameprep mapping (stringprep.map_table_b2, code point by
code point) make of them, for pycase's tests. The strings put Σ in every
kind of context the final-sigma rule distinguishes (cased, case-ignorable
and other code points before and after it, at the ends of the string), and
mix in the code points whose mapping is special.

    /usr/bin/python3 gen_vectors.py > testdata/lower.json
"""
import json
import random
import stringprep
import sys

rng = random.Random(12)
cased = ["A", "a", "Ω", "ω", "ǅ", "ª", "ᴬ", "ⓐ", "𐐀", "Σ", "İ"]
ignorable = ["'", ".", ":", "\u00b7", "\u0301", "\u00ad", "\u02b0", "\u2019", "\u200b", "\u0345", "\U000e0001"]
other = [" ", "1", "-", "用", "ا", "\u00a0", "!", "ß", "ﬀ", "ẞ", "K"]
special = ["İ", "Σ", "ẞ", "\u212a", "\u2126", "Ꭰ", "ꭰ", "\U00010400", "\U0001e900", "ǅ", "ᾈ", "Ⅻ", "Ⓐ"]
pool = cased + ignorable + other + special

strings = set()
for a in pool + [""]:
    for b in pool + [""]:
        strings.add(a + "Σ" + b)
        strings.add("A" + a + "Σ" + b + "A")
for _ in range(3000):
    strings.add("".join(rng.choice(pool) for _ in range(rng.randint(1, 8))))
strings = sorted(strings)
out = {
    "python": "%d.%d.%d" % sys.version_info[:3],
    "lower": [[s, s.lower()] for s in strings],
    "nameprep": [[s, "".join(stringprep.map_table_b2(c) for c in s)] for s in special + other + cased + ignorable],
}
json.dump(out, sys.stdout, ensure_ascii=False, indent=0)
print()
