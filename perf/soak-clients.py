#!/usr/bin/env python3
"""The clients of perf/soak.sh: N threads pulling from one mirror for S seconds (stdlib only).

Usage: soak-clients.py --url http://MIRROR --plan FILE --clients N --seconds S --warmup S
                       --fault-log FILE --access-log FILE --out-md FILE --out-summary FILE
                       [--pause-ms 0] [--check-share 0.1] [--max-resumes 5] [--retry-after 1]
                       [--seed 1]

--plan (written by soak.sh; tab-separated) lists the images and their blobs:
  image  REPOSITORY  TAG  MANIFEST_DIGEST  MANIFEST_BYTES  HOT(0|1)
  blob   REPOSITORY  CLASS(config|small|medium|large)  DIGEST  BYTES  FILE
FILE holds the blob's bytes, to check ranged reads against.

Each client keeps one keep-alive connection and loops: pick an operation by weight (OPERATIONS),
an image (a hot one with HOT_SHARE, else any: those pulls are cold whenever eviction took the
blob), a blob of that image by class weight (CLASSES), send, read the whole answer, check it:
  blob-get         200, Content-Length and body length = size, Docker-Content-Digest; the body's
                   SHA-256 for every blob up to 64 KiB and for --check-share of the bigger ones
  blob-range       Range: bytes=A-B (a random span of up to 256 KiB): 206, Content-Range, and
                   the bytes compared with the blob file
  blob-head        HEAD: 200, Content-Length = size, Docker-Content-Digest
  manifest-tag     GET by tag with containerd's Accept list: 200, body SHA-256 = the digest
  manifest-digest  GET by digest, the same checks
  manifest-head    HEAD by tag: 200, Docker-Content-Digest, Content-Length
then sleeps --pause-ms (0: none). A request that fails to reach the mirror on a reused keep-alive
connection before any answer is sent once more on a new connection, as HTTP clients do (counted).

At the end the failures are classified against --fault-log (faulty-proxy.py's log), with the
mirror's documented answers to upstream faults (README "Policies for an egress cache", and
UpstreamFaultsIT). "While the request ran" is from 1 s before it started (a fill another client
started a moment before) to 0.5 s after it ended, on the one clock of this machine.
  expected: 429 while an injected 429's Retry-After ran (counted from up to 3 s after the
            fault layer sent it: the mirror reads it later on a saturated machine): the mirror
            passes the 429 on and asks the upstream nothing more until it has passed;
  expected: a blob's 502/503/504, broken-off body or missing answer, when --max-resumes + 1 GETs
            of that digest IN A ROW were spoiled, the last while the request ran: a fill's first
            request and all its resumes (single flight: one fill per digest at a time);
  expected: a blob's 502/503/504 when an injected 503 or 429 answered a request for that digest
            while the request ran: a refusal before the first byte is passed on (there is nothing
            to resume; UpstreamFaultsIT serverErrorBurstBeforeTheFirstByte);
  expected: a manifest's 502/503/504 when a request for that repository's manifests was spoiled
            while it ran (manifests are not resumed; a cached tag would have been served stale);
  unexpected: everything else; wrong bytes and wrong headers always.
Writes a Markdown fragment (--out-md) and KEY=VALUE lines (--out-summary) for soak.sh.
"""

import argparse
import bisect
import collections
import datetime
import hashlib
import http.client
import json
import os
import random
import re
import socket
import sys
import threading
import time

OPERATIONS = {"blob-get": 30, "blob-range": 15, "blob-head": 10,
              "manifest-tag": 15, "manifest-digest": 10, "manifest-head": 10}
CLASSES = {"config": 35, "small": 35, "medium": 20, "large": 10}
HOT_SHARE = 0.7
SMALL = 64 * 1024
MAX_SPAN = 256 * 1024
ACCEPT = ("application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
          "application/vnd.docker.distribution.manifest.v2+json, "
          "application/vnd.docker.distribution.manifest.list.v2+json, */*")
BUFFER = 256 * 1024  # per client: 200 clients, 50 MiB
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest)


class Image:
    def __init__(self, repository, tag, digest, size, hot):
        self.repository, self.tag, self.digest, self.size, self.hot = repository, tag, digest, size, hot
        self.blobs = collections.defaultdict(list)


class Blob:
    def __init__(self, repository, kind, digest, size, path):
        self.repository, self.kind, self.digest, self.size, self.path = repository, kind, digest, size, path
        self.fd = os.open(path, os.O_RDONLY)


