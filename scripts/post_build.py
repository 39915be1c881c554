#!/usr/bin/env python3
"""Trunk's post-build hook: move Trunk's inline bootstrap <script type="module"> into a file.

With no inline script the page runs under a strict Content-Security-Policy (script-src 'self'
'wasm-unsafe-eval', no 'unsafe-inline'; docs/decisions.md#d4). The script is referenced by a
relative path, like every asset (Trunk.toml sets public_url = "./"), so dist/ works from any
sub-path. Anything unexpected fails the build, loudly: exactly one inline module script must be
found and every asset reference in index.html and the script must be relative.
"""
import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR", "dist")
index = os.path.join(staging, "index.html")
html = open(index, encoding="utf-8").read()


def fail(why):
    sys.exit("post_build.py: %s (index.html: %s)" % (why, index))


# Trunk's release build minifies the HTML, which drops the attribute's quotes.
scripts = list(re.finditer(r'<script type=(?:"module"|module)>(.*?)</script>', html, re.S))
if len(scripts) != 1:
    fail("expected exactly one inline module script, found %d" % len(scripts))
match = scripts[0]
body = match.group(1).strip() + "\n"
for ref in re.findall(r"""['"](/[^'"]*\.(?:js|wasm))['"]""", body):
    fail("the bootstrap script references %s by an absolute path; set public_url = \"./\"" % ref)
for ref in re.findall(r"""(?:href|src)=["']?(/[^"' >]+)""", html):
    fail("index.html references %s by an absolute path; set public_url = \"./\"" % ref)
name = "boot-%s.js" % hashlib.sha256(body.encode()).hexdigest()[:16]
with open(os.path.join(staging, name), "w", encoding="utf-8") as f:
    f.write(body)
html = html[: match.start()] + '<script type="module" src="./%s"></script>' % name + html[match.end():]
with open(index, "w", encoding="utf-8") as f:
    f.write(html)
