#!/usr/bin/env python3
"""Trunk's post-build hook. One hook, so that its steps edit dist/index.html in turn (Trunk
may run the hooks of a stage concurrently): move the inline bootstrap script into a file
(strict CSP), then strip wasm-bindgen's JS glue (size budget)."""
import os
import runpy

here = os.path.dirname(os.path.abspath(__file__))
runpy.run_path(os.path.join(here, "externalize_boot.py"))
runpy.run_path(os.path.join(here, "minify_glue.py"))