def read_plan(path):
    images, blobs = {}, []
    with open(path, encoding="utf-8") as plan:
        for line in plan:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "image":
                images[fields[1]] = Image(fields[1], fields[2], fields[3], int(fields[4]), fields[5] == "1")
            elif fields[0] == "blob":
                blob = Blob(fields[1], fields[2], fields[3], int(fields[4]), fields[5])
                if os.fstat(blob.fd).st_size != blob.size:
                    sys.exit("%s is not %d bytes" % (blob.path, blob.size))
                blobs.append(blob)
    for blob in blobs:  # an image's line follows its blobs'
        images[blob.repository].blobs[blob.kind].append(blob)
    return list(images.values())


class Failed(Exception):
    """A request's outcome other than ok: KIND (status-NNN, aborted, wrong-bytes, ...)."""

    def __init__(self, kind, detail, status=None):
        super().__init__(detail)
        self.kind, self.detail, self.status = kind, detail, status


class Results:
    """What every client saw; one lock, taken once per request."""

    def __init__(self, warm_from):
        self.warm_from = warm_from
        self.lock = threading.Lock()
        self.requests = collections.Counter()
        self.ok = collections.Counter()
        self.latency = collections.defaultdict(list)  # op -> seconds (ok answers after warm-up)
        self.cached_small = []  # blob-get of a hot image's blob up to 64 KiB, after warm-up
        self.failures = []  # (op, key, started, ended, Failed)
        self.retries = 0
        self.bytes = 0

    def add(self, op, key, started, ended, failure, cached_small, size):
        with self.lock:
            self.requests[op] += 1
            self.bytes += size
            if failure is not None:
                self.failures.append((op, key, started, ended, failure))
                return
            self.ok[op] += 1
            if started >= self.warm_from:
                self.latency[op].append(ended - started)
                if cached_small:
                    self.cached_small.append(ended - started)


