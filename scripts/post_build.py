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


# Release builds: optimise the wasm here rather than in Trunk (index.html sets
# data-wasm-opt="0"), after dropping the JS-facing classes of wasm-streams. leptos's "csr"
# feature always pulls in server_fn's browser support, whose wasm-streams exports
# (IntoUnderlyingSource, …Sink, …ByteSource) keep ~1.8 KB gzip of code alive; nothing in the
# app constructs them (it fetches with gloo-net and reads bodies whole), and the JS glue
# touches those exports only inside the classes' own methods, which go too. Then the
# preloads' integrity hashes are recomputed.
WASM_OPT_FLAGS = [
    "-Oz", "--low-memory-unused", "--converge", "--one-caller-inline-max-function-size=25",
    "--merge-similar-functions",
    "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
    "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
]
DROPPED_EXPORTS = ("intounderlying", "__wbg_intounderlying")


def leb(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def uleb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def rewrite_section(data, wanted, rewrite):
    """The module with section `wanted`'s body replaced by `rewrite(body)`; the others as they are."""
    if data[:8] != b"\0asm\1\0\0\0":
        fail("the wasm file is not a version-1 module")
    out, i = bytearray(data[:8]), 8
    while i < len(data):
        section = data[i]
        size, j = leb(data, i + 1)
        body = data[j:j + size]
        if section == wanted:
            body = rewrite(body)
        out += bytes([section]) + uleb(len(body)) + body
        i = j + size
    return bytes(out)


def drop_exports(data):
    """The module without the exports named in DROPPED_EXPORTS, and how many were dropped."""
    dropped = 0

    def keep(body):
        nonlocal dropped
        count, k = leb(body, 0)
        kept = []
        for _ in range(count):
            start = k
            length, k = leb(body, k)
            name = body[k:k + length].decode()
            _, k = leb(body, k + length + 1)
            if name.startswith(DROPPED_EXPORTS):
                dropped += 1
            else:
                kept.append(body[start:k])
        return uleb(len(kept)) + b"".join(kept)

    out = rewrite_section(data, 7, keep)
    return out, dropped


def short_name(n):
    """`n` as a short identifier: a, b, …, z, aa, ab, … (never a JS keyword at these lengths:
    at most ~200 imports, two letters)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    name = ""
    while True:
        name = letters[n % 26] + name
        n = n // 26 - 1
        if n < 0:
            return name


def rename_imports(data):
    """The module with every import renamed short (module "a", fields a, b, …), and the map of
    old names. wasm-bindgen names each import after its function plus a 16-hex-digit hash, once in
    the wasm and once in the glue: ~175 incompressible names, ~3 KB gzip."""
    modules, fields = set(), {}

    def rename(body):
        count, k = leb(body, 0)
        entries = bytearray(uleb(count))
        for _ in range(count):
            length, k = leb(body, k)
            modules.add(body[k:k + length].decode())
            k += length
            length, k = leb(body, k)
            field = body[k:k + length].decode()
            k += length
            if body[k] != 0:
                fail("expected only function imports, found kind %d for %s" % (body[k], field))
            _, end = leb(body, k + 1)
            short = fields.setdefault(field, short_name(len(fields))).encode()
            entries += uleb(1) + b"a" + uleb(len(short)) + short + body[k:end]
            k = end
        return bytes(entries)

    out = rewrite_section(data, 2, rename)
    if len(modules) != 1:
        fail("expected every import from the glue's one module, found %s" % sorted(modules))
    return out, modules.pop(), fields


if os.environ.get("TRUNK_PROFILE") == "release":
    import base64
    import subprocess

    wasms = [f for f in os.listdir(staging) if f.endswith("_bg.wasm")]
    if len(wasms) != 1:
        fail("expected one _bg.wasm in %s, found %s" % (staging, wasms))
    path = os.path.join(staging, wasms[0])
    data, dropped = drop_exports(open(path, "rb").read())
    if dropped != 13:
        fail("expected the 13 wasm-streams exports, dropped %d: check DROPPED_EXPORTS" % dropped)
    data, module, renamed = rename_imports(data)
    open(path, "wb").write(data)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    wasm_opt = os.path.join(root, "node_modules", ".bin", "wasm-opt")
    version = subprocess.run([wasm_opt, "--version"], capture_output=True, text=True).stdout
    if "version 132" not in version:
        fail("wasm-opt must be npm binaryen 132 (scripts/setup.sh installs it), got %r" % version)
    subprocess.run([wasm_opt, *WASM_OPT_FLAGS, path, "-o", path], check=True)
    # The JS glue's classes for those exports (and their finalizers) go too.
    glue = wasms[0][: -len("_bg.wasm")] + ".js"
    js_path = os.path.join(staging, glue)
    js = open(js_path, encoding="utf-8").read()
    js, classes = re.subn(
        r"export class (IntoUnderlying\w+) \{\n.*?\n\}\nif \(Symbol\.dispose\) \1\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n",
        "",
        js,
        flags=re.S,
    )
    js, registries = re.subn(
        r"const IntoUnderlying\w+Finalization = \(typeof FinalizationRegistry === 'undefined'\)\n[^\n]*\n[^\n]*\n",
        "",
        js,
    )
    if (classes, registries) != (3, 3) or "IntoUnderlying" in js:
        fail("expected 3 wasm-streams classes and 3 finalizers in %s, found %d and %d" % (glue, classes, registries))
    # The glue names the imports as the keys of one object, returned under the module's name.
    for old, short in renamed.items():
        js, n = re.subn(r"(?<![\w$])%s(?=:)" % re.escape(old), short, js)
        if n != 1:
            fail("expected the import %s once in %s, found %d" % (old, glue, n))
    js, n = re.subn(r'"%s": ' % re.escape(module), '"a": ', js)
    if n != 1:
        fail("expected the import module %r once in %s, found %d" % (module, glue, n))
    # Minify the glue (Trunk's minifier, minify-js, fails on `export { … as default }` and
    # leaves it as is): the same exports in a form it parses, then tools/jsmin (~1.5 KB gzip).
    export = "export { initSync, __wbg_init as default };"
    if js.count(export) != 1:
        fail("expected the glue to end with %r" % export)
    js = js.replace(export, "export { initSync };\nexport default __wbg_init;")
    jsmin = os.path.join(root, "target", "tools", "release", "jsmin")
    if not os.access(jsmin, os.X_OK):
        fail("%s is missing: run scripts/setup.sh" % jsmin)
    minified = subprocess.run([jsmin], input=js.encode(), capture_output=True)
    if minified.returncode != 0 or not minified.stdout:
        fail("jsmin could not minify %s: %s" % (glue, minified.stderr.decode()))
    js = minified.stdout.decode()
    with open(js_path, "w", encoding="utf-8") as f:
        f.write(js)
    for name in (wasms[0], glue):
        digest = base64.b64encode(hashlib.sha384(open(os.path.join(staging, name), "rb").read()).digest()).decode()
        html, n = re.subn(
            r"(href=\"?\./%s\"? integrity=\"?)sha384-[A-Za-z0-9+/=]+" % re.escape(name),
            lambda m: m.group(1) + "sha384-" + digest,
            html,
        )
        if n != 1:
            fail("expected one integrity attribute for %s, found %d" % (name, n))
    with open(index, "w", encoding="utf-8") as f:
        f.write(html)
