#!/usr/bin/env python3
"""Writes a deterministic OCI image layout for the benchmarks (perf/run.sh).

Usage: make-image.py DIR TAG SEED CONFIG_BYTES LAYER_BYTES [LAYER_BYTES ...]

DIR gets `oci-layout`, `index.json` (one manifest, named TAG) and `blobs/sha256/...`: an OCI image
manifest, a config blob of exactly CONFIG_BYTES bytes (padded; at least the size of the plain
config), and one layer per LAYER_BYTES: a gzip'd tar holding one file of LAYER_BYTES pseudo-random
bytes. The manifest digest is printed on stdout.

Same arguments, same bytes, same digests, on every run and machine:
- the payload of layer i is AES-128-CTR of zeros (openssl, 1 MiB buffers: ~0.5 GB/s here) with
  the key sha256("stevedore-perf/" + SEED + "/layer" + i)[:16] and a zero IV;
- the tar is ustar with mtime, uid and gid 0 and empty user and group names;
- gzip is zlib's level 0 (stored blocks, mtime 0): random bytes do not compress, so real
  compression would cost minutes of CPU for nothing, while the layer stays a real
  `application/vnd.oci.image.layer.v1.tar+gzip` that skopeo pushes byte for byte (skopeo gzips
  uncompressed layers on the way to a registry, which would change their digests);
- JSON is written with sorted keys and no spaces.
"""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import zlib

CHUNK = 1 << 20


def random_stream(name):
    """An openssl process whose stdout is the endless key stream for NAME."""
    key = hashlib.sha256(("stevedore-perf/" + name).encode()).hexdigest()[:32]
    return subprocess.Popen(
        ["openssl", "enc", "-aes-128-ctr", "-nosalt", "-bufsize", str(CHUNK),
         "-K", key, "-iv", "0" * 32, "-in", "/dev/zero"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


class Limited:
    """The first SIZE bytes of a stream, as a file object for tarfile."""

    def __init__(self, stream, size):
        self.stream, self.left = stream, size

    def read(self, n=-1):
        if n < 0 or n > self.left:
            n = self.left
        data = self.stream.read(n)
        if len(data) != n:
            raise IOError("the random stream ended early")
        self.left -= n
        return data


class GzipBlob:
    """Writes gzip (stored blocks) to a file, hashing what goes in (diff id) and out (digest)."""

    def __init__(self, path):
        self.out = open(path, "wb")
        self.gzip = zlib.compressobj(0, zlib.DEFLATED, 31)
        self.diff_id, self.digest, self.size = hashlib.sha256(), hashlib.sha256(), 0

    def _emit(self, data):
        self.out.write(data)
        self.digest.update(data)
        self.size += len(data)

    def write(self, data):
        self.diff_id.update(data)
        self._emit(self.gzip.compress(data))
        return len(data)

    def close(self):
        self._emit(self.gzip.flush())
        self.out.close()


def put_blob(blobs, data):
    """Stores bytes as a blob; returns (digest, size)."""
    hexdigest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, hexdigest), "wb") as out:
        out.write(data)
    return "sha256:" + hexdigest, len(data)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def layer(blobs, seed, index, size):
    """Writes layer INDEX; returns (descriptor, diff id)."""
    temporary = os.path.join(blobs, "layer.tmp")
    blob = GzipBlob(temporary)
    source = random_stream("%s/layer%d" % (seed, index))
    with tarfile.open(fileobj=blob, mode="w|", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("layer%d/data" % index)
        info.size, info.mtime, info.mode = size, 0, 0o644
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        tar.addfile(info, Limited(source.stdout, size))
    blob.close()
    source.kill()
    source.wait()
    hexdigest = blob.digest.hexdigest()
    os.rename(temporary, os.path.join(blobs, hexdigest))
    descriptor = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                  "digest": "sha256:" + hexdigest, "size": blob.size}
    return descriptor, "sha256:" + blob.diff_id.hexdigest()


def config(diff_ids, size):
    """The image config, padded with a label to exactly SIZE bytes when it is smaller."""
    value = {"architecture": "amd64", "os": "linux",
             "config": {"Labels": {"padding": ""}},
             "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    short = size - len(canonical(value))
    if short > 0:
        value["config"]["Labels"]["padding"] = "x" * short
    return canonical(value)


def main(argv):
    if len(argv) < 6:
        sys.exit(__doc__)
    directory, tag, seed, config_bytes = argv[1], argv[2], argv[3], int(argv[4])
    layer_bytes = [int(value) for value in argv[5:]]
    blobs = os.path.join(directory, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    layers, diff_ids = [], []
    for index, size in enumerate(layer_bytes):
        descriptor, diff_id = layer(blobs, seed, index, size)
        layers.append(descriptor)
        diff_ids.append(diff_id)
    config_digest, config_size = put_blob(blobs, config(diff_ids, config_bytes))
    manifest = {"schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": config_digest, "size": config_size},
                "layers": layers}
    manifest_digest, manifest_size = put_blob(blobs, canonical(manifest))
    index = {"schemaVersion": 2,
             "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                            "digest": manifest_digest, "size": manifest_size,
                            "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    with open(os.path.join(directory, "index.json"), "wb") as out:
        out.write(canonical(index))
    with open(os.path.join(directory, "oci-layout"), "wb") as out:
        out.write(canonical({"imageLayoutVersion": "1.0.0"}))
    print(manifest_digest)


if __name__ == "__main__":
    main(sys.argv)