class Client(threading.Thread):
    def __init__(self, number, args, images, results, deadline):
        super().__init__(name="client-%d" % number, daemon=True)
        self.args, self.images, self.results, self.deadline = args, images, results, deadline
        self.hot = [image for image in images if image.hot] or images
        self.random = random.Random(args.seed * 100003 + number)
        self.buffer = bytearray(BUFFER)
        self.connection = None
        host, _, port = args.url.split("//", 1)[1].partition(":")
        self.address = (host, int(port))

    def run(self):
        ops, weights = list(OPERATIONS), list(OPERATIONS.values())
        classes, class_weights = list(CLASSES), list(CLASSES.values())
        while time.time() < self.deadline:
            op = self.random.choices(ops, weights)[0]
            image = self.random.choice(self.hot if self.random.random() < HOT_SHARE else self.images)
            kind = self.random.choices(classes, class_weights)[0]
            blob = self.random.choice(image.blobs[kind])
            started = time.time()
            failure, size = None, 0
            try:
                size = getattr(self, op.replace("-", "_"))(image, blob)
            except Failed as e:
                failure = e
                self.close()
            except socket.timeout as e:
                failure = Failed("timeout", str(e))
                self.close()
            except (OSError, http.client.HTTPException) as e:
                failure = Failed("aborted", "%s: %s" % (type(e).__name__, e))
                self.close()
            ended = time.time()
            key = blob.digest if op.startswith("blob") else image.repository
            cached_small = op == "blob-get" and image.hot and blob.size <= SMALL
            self.results.add(op, key, started, ended, failure, cached_small, size)
            if self.args.pause_ms > 0:
                time.sleep(self.args.pause_ms / 1000.0)
        self.close()

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, method, path, headers):
        """The answer's status line and headers; retried once when a reused connection was stale."""
        for attempt in (1, 2):
            reused = self.connection is not None
            if not reused:
                self.connection = http.client.HTTPConnection(*self.address, timeout=self.args.timeout)
            try:
                self.connection.request(method, path, headers=headers)
                return self.connection.getresponse()
            except STALE_CONNECTION as e:
                self.close()
                if not reused or attempt == 2:
                    raise Failed("no-answer", "%s: %s" % (type(e).__name__, e))
                with self.results.lock:
                    self.results.retries += 1
            except ConnectionRefusedError as e:
                self.close()
                raise Failed("refused", str(e))
        raise AssertionError("unreachable")

    def read(self, answer, expected_length, hasher=None, into=None):
        """Reads the whole body; returns its length. A body cut short raises Failed(aborted)."""
        total = 0
        view = memoryview(self.buffer)
        try:
            while True:
                n = answer.readinto(self.buffer)
                if not n:
                    break
                if hasher is not None:
                    hasher.update(view[:n])
                if into is not None:
                    into.extend(view[:n])
                total += n
        except http.client.IncompleteRead as e:
            raise Failed("aborted", "body broken off after %d bytes: %s" % (total, e))
        if expected_length is not None and total != expected_length:
            raise Failed("aborted", "body of %d bytes, not %d" % (total, expected_length))
        if answer.will_close:
            self.close()
        return total

    def refused(self, answer):
        """Drains an answer with a status other than the one wanted, and raises."""
        body = bytearray()
        try:
            self.read(answer, None, into=body)
        except Failed:
            pass
        raise Failed("status-%d" % answer.status, body[:200].decode("utf-8", "replace"), answer.status)

    def header_is(self, answer, name, want):
        got = answer.getheader(name)
        if got != str(want):
            self.read(answer, None)
            raise Failed("wrong-headers", "%s: %r, not %r" % (name, got, want), answer.status)

    def ask(self, method, path, want, headers=None, expect=()):
        """Sends a request; returns the answer once its status is WANT and its headers EXPECT."""
        answer = self.send(method, path, headers or {})
        if answer.status != want:
            self.refused(answer)
        for name, value in expect:
            self.header_is(answer, name, value)
        return answer

    @staticmethod
    def blob_path(blob):
        return "/v2/%s/blobs/%s" % (blob.repository, blob.digest)

    @staticmethod
    def blob_headers(blob):
        return (("Content-Length", blob.size), ("Docker-Content-Digest", blob.digest))

    def blob_get(self, image, blob):
        answer = self.ask("GET", self.blob_path(blob), 200, expect=self.blob_headers(blob))
        check = blob.size <= SMALL or self.random.random() < self.args.check_share
        hasher = hashlib.sha256() if check else None
        self.read(answer, blob.size, hasher)
        if check and "sha256:" + hasher.hexdigest() != blob.digest:
            raise Failed("wrong-bytes", "body hashes to sha256:%s" % hasher.hexdigest(), 200)
        return blob.size

    def blob_range(self, image, blob):
        first = self.random.randrange(blob.size)
        last = min(blob.size - 1, first + self.random.randrange(MAX_SPAN))
        answer = self.ask("GET", self.blob_path(blob), 206, {"Range": "bytes=%d-%d" % (first, last)},
                          (("Content-Range", "bytes %d-%d/%d" % (first, last, blob.size)),))
        body = bytearray()
        self.read(answer, last - first + 1, into=body)
        if body != os.pread(blob.fd, last - first + 1, first):
            raise Failed("wrong-bytes", "bytes %d-%d differ from the blob's" % (first, last), 206)
        return len(body)

    def blob_head(self, image, blob):
        self.read(self.ask("HEAD", self.blob_path(blob), 200, expect=self.blob_headers(blob)), 0)
        return 0

    def manifest(self, image, reference):
        answer = self.ask("GET", "/v2/%s/manifests/%s" % (image.repository, reference), 200,
                          {"Accept": ACCEPT}, (("Docker-Content-Digest", image.digest),))
        hasher = hashlib.sha256()
        self.read(answer, image.size, hasher)
        if "sha256:" + hasher.hexdigest() != image.digest:
            raise Failed("wrong-bytes", "manifest hashes to sha256:%s" % hasher.hexdigest(), 200)
        return image.size

    def manifest_tag(self, image, blob):
        return self.manifest(image, image.tag)

    def manifest_digest(self, image, blob):
        return self.manifest(image, image.digest)

    def manifest_head(self, image, blob):
        self.read(self.ask("HEAD", "/v2/%s/manifests/%s" % (image.repository, image.tag), 200,
                           {"Accept": ACCEPT},
                           (("Docker-Content-Digest", image.digest), ("Content-Length", image.size))), 0)
        return 0


# ---------------------------------------------------------------------------------------------
# After the run: classify the failures against the faults, and the latencies
# ---------------------------------------------------------------------------------------------
BLOB_PATH = re.compile(r"^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})")
MANIFEST_PATH = re.compile(r"^/v2/(.+)/manifests/")


# How far the fault layer's clock reading of a request may lie before the client's start (a
# client that joined a fill another client started a moment before) or after its end.
BEFORE, AFTER = 1.0, 0.5
# How long after the fault layer logged an injected 429 the mirror may start its Retry-After: on a
# machine the soak saturates, the mirror read one 0.8 s after the fault layer sent it, and passed
# on 429s until 1.8 s after it (four requests at +2.7 s in a 10-minute run were misread as
# unexplained with only BEFORE of slack).
LATE_429 = 3.0


