#!/usr/bin/env python3
"""Loads report pages from disk in headless Chromium and checks, for each page: it loads, the
console shows no errors or warnings (CSP violations included), no network request leaves the
machine (http, https, ws, wss), and the screenshot is not blank. Standard library only.

Usage: browser_check.py PAGE.html [PAGE.html ...] --screenshots DIR
Prints one line per check and a closing line `N passed, M failed`; exit code 1 on failure."""

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib
from collections import Counter

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--hide-scrollbars", "--window-size=1280,2400",
    "--enable-logging=stderr", "--v=0", "--net-log-capture-mode=Default",
]


def read_png(path):
    """Decodes an 8-bit RGB/RGBA PNG into (width, height, rows of pixel tuples)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6):
                raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(line)
        previous = line
    return width, height, rows, channels


def share_not_background(path):
    """Share of sampled pixels that differ noticeably from the most common colour."""
    width, height, rows, channels = read_png(path)
    samples = []
    for y in range(0, height, 4):
        row = rows[y]
        for x in range(0, width, 4):
            samples.append(tuple(row[x * channels:x * channels + 3]))
    background = Counter(samples).most_common(1)[0][0]
    differ = sum(1 for p in samples if sum(abs(a - b) for a, b in zip(p, background)) > 30)
    return differ / max(len(samples), 1)


def network_urls(net_log_path):
    """URLs with a network scheme that the page itself requested, from Chromium's net log.

    Chromium makes requests of its own (component updates, clock checks) even with background
    networking disabled; those have no file:// origin. A request made by a page loaded from disk
    carries `file://` in its network isolation key."""
    try:
        with open(net_log_path, encoding="utf-8", errors="replace") as f:
            text = f.read().rstrip()
    except FileNotFoundError:
        return ["(no net log written)"]
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # Chromium may stop before closing the document
        log = json.loads(text.rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = set()
    for event in log.get("events", []):
        params = event.get("params") or {}
        if names.get(event.get("type")) != "URL_REQUEST_START_JOB":
            continue
        url = params.get("url", "")
        from_page = "file://" in params.get("network_isolation_key", "") or "file://" in params.get("site_for_cookies", "")
        if from_page and re.match(r"(https?|wss?)://", url):
            urls.add(url)
    return sorted(urls)


def check_page(page, screenshots, results):
    name = os.path.basename(page)
    shot = os.path.join(screenshots, name.replace(".html", ".png"))
    with tempfile.TemporaryDirectory() as profile:
        net_log = os.path.join(profile, "net.json")
        command = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--log-net-log={net_log}", f"--screenshot={shot}",
                   "file://" + os.path.abspath(page)]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=90)
        except subprocess.TimeoutExpired:
            results.append((False, f"{name}: chromium did not finish within 90 s"))
            return
        loaded = run.returncode == 0 and os.path.exists(shot)
        results.append((loaded, f"{name}: loads (exit {run.returncode})"))
        # Chromium writes every console message of the page as `…:CONSOLE:N] "text", source: …`;
        # the pages log nothing, so any message (errors, CSP refusals) is a failure.
        console = [line for line in run.stderr.splitlines()
                   if ":CONSOLE" in line or "Refused to" in line or "Content Security Policy" in line]
        results.append((not console, f"{name}: no console errors" + ("" if not console else ": " + " | ".join(console[:3]))))
        urls = network_urls(net_log)
        results.append((not urls, f"{name}: no network requests" + ("" if not urls else ": " + ", ".join(urls[:5]))))
        if loaded:
            share = share_not_background(shot)
            results.append((share > 0.01, f"{name}: screenshot not blank ({share:.1%} of pixels are not background)"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--screenshots", default=tempfile.mkdtemp(prefix="partnerscope-shots-"))
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    results = []
    for page in args.pages:
        check_page(page, args.screenshots, results)
    for ok, text in results:
        print(("ok   " if ok else "FAIL ") + text)
    failed = sum(1 for ok, _ in results if not ok)
    print(f"screenshots in {args.screenshots}")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
