#!/usr/bin/env python3
"""Make TorchSharp 0.107.0's libLibTorchSharp.so load with an older libstdc++ (Debian 12: GLIBCXX_3.4.30).

The library was built with GCC 13 and declares a need for GLIBCXX_3.4.32. Its only symbol at that
version is std::ios_base_library_init(), a bare .globl reference that is never called. We mark that
version need VER_FLG_WEAK and give the symbol the global (unversioned) index, so the dynamic linker
only warns. Idempotent. Does nothing when the system's libstdc++ already provides GLIBCXX_3.4.32.

usage: patch_glibcxx.py LIB.so [LIB.so ...]
"""
import glob
import struct
import sys

VER_FLG_WEAK = 0x2
VER_NDX_GLOBAL = 1
SHT_DYNSYM, SHT_GNU_VERNEED, SHT_GNU_VERSYM = 11, 0x6FFFFFFE, 0x6FFFFFFF
MISSING_VERSION = b"GLIBCXX_3.4.32"
LIBSTDCXX_GLOBS = ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                   "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6"]


def system_has_version():
    for pattern in LIBSTDCXX_GLOBS:
        for path in glob.glob(pattern):
            try:
                with open(path, "rb") as f:
                    if MISSING_VERSION + b"\0" in f.read():
                        return True
            except OSError:
                pass
    return False


def sections(data):
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    out = []
    for i in range(e_shnum):
        _, typ, _, _, off, size, link, info, _, entsize = struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)
        out.append({"type": typ, "off": off, "size": size, "link": link, "info": info, "entsize": entsize})
    return out


def patch(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        print(f"{path}: not a 64-bit little-endian ELF file, left alone")
        return
    secs = sections(data)
    verneed = next(s for s in secs if s["type"] == SHT_GNU_VERNEED)
    versym = next(s for s in secs if s["type"] == SHT_GNU_VERSYM)
    dynsym = next(s for s in secs if s["type"] == SHT_DYNSYM)
    strtab = secs[verneed["link"]]["off"]

    def cstr(off):
        return bytes(data[off:data.index(b"\0", off)])

    weak_indices, changed, off = set(), 0, verneed["off"]
    for _ in range(verneed["info"]):
        _, vn_cnt, _, vn_aux, vn_next = struct.unpack_from("<HHIII", data, off)
        aux = off + vn_aux
        for _ in range(vn_cnt):
            _, flags, other, name, nxt = struct.unpack_from("<IHHII", data, aux)
            if cstr(strtab + name) == MISSING_VERSION:
                weak_indices.add(other & 0x7FFF)
                if not flags & VER_FLG_WEAK:
                    struct.pack_into("<H", data, aux + 4, flags | VER_FLG_WEAK)
                    changed += 1
            aux += nxt
        if vn_next == 0:
            break
        off += vn_next
    for i in range(dynsym["size"] // dynsym["entsize"]):
        v, = struct.unpack_from("<H", data, versym["off"] + 2 * i)
        if (v & 0x7FFF) in weak_indices:
            struct.pack_into("<H", data, versym["off"] + 2 * i, VER_NDX_GLOBAL)
            changed += 1
    if changed:
        # In place, so hard-linked copies in build outputs are patched too, and two builds patching
        # the same cache file at once write the same bytes.
        with open(path, "r+b") as f:
            f.write(data)
    print(f"{path}: {changed} change(s)" if changed else f"{path}: nothing to do")


if __name__ == "__main__":
    if system_has_version():
        print("patch_glibcxx: system libstdc++ provides GLIBCXX_3.4.32, nothing to patch")
        sys.exit(0)
    for p in sys.argv[1:]:
        patch(p)