class FaultLog:
    def __init__(self, path):
        self.gets = collections.defaultdict(list)  # digest -> [(t, fault or None)] of blob GETs
        self.refusals = collections.defaultdict(list)  # digest -> times of injected 503s and 429s
        self.manifest_faults = collections.defaultdict(list)  # repository -> times of any fault
        self.limited = []  # times of injected 429s
        self.requests = 0
        self.kinds = collections.Counter()
        with open(path, encoding="utf-8") as log:
            for line in log:
                entry = json.loads(line)
                self.requests += 1
                fault = entry["fault"]
                if fault:
                    self.kinds[fault] += 1
                path = entry["p"].split("?", 1)[0]
                blob, manifest = BLOB_PATH.match(path), MANIFEST_PATH.match(path)
                if blob and entry["m"] == "GET":
                    self.gets[blob.group(2)].append((entry["t"], fault))
                if blob and fault in ("503", "429"):
                    self.refusals[blob.group(2)].append(entry["t"])
                if manifest and fault:
                    self.manifest_faults[manifest.group(1)].append(entry["t"])
                if fault == "429":
                    self.limited.append(entry["t"])
        for requests in self.gets.values():
            requests.sort(key=lambda request: request[0])
        for table in (self.refusals, self.manifest_faults):
            for times in table.values():
                times.sort()
        self.limited.sort()

    @staticmethod
    def any_between(times, start, end):
        low = bisect.bisect_left(times, start)
        return low < len(times) and times[low] <= end

    def refused(self, digest, start, end):
        """An injected 503 or 429 answered a request for DIGEST between START and END."""
        return self.any_between(self.refusals.get(digest, []), start, end)

    def manifest_fault(self, repository, start, end):
        return self.any_between(self.manifest_faults.get(repository, []), start, end)

    def exhausted(self, digest, start, end, max_resumes):
        """MAX_RESUMES + 1 GETs of DIGEST in a row were spoiled, the last between START and END:
        a fill's first request and all its resumes (one fill per digest at a time)."""
        run = 0
        for t, fault in self.gets.get(digest, []):
            if t > end:
                break
            run = run + 1 if fault else 0
            if run > max_resumes and t >= start:
                return True
        return False

    def limited_during(self, start, end, retry_after):
        return self.any_between(self.limited, start - retry_after - LATE_429, end + AFTER)


def classify(op, key, started, ended, failure, faults, args):
    """(expected, reason) for one failed request."""
    if failure.kind in ("wrong-bytes", "wrong-headers"):
        return False, "wrong content: never expected"
    if failure.status == 429:
        if faults.limited_during(started, ended, args.retry_after):
            return True, "429 passed on while an injected 429's Retry-After ran"
        return False, "429 with no injected 429 in its window"
    server_error = failure.status in (502, 503, 504)
    start, end = started - BEFORE, ended + AFTER
    if op.startswith("blob"):
        if (server_error or failure.kind in ("aborted", "no-answer")) and \
                faults.exhausted(key, start, end, args.max_resumes):
            return True, "the fill's resumes were exhausted by injected faults"
        if server_error and faults.refused(key, start, end):
            return True, "an injected 503/429 refused the blob's upstream request before any byte, passed on"
    elif server_error and faults.manifest_fault(key, start, end):
        return True, "injected fault on the manifest's upstream request, passed on"
    return False, "no injected fault explains it"


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(seconds):
    return "n/a" if seconds is None else "%.1f" % (seconds * 1000)


def server_small_latencies(path, small_digests, warm_from):
    """Durations (s) the mirror logged for GETs of the small hot blobs answered from its cache."""
    durations, statuses, caches = [], collections.Counter(), collections.Counter()
    if not os.path.exists(path):
        return durations, statuses, caches
    with open(path, encoding="utf-8") as log:
        for line in log:
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            statuses[entry["status"]] += 1
            if entry.get("cache"):
                caches[entry["cache"]] += 1
            if entry["method"] != "GET" or entry["status"] != 200 or entry.get("cache") != "hit":
                continue
            match = BLOB_PATH.match(entry["path"])
            if not match or match.group(2) not in small_digests:
                continue
            at = datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
            if at >= warm_from:
                durations.append(float(entry["duration_ms"]) / 1000)
    return durations, statuses, caches


