"""benchmarks/smaps_diff.py: mappings sorted into kinds by their shapes, summed by Rss and Anonymous."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("smaps_diff", ROOT / "benchmarks" / "smaps_diff.py")
smaps_diff = importlib.util.module_from_spec(spec)
sys.modules["smaps_diff"] = smaps_diff  # dataclasses look their module up there
spec.loader.exec_module(smaps_diff)

MB = 1 << 20


def entry(lo: int, hi: int, perms: str, name: str = "", rss_kb: int = 0, anon_kb: int = 0) -> str:
    head = f"{lo:x}-{hi:x} {perms} 00000000 00:00 0"
    head += f"                          {name}" if name else ""
    return f"{head}\nSize: {(hi - lo) >> 10} kB\nRss: {rss_kb} kB\nAnonymous: {anon_kb} kB\nVmFlags: rd wr mr\n"


def sample(tmp_path: Path, arena_rss_kb: int) -> Path:
    arena = 0x7F0000000000  # a 64 MB boundary: glibc's HEAP_MAX_SIZE reservation, rw part then PROT_NONE rest
    text = "".join([
        entry(0x55D000000000, 0x55D000000000 + 14 * MB, "rw-p", "[heap]", 14 * 1024, 14 * 1024),
        entry(arena, arena + 20 * MB, "rw-p", "", arena_rss_kb, arena_rss_kb),
        entry(arena + 20 * MB, arena + 64 * MB, "---p"),
        entry(0x7F1000000000, 0x7F1000001000, "---p"),  # a thread stack's guard page, then its 8 MB
        entry(0x7F1000001000, 0x7F1000801000, "rw-p", "", 40, 40),
        entry(0x7F2000000000, 0x7F2000100000, "rw-p", "", 1024, 1024),  # 1 MB: a pymalloc arena's shape
        entry(0x7F3000000000, 0x7F3000200000, "r-xp", "/usr/lib/libc.so.6", 900, 0),
    ])
    path = tmp_path / f"{arena_rss_kb}.smaps"
    path.write_text(text)
    return path


def test_kinds_are_told_apart_by_shape(tmp_path):
    s = smaps_diff.summary(smaps_diff.read_smaps(sample(tmp_path, 5 * 1024)))
    assert s["main arena [heap]"] == [1, 14.0, 14.0]
    assert s["glibc thread arenas"][0] == 2 and s["glibc thread arenas"][1] == 5.0  # rw part + PROT_NONE rest
    assert s["thread stacks"][0] == 1 and abs(s["thread stacks"][1] - 40 / 1024) < 1e-9
    assert s["other anonymous, 1-2 MB mappings"] == [1, 1.0, 1.0]
    assert s["files"] == [1, 900 / 1024, 0.0]


def test_the_difference_is_printed_by_kind(tmp_path, capsys, monkeypatch):
    before, after = sample(tmp_path, 5 * 1024), sample(tmp_path, 25 * 1024)
    monkeypatch.setattr("sys.argv", ["smaps_diff.py", str(before), str(after)])
    smaps_diff.main()
    out = capsys.readouterr().out
    arenas = next(line for line in out.splitlines() if line.startswith("glibc thread arenas"))
    assert "+20.0" in arenas
    total = next(line for line in out.splitlines() if line.startswith("total"))
    assert total.split()[-1] == "+20.0"  # anonymous MB: only the arena grew


def test_a_live_process_compared_with_itself_differs_by_nothing(tmp_path):
    path = tmp_path / "self.smaps"
    path.write_text(Path("/proc/self/smaps").read_text())
    maps = smaps_diff.read_smaps(path)
    assert len(maps) > 10 and sum(m.rss for m in maps) > 10 * MB  # this Python process
    kinds = {kind for kind, _ in smaps_diff.classify(maps)}
    assert "files" in kinds and "main arena [heap]" in kinds
