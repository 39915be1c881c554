#!/usr/bin/env python3
"""Trunk post-build hook: strip comments and indentation from wasm-bindgen's JS glue.

Trunk minifies CSS and HTML but ships the glue as generated (46 KB, 8.2 KB gzip). Removing
JSDoc blocks, whole-line comments, indentation and blank lines saves ~1 KB gzip of the 250 KB
budget (issue 7). Only whole lines are touched, never inside a multi-line template literal;
the result must pass `node --check`, else the original is kept. The file's name keeps Trunk's
hash; its `integrity` attribute in index.html is recomputed.
"""
import base64
import glob
import hashlib
import os
import re
import subprocess
import sys
import tempfile

staging = os.environ.get("TRUNK_STAGING_DIR", "dist")
index = os.path.join(staging, "index.html")
html = open(index, encoding="utf-8").read()


def strip(js):
    out, in_template, in_doc = [], False, False
    for line in js.split("\n"):
        text = line.strip()
        if not in_template:
            if in_doc or text.startswith("/**"):
                in_doc = not text.endswith("*/")
                continue
            if text.startswith("//") or not text:
                continue
            line = text
        # A line with an odd number of backticks opens or closes a multi-line template.
        if len(re.findall(r"(?<!\\)`", line)) % 2:
            in_template = not in_template
        out.append(line)
    return "\n".join(out) + "\n"


for path in glob.glob(os.path.join(staging, "*.js")):
    name = os.path.basename(path)
    if name.startswith("boot-"):
        continue
    original = open(path, encoding="utf-8").read()
    small = strip(original)
    with tempfile.NamedTemporaryFile("w", suffix=".mjs", delete=False, encoding="utf-8") as tmp:
        tmp.write(small)
    try:
        ok = subprocess.run(["node", "--check", tmp.name], capture_output=True).returncode == 0
    except OSError:
        ok = False
    finally:
        os.unlink(tmp.name)
    if not ok:
        print("minify_glue: %s kept as generated (check failed or no node)" % name, file=sys.stderr)
        continue
    open(path, "w", encoding="utf-8").write(small)
    digest = base64.b64encode(hashlib.sha384(small.encode("utf-8")).digest()).decode()
    # Trunk's release build minifies the HTML, which may drop the attribute's quotes.
    html = re.sub(
        r'(href="?/%s"?[^>]*?integrity=)"?sha384-[A-Za-z0-9+/=]+"?' % re.escape(name),
        lambda m: m.group(1) + "sha384-" + digest,
        html,
    )
open(index, "w", encoding="utf-8").write(html)
