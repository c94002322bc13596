"""Sorts the samples of a `perf record -g` of Stevedore by what the thread was doing: the first
rule whose frame names appear anywhere in a sample's stack wins (a socket read inside okio counts as
the socket read, not as okio). Prints each share with its top innermost frames.
    python3 perf/cold-profile.py OUT.data"""
import collections
import subprocess
import sys

RULES = [
    ("file write (pwrite)", ["pwrite", "UnixFileDispatcherImpl.pwrite0", "__x64_sys_pwrite64"]),
    ("file read (pread)", ["pread64", "UnixFileDispatcherImpl.pread0", "__x64_sys_pread64"]),
    ("fsync", ["fsync", "force0", "fdatasync"]),
    ("socket read (upstream)", ["SocketDispatcher.read0", "NioSocketImpl.read", "okio"]),
    ("socket write (client)", ["SocketDispatcher.write0", "NioSocketImpl.write", "helidon"]),
    ("SHA-256", ["implCompress", "DigestBase", "sha256", "SHA2"]),
    # The JIT inlines the window's copy and the file read's copy out of the JDK's direct buffer
    # into BlobContent.read alike, so one share holds both; a file read's system call is above.
    ("copy into the response's buffer (from the fill's window, or a file read's JDK buffer)",
     ["ChunkWindow$Cursor", "BlobContent.read(", "BlobFiles.read("]),
    ("RocksDB", ["rocksdb"]),
]

script = subprocess.run(
    ["perf", "script", "-i", sys.argv[1], "-F", "comm,tid,ip,sym"],
    capture_output=True, text=True, check=True).stdout
shares = collections.Counter()
innermost = collections.defaultdict(collections.Counter)
total = 0
for sample in script.split("\n\n"):
    lines = [line.strip() for line in sample.strip().split("\n") if line.strip()]
    if not lines:
        continue
    total += 1
    thread = lines[0].split()[0]
    frames = lines[1:]
    if thread.startswith(("GC", "G1")):
        kind = "GC threads"
    elif thread.startswith(("C2", "C1")):
        kind = "JIT compiler"
    else:
        kind = next((name for name, keys in RULES
                     if any(key in frame for frame in frames for key in keys)),
                    "other: " + thread)
    shares[kind] += 1
    if frames:
        innermost[kind][frames[0].split(" ", 1)[-1][:90]] += 1
for kind, count in shares.most_common():
    if 100 * count / total < 0.5:
        continue
    print(f"{100 * count / total:5.1f}%  {kind}")
    for frame, n in innermost[kind].most_common(3):
        print(f"          {100 * n / total:5.1f}%  {frame}")
print("samples", total)
