#!/usr/bin/env python3
"""A fault layer in front of an upstream registry, for perf/soak.sh (Python 3 stdlib only).

Usage: faulty-proxy.py --listen PORT --upstream http://HOST:PORT --log FILE
                       [--rate 0.05] [--retry-after 1] [--seed N]
                       [--weights reset=40,truncate=40,503=15,429=5]

Forwards every request to the upstream (HTTP/1.1, keep-alive, bodies streamed) and spoils a share
(--rate) of the answers to manifest and blob requests (/v2/<name>/manifests/... and .../blobs/...;
the /v2/ ping is left alone, so the mirror's view of the upstream's reachability is not faked):
  reset     the upstream's status line, headers and a random part of its body, then a TCP reset
            (SO_LINGER 0): a connection broken mid-body
  truncate  the same, then a clean close (FIN): a body cut short of its Content-Length
  503       503 with an OCI error body, without asking the upstream
  429       429 TOOMANYREQUESTS with Retry-After: --retry-after seconds, without asking the upstream
reset and truncate need a body: HEADs and answers without a body of 2 bytes or more only get 503
or 429 (drawn by their weights), so every drawn fault is applied.

--log gets one JSON line per request: t (epoch seconds when the answer started), m, p (path),
range (the request's Range header or null), status (sent), fault (kind or null), sent (body
bytes sent), length (the body's full length, or null). soak-clients.py reads it to tell the
errors the faults explain from the ones they do not.
"""

import argparse
import http.client
import http.server
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

FAULTED_PATH = re.compile(r"^/v2/.+/(manifests|blobs)/[^/]+$")
# Not copied from the upstream's answer: hop-by-hop, or set by this server itself.
SKIPPED = {"connection", "keep-alive", "transfer-encoding", "date", "server", "content-length"}
CHUNK = 1 << 16
BODY_KINDS = ("reset", "truncate")


class Faults:
    """Draws the fault of each answer, and writes the log."""

    def __init__(self, rate, weights, retry_after, seed, log_path):
        self.rate, self.weights, self.retry_after = rate, weights, retry_after
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.log = open(log_path, "a", buffering=1, encoding="utf-8")

    def draw(self, path, has_body_maybe):
        """The fault for this request: a kind, or None."""
        if not FAULTED_PATH.match(urllib.parse.urlsplit(path).path):
            return None
        with self.lock:
            if self.random.random() >= self.rate:
                return None
            kinds = [k for k in self.weights if has_body_maybe or k not in BODY_KINDS]
            return self.random.choices(kinds, [self.weights[k] for k in kinds])[0]

    def cut(self, length):
        """Where a body of LENGTH bytes is broken off: 0 to LENGTH - 1 bytes are sent."""
        with self.lock:
            return self.random.randrange(length)

    def record(self, started, handler, status, fault, sent, length):
        line = json.dumps({"t": round(started, 3), "m": handler.command, "p": handler.path,
                           "range": handler.headers.get("Range"), "status": status,
                           "fault": fault, "sent": sent, "length": length},
                          separators=(",", ":"))
        with self.lock:
            self.log.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    faults = None  # set by main
    upstream = None  # (host, port)

    def log_message(self, *args):  # the JSON log says it all
        pass

    def finish(self):
        self.drop_upstream()
        super().finish()

    def do_GET(self):
        self.forward()

    def do_HEAD(self):
        self.forward()

    def upstream_connection(self):
        # One upstream connection per client connection: this handler's thread is its only user.
        if getattr(self, "connection_up", None) is None:
            self.connection_up = http.client.HTTPConnection(*self.upstream, timeout=120)
        return self.connection_up

    def drop_upstream(self):
        if getattr(self, "connection_up", None) is not None:
            self.connection_up.close()
            self.connection_up = None

    def forward(self):
        started = time.time()
        fault = self.faults.draw(self.path, self.command == "GET")
        if fault in ("503", "429"):
            self.refuse(started, int(fault))
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        try:
            connection = self.upstream_connection()
            connection.request(self.command, self.path, headers=headers)
            answer = connection.getresponse()
        except (OSError, http.client.HTTPException):
            # A stale keep-alive connection to the upstream: one retry on a new one.
            self.drop_upstream()
            connection = self.upstream_connection()
            connection.request(self.command, self.path, headers=headers)
            answer = connection.getresponse()
        length = answer.getheader("Content-Length")
        length = int(length) if length is not None else None
        body = None
        if length is None and self.command != "HEAD":
            body = answer.read()  # chunked: small answers (errors); sent with a length
            length = len(body)
        if fault in BODY_KINDS and (self.command == "HEAD" or not length or length < 2):
            fault = None  # cannot happen for a GET that drew it unless the answer has no body
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in SKIPPED:
                self.send_header(key, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command == "HEAD":
            self.faults.record(started, self, answer.status, None, 0, length)
            return
        limit = self.faults.cut(length) if fault else length
        sent = 0
        try:
            if body is not None:
                self.wfile.write(body[:limit])
                sent = min(limit, len(body))
            else:
                while sent < limit:
                    data = answer.read(min(CHUNK, limit - sent))
                    if not data:
                        break
                    self.wfile.write(data)
                    sent += len(data)
        except OSError:
            # The mirror hung up (it does, when the body is more than it needs): not a fault.
            self.drop_upstream()
            self.close_connection = True
            self.faults.record(started, self, answer.status, None, sent, length)
            return
        self.faults.record(started, self, answer.status, fault, sent, length)
        if fault:
            self.drop_upstream()  # its answer was not read to the end
            self.break_off(fault)

    def refuse(self, started, status):
        body = json.dumps({"errors": [{"code": "UNAVAILABLE" if status == 503 else "TOOMANYREQUESTS",
                                       "message": "injected fault (faulty-proxy.py)"}]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 429:
            self.send_header("Retry-After", str(self.faults.retry_after))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.faults.record(started, self, status, str(status), 0 if self.command == "HEAD" else len(body), None)

    def break_off(self, fault):
        self.close_connection = True
        if fault == "reset":
            # SO_LINGER on with a zero timeout: close() sends a RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
        else:
            self.connection.shutdown(socket.SHUT_WR)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # A mirror that hangs up mid-answer, or a socket this proxy reset itself: not news.
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handle_error(request, client_address)


def weights_of(text):
    weights = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        if kind not in ("reset", "truncate", "503", "429"):
            sys.exit("unknown fault kind %r (reset, truncate, 503, 429)" % kind)
        weights[kind] = float(weight)
    return weights


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weights", default="reset=40,truncate=40,503=15,429=5")
    args = parser.parse_args()
    target = urllib.parse.urlsplit(args.upstream)
    Handler.upstream = (target.hostname, target.port)
    Handler.faults = Faults(args.rate, weights_of(args.weights), args.retry_after, args.seed, args.log)
    server = Server(("127.0.0.1", args.listen), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
