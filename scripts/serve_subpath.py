#!/usr/bin/env python3
"""Serves dist/ under /tools/fitgrid/ only, with nothing at the root (404), the way a docs
server hosts the app under a sub-path. For the Playwright sub-path test: serve_subpath.py PORT."""
import functools
import http.server
import os
import sys

PREFIX = "/tools/fitgrid/"
DIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dist")


class Handler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean == PREFIX.rstrip("/"):
            return os.path.join(DIST, "missing-slash")  # redirected below
        if not clean.startswith(PREFIX):
            return os.path.join(DIST, "does-not-exist")
        return super().translate_path("/" + clean[len(PREFIX):])

    def send_head(self):
        if self.path.split("?", 1)[0] == PREFIX.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", PREFIX)
            self.end_headers()
            return None
        return super().send_head()

    def log_message(self, *args):
        pass


port = int(sys.argv[1]) if len(sys.argv) > 1 else 8766
handler = functools.partial(Handler, directory=DIST)
http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
