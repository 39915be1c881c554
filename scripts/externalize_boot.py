#!/usr/bin/env python3
"""Trunk post-build hook: move Trunk's inline bootstrap <script type="module"> into a file.

With no inline script, the page runs under a strict Content-Security-Policy
(script-src 'self' 'wasm-unsafe-eval'; no 'unsafe-inline'); see README "Security".
"""
import hashlib
import os
import re

staging = os.environ.get("TRUNK_STAGING_DIR", "dist")
index = os.path.join(staging, "index.html")
html = open(index, encoding="utf-8").read()
# Trunk's release build minifies the HTML, which drops the attribute's quotes.
match = re.search(r'<script type=(?:"module"|module)>(.*?)</script>', html, re.S)
if match:  # else already external
    body = match.group(1).strip() + "\n"
    name = "boot-%s.js" % hashlib.sha256(body.encode()).hexdigest()[:16]
    open(os.path.join(staging, name), "w", encoding="utf-8").write(body)
    html = html[: match.start()] + '<script type="module" src="/%s"></script>' % name + html[match.end():]
    open(index, "w", encoding="utf-8").write(html)
