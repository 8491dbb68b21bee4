#!/usr/bin/env python3
"""Prints SQL that loads the generator's name lists (core/src/generator/names.rs: each culture's
share, given names and family names, most common first) into gen.names, so year.sql draws
members the way the Rust generator does (culture by share, names roughly Zipf within it)."""
import pathlib
import re
import sys

src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                   pathlib.Path(__file__).resolve().parents[2] / "core/src/generator/names.rs").read_text()
body = src[src.index("const CULTURES"):src.index("];", src.index("const CULTURES"))]
cultures = re.findall(r"Culture \{\s*share: (\d+),\s*given: &\[(.*?)\],\s*family: &\[(.*?)\],\s*\}", body, re.S)
if len(cultures) < 10:
    sys.exit(f"parsed only {len(cultures)} cultures from names.rs")

def q(s):
    return "'" + s.replace("'", "''") + "'"

rows = []
for c, (share, given, family) in enumerate(cultures, 1):
    for kind, lst in (("given", given), ("family", family)):
        for rank, name in enumerate(re.findall(r'"((?:[^"\\]|\\.)*)"', lst), 1):
            rows.append(f"({c}, {share}, '{kind}', {rank}, {q(name)})")
print("insert into gen.names (culture, share, kind, rank, name) values")
print(",\n".join(rows) + ";")

# gen.ascii(text, spelt): names.rs ascii_letters (accents dropped; with spelt, ä ö ø ü å written
# ae oe oe ue aa), from its match arms: the first arm that matches a character's lower case wins,
# and an upper-case character gets its replacement with the first letter upper case.
fn = src[src.index("pub fn ascii_letters"):]
fn = fn[:fn.index("_ => \"\"")]
plain, spelt = {}, {}
for chars, guard, out in re.findall(r"((?:'[^']'\s*\|?\s*)+)(if spelt_out)?\s*=>\s*\"(\w+)\"", fn):
    for ch in re.findall(r"'([^'])'", chars):
        target = spelt if guard else plain
        target.setdefault(ch, out)

def with_upper(m):
    out = {}
    for ch, rep in m.items():
        out[ch] = rep
        up = ch.upper()
        if len(up) == 1 and up != ch and up.lower() == ch:
            out[up] = rep[0].upper() + rep[1:]
    return out

def chain(expr, m):
    for ch, rep in m.items():
        expr = f"replace({expr}, {q(ch)}, {q(rep)})"
    return expr

plain_all = with_upper(plain)
spelt_all = with_upper(spelt)
print("create or replace function gen.ascii(s text, spelt boolean) returns text language sql immutable as $f$")
print("  select " + chain(f"case when spelt then {chain('s', spelt_all)} else s end", plain_all))
print("$f$;")