def report(args, images, results, faults):
    classified = collections.defaultdict(lambda: [0, None])  # (kind, expected, reason) -> [n, example]
    for op, key, started, ended, failure in results.failures:
        expected, reason = classify(op, key, started, ended, failure, faults, args)
        entry = classified[(op, failure.kind, expected, reason)]
        entry[0] += 1
        if entry[1] is None:
            entry[1] = "%s %s at +%.1f s: %s" % (op, key[:24], started - results.warm_from + args.warmup,
                                                 failure.detail[:160].replace("|", "/").replace("\n", " "))
    unexpected = sum(n for (op, kind, expected, reason), (n, _) in classified.items() if not expected)
    expected_n = sum(n for (op, kind, expected, reason), (n, _) in classified.items() if expected)
    small = {blob.digest for image in images if image.hot for kind in ("config", "small")
             for blob in image.blobs[kind] if blob.size <= SMALL}
    server_small, statuses, caches = server_small_latencies(args.access_log, small, results.warm_from)
    total = sum(results.requests.values())
    lines = ["## Requests", "",
             "%d requests by %d clients in %d s (%.0f/s), %d answered as expected, %.1f GB of bodies; "
             "%d requests sent again on a new connection after a reused one was found closed." % (
                 total, args.clients, args.seconds, total / max(args.seconds, 1), sum(results.ok.values()),
                 results.bytes / 1e9, results.retries), "",
             "| operation | requests | ok | p50 ms | p99 ms (ok answers after the %d s warm-up) |" % args.warmup,
             "|---|---:|---:|---:|---:|"]
    for op in OPERATIONS:
        lines.append("| %s | %d | %d | %s | %s |" % (op, results.requests[op], results.ok[op],
                                                   ms(percentile(results.latency[op], 0.5)),
                                                   ms(percentile(results.latency[op], 0.99))))
    lines += ["", "Mirror's answers (its access log): " +
              ", ".join("%s: %d" % (k, v) for k, v in sorted(statuses.items())) +
              "; cache results: " + ", ".join("%s: %d" % (k, v) for k, v in sorted(caches.items())), ""]
    lines += ["## Errors by kind", "",
              "%d unexpected, %d expected (explained by an injected fault)." % (unexpected, expected_n), ""]
    if classified:
        lines += ["| operation | outcome | count | verdict | first one |", "|---|---|---:|---|---|"]
        for (op, kind, expected, reason), (n, example) in sorted(classified.items(), key=lambda x: (x[0][2], x[0][0])):
            lines.append("| %s | %s | %d | %s | %s |" % (op, kind, n, ("expected: " if expected else "UNEXPECTED: ") + reason, example))
        lines.append("")
    lines += ["## Latency of cached small blobs", "",
              "GETs of the hot images' blobs up to 64 KiB (configs and small layers), after the warm-up.", "",
              "| measured by | answers | p50 ms | p99 ms |", "|---|---:|---:|---:|",
              "| the clients (Python, %d threads: includes their own scheduling) | %d | %s | %s |" % (
                  args.clients, len(results.cached_small), ms(percentile(results.cached_small, 0.5)),
                  ms(percentile(results.cached_small, 0.99))),
              "| the mirror (access log duration_ms, cache hit) | %d | %s | %s |" % (
                  len(server_small), ms(percentile(server_small, 0.5)), ms(percentile(server_small, 0.99))), ""]
    lines += ["## Upstream faults", "",
              "%d requests reached the fault layer; %d were spoiled: %s." % (
                  faults.requests, sum(faults.kinds.values()),
                  ", ".join("%s %d" % (k, v) for k, v in sorted(faults.kinds.items())) or "none"), ""]
    with open(args.out_md, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    summary = {"requests": total, "ok": sum(results.ok.values()), "unexpected": unexpected,
               "expected": expected_n, "retries": results.retries,
               "client_small_p50_ms": ms(percentile(results.cached_small, 0.5)),
               "client_small_p99_ms": ms(percentile(results.cached_small, 0.99)),
               "server_small_p50_ms": ms(percentile(server_small, 0.5)),
               "server_small_p99_ms": ms(percentile(server_small, 0.99)),
               "upstream_requests": faults.requests, "faults": sum(faults.kinds.values())}
    with open(args.out_summary, "w", encoding="utf-8") as out:
        for key, value in summary.items():
            out.write("%s=%s\n" % (key, value))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--fault-log", required=True)
    parser.add_argument("--access-log", required=True)
    parser.add_argument("--out-md", required=True)
    parser.add_argument("--out-summary", required=True)
    parser.add_argument("--pause-ms", type=float, default=0)
    parser.add_argument("--check-share", type=float, default=0.1)
    parser.add_argument("--max-resumes", type=int, default=5)
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    images = read_plan(args.plan)
    start = time.time()
    results = Results(start + args.warmup)
    clients = [Client(i, args, images, results, start + args.seconds) for i in range(args.clients)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    report(args, images, results, FaultLog(args.fault_log))
    print("%d requests, %d failed" % (sum(results.requests.values()), len(results.failures)))


if __name__ == "__main__":
    main()
