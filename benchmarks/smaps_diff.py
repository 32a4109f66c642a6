"""Where a process's resident memory went between two copies of its /proc/<pid>/smaps.

    python benchmarks/smaps_diff.py BEFORE.smaps AFTER.smaps      # e.g. from class_load.py --smaps-dir

Prints, per kind of mapping, the count, resident (Rss) and anonymous MB before and after, and the largest
single changes. Kinds, recognised from the mappings' shapes (Linux x86-64, glibc):

- ``glibc thread arenas``: anonymous mappings inside a 64 MB-aligned 64 MB reservation (``HEAP_MAX_SIZE``,
  glibc ``malloc/arena.c``): the heaps of glibc's arenas other than the main one;
- ``main arena [heap]``: the ``brk`` heap of glibc's main arena;
- ``thread stacks``: 8 MB anonymous mappings just above a 4 KB guard (``pthread_create``'s default);
- ``other anonymous``: everything else without a name (large blocks glibc mmapped on their own, NumPy
  arrays above the mmap threshold, pymalloc's 1 MB arenas, OpenBLAS's buffers), split by mapping size;
- ``files``: named mappings (shared libraries, their writable data, and the like).
"""

from __future__ import annotations

import argparse
import collections
from dataclasses import dataclass
from pathlib import Path

HEAP_MAX = 64 << 20  # glibc's HEAP_MAX_SIZE on 64-bit: each non-main arena's heap is reserved at this size
STACK = 8 << 20  # glibc's default thread stack (ulimit -s 8192)
GUARD = 4 << 10
MB = 1 << 20


@dataclass
class Mapping:
    lo: int
    hi: int
    perms: str
    name: str
    rss: int = 0  # bytes
    anon: int = 0  # bytes

    @property
    def size(self) -> int:
        return self.hi - self.lo


def read_smaps(path: Path) -> list[Mapping]:
    """The mappings in a copy of /proc/<pid>/smaps, in address order."""
    maps: list[Mapping] = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        if "-" in parts[0] and not parts[0].endswith(":"):
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            maps.append(Mapping(lo, hi, parts[1], parts[5] if len(parts) > 5 else ""))
        elif parts[0] == "Rss:" and maps:
            maps[-1].rss = int(parts[1]) << 10
        elif parts[0] == "Anonymous:" and maps:
            maps[-1].anon = int(parts[1]) << 10
    return maps


def classify(maps: list[Mapping]) -> list[tuple[str, Mapping]]:
    """(kind, mapping) for every mapping, kinds as in the module docstring."""
    # a glibc arena heap: an anonymous mapping starting at a 64 MB boundary whose mappings (rw part, then
    # PROT_NONE rest) together end exactly 64 MB later
    heap_regions = set()
    for i, m in enumerate(maps):
        if m.name or m.lo % HEAP_MAX:
            continue
        end, j = m.hi, i
        while end < m.lo + HEAP_MAX and j + 1 < len(maps) and maps[j + 1].lo == end and not maps[j + 1].name:
            j += 1
            end = maps[j].hi
        if end == m.lo + HEAP_MAX:
            heap_regions.add(m.lo)
    out = []
    for i, m in enumerate(maps):
        if m.name == "[heap]":
            kind = "main arena [heap]"
        elif m.name:
            kind = "files" if not m.name.startswith("[") else m.name
        elif m.lo - m.lo % HEAP_MAX in heap_regions:
            kind = "glibc thread arenas"
        elif m.size == STACK and i and maps[i - 1].hi == m.lo and maps[i - 1].size == GUARD and \
                maps[i - 1].perms.startswith("---"):
            kind = "thread stacks"
        elif m.perms.startswith("---"):
            kind = "other anonymous, no access"
        elif m.size < MB:
            kind = "other anonymous, < 1 MB mappings"
        elif m.size <= 2 * MB:
            kind = "other anonymous, 1-2 MB mappings"
        elif m.size < 32 * MB:
            kind = "other anonymous, 2-32 MB mappings"
        else:
            kind = "other anonymous, >= 32 MB mappings"
        out.append((kind, m))
    return out


def summary(maps: list[Mapping]) -> dict[str, list[float]]:
    """kind -> [mappings, Rss MB, Anonymous MB]."""
    s: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for kind, m in classify(maps):
        s[kind][0] += 1
        s[kind][1] += m.rss / MB
        s[kind][2] += m.anon / MB
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--top", type=int, default=12, help="largest single changes to list")
    args = ap.parse_args()
    before, after = read_smaps(args.before), read_smaps(args.after)
    sb, sa = summary(before), summary(after)
    print(f"{'kind':38} {'maps':>9} {'Rss MB before → after':>24} {'Δ':>7} {'Anon MB before → after':>24} {'Δ':>7}")
    for kind in sorted(set(sb) | set(sa), key=lambda k: -(sa.get(k, [0, 0, 0])[1] - sb.get(k, [0, 0, 0])[1])):
        b, a = sb.get(kind, [0, 0.0, 0.0]), sa.get(kind, [0, 0.0, 0.0])
        print(f"{kind:38} {b[0]:>4.0f}→{a[0]:<4.0f} {b[1]:>11.1f} → {a[1]:<10.1f} {a[1] - b[1]:>+7.1f} "
              f"{b[2]:>11.1f} → {a[2]:<10.1f} {a[2] - b[2]:>+7.1f}")
    tb, ta = (sum(v[1] for v in s.values()) for s in (sb, sa))
    ab, aa = (sum(v[2] for v in s.values()) for s in (sb, sa))
    print(f"{'total':38} {'':9} {tb:>11.1f} → {ta:<10.1f} {ta - tb:>+7.1f} {ab:>11.1f} → {aa:<10.1f} {aa - ab:>+7.1f}")
    # largest single changes, by start address (a mapping that grew keeps its start; one that moved or
    # merged shows as one gone and one new)
    old = {m.lo: (k, m) for k, m in classify(before)}
    new = {m.lo: (k, m) for k, m in classify(after)}
    changes = []
    for lo in set(old) | set(new):
        k, m = new.get(lo) or old[lo]
        d = (new[lo][1].rss if lo in new else 0) - (old[lo][1].rss if lo in old else 0)
        tag = "new" if lo not in old else ("gone" if lo not in new else
                                           f"(was {old[lo][1].size / MB:.2f} MB)" if old[lo][1].hi != m.hi else "")
        changes.append((d, k, m, tag))
    changes.sort(key=lambda c: -abs(c[0]))
    print(f"\nlargest changes in Rss (by mapping; {args.top}):")
    for d, k, m, tag in changes[:args.top]:
        print(f"  {d / MB:+7.1f} MB  {m.lo:012x}-{m.hi:012x} {m.size / MB:8.2f} MB {m.perms} rss {m.rss / MB:6.1f} "
              f"{k} {m.name} {tag}")

if __name__ == "__main__":
    main()
