#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""webapp.py — the test web application: a customer's TwiML server for the tests.

Serves TwiML (or anything) from a folder and/or a JSON route map, and records every request as
one JSON line (method, path, query, headers with X-Twilio-Signature, form params, the URL as
requested) to a log file. Python stdlib only, HTTP/1.1 keep-alive, one thread per connection so
a held request never blocks another.

  webapp.py --port 0 --port-file P --docs DIR --routes routes.json --log requests.jsonl

routes.json maps "PATH" or "METHOD PATH" to an answer:
  {"/voice": {"status": 200, "content_type": "text/xml", "body": "<Response/>"},
   "POST /slow": {"delay": 5, "body": "<Response/>"},
   "/moved": {"status": 302, "redirect": "/voice"},
   "/big": {"body_size": 70000},
   "/media/a.wav": {"file": "media/a.wav", "content_type": "audio/wav", "etag": true,
                    "headers": {"Cache-Control": "max-age=0"}}}
A "file" route answers the file under --docs (read at each request); "etag": true adds a strong
ETag (SHA-1 of the content) and answers a matching If-None-Match with 304 and no body; such a
request's log line also carries "status". "headers" are added to the answer.
A SIGHUP re-reads routes.json. Anything else is looked up in --docs (by path), else 404.
"""
import argparse
import hashlib
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


class App:
    routes = {}
    routes_file = None
    docs = None
    log = None


def load_routes():
    if App.routes_file:
        with open(App.routes_file) as f:
            App.routes = json.load(f)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def record(self, body, status=None):
        parts = urllib.parse.urlsplit(self.path)
        ctype = self.headers.get("Content-Type", "")
        form = []
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            form = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        host = self.headers.get("Host", "%s:%d" % self.server.server_address[:2])
        scheme = "https" if hasattr(self.connection, "getpeercert") else "http"
        entry = {
            "t": time.time(),
            "method": self.command,
            "path": parts.path,
            "query": urllib.parse.parse_qsl(parts.query, keep_blank_values=True),
            "url": "%s://%s%s" % (scheme, host, self.path),
            "headers": {k: v for k, v in self.headers.items()},
            "form": form,
            "body_len": len(body),
        }
        if status is not None:
            entry["status"] = status
        if App.log:
            with LOCK, open(App.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def answer(self, status, ctype, body, extra=()):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        path = urllib.parse.urlsplit(self.path).path
        r = App.routes.get("%s %s" % (self.command, path)) or App.routes.get(path)
        if r is not None and "file" in r:
            return self.answer_file(body, r)
        self.record(body)
        if r is not None:
            if r.get("delay"):
                time.sleep(float(r["delay"]))
            if r.get("redirect"):
                return self.answer(int(r.get("status", 302)), None, b"",
                                   [("Location", r["redirect"])])
            data = (b"x" * int(r["body_size"])) if "body_size" in r else \
                r.get("body", "").encode()
            return self.answer(int(r.get("status", 200)), r.get("content_type", "text/xml"), data)
        if App.docs:
            full = os.path.realpath(os.path.join(App.docs, path.lstrip("/")))
            if full.startswith(os.path.realpath(App.docs) + os.sep) and os.path.isfile(full):
                ctype = "text/xml" if full.endswith(".xml") else \
                    "audio/wav" if full.endswith(".wav") else "application/octet-stream"
                with open(full, "rb") as f:
                    return self.answer(200, ctype, f.read())
        return self.answer(404, "text/plain", b"not found\n")

    def answer_file(self, body, r):
        full = os.path.join(App.docs or ".", r["file"])
        try:
            with open(full, "rb") as f:
                data = f.read()
        except OSError:
            self.record(body, 404)
            return self.answer(404, "text/plain", b"not found\n")
        extra = list(r.get("headers", {}).items())
        if r.get("etag"):
            tag = '"%s"' % hashlib.sha1(data).hexdigest()
            extra.append(("ETag", tag))
            inm = self.headers.get("If-None-Match", "")
            if tag in [t.strip() for t in inm.split(",")]:
                self.record(body, 304)
                self.send_response(304)
                for k, v in extra:
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
        self.record(body, int(r.get("status", 200)))
        return self.answer(int(r.get("status", 200)), r.get("content_type", "audio/wav"), data,
                           extra)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the port listened on here")
    ap.add_argument("--docs")
    ap.add_argument("--routes")
    ap.add_argument("--log")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    a = ap.parse_args()
    App.docs, App.routes_file, App.log = a.docs, a.routes, a.log
    load_routes()
    signal.signal(signal.SIGHUP, lambda *_: load_routes())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = ThreadingHTTPServer((a.bind, a.port), Handler)
    srv.daemon_threads = True
    if a.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
