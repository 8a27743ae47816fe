#!/usr/bin/env python3
"""Real-browser check of report pages: loads each page from disk in headless Chromium, driven
over the DevTools protocol (--remote-debugging-pipe: commands on the browser's fd 3, replies
on fd 4, NUL-separated JSON), and checks, for each page:

- it loads, and the console shows no error or warning (CSP refusals included);
- no request leaves the machine (http, https, ws, wss);
- no <text> of any SVG lies outside its SVG's viewBox (getBBox, mapped to the viewBox);
- no horizontal overflow of the page at 1280 px and at 390 px wide;
- axe-core (Deque's accessibility engine, npm package `axe-core`) finds no violation;
- the screenshot is not blank;
- no table box hides a column at 1280 px, and every SVG text is drawn at 10 CSS px or more
  at 390 px;
- a name in a chart legend (a role, the organization) has the same colour in every chart;
- printed (Page.printToPDF, A4 and Letter), for every page given with --print-limit (the
  organization pages): nothing is wider than the printable area, the page count is at most
  --max-pages, and the text is at full scale (median word height by `pdftotext -bbox` of
  9 pt or more; poppler-utils).

Standard library only, plus axe-core, which is installed with npm into a cache folder when
missing. Screenshots (1280 and 390 px) and the A4 PDFs are kept in --screenshots for a look.

Usage: browser_check.py PAGE.html [PAGE.html ...] --screenshots DIR [--print-limit PAGE ...]
Prints one line per check and a closing line `N passed, M failed`; exit code 1 on failure."""

import argparse
import base64
import json
import os
import queue
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter

CHROMIUM_FLAGS = [
    "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
    "--remote-debugging-pipe",
]
AXE_VERSION = "4"
PAPERS = {"A4": (210 / 25.4, 297 / 25.4), "Letter": (8.5, 11.0)}
TIMEOUT = 60


def find_browser():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def axe_source():
    """axe.min.js from the cache folder, installed there with npm when missing."""
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                         "partnerscope", "axe-core")
    script = os.path.join(cache, "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(script):
        os.makedirs(cache, exist_ok=True)
        subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", cache,
                        f"axe-core@{AXE_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    with open(script, encoding="utf-8") as f:
        return f.read()


class Browser:
    """One headless browser over its DevTools pipe."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="partnerscope-check-")
        flags = CHROMIUM_FLAGS + [f"--user-data-dir={self.profile}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        # The shell moves our pipes onto the browser's fd 3 (commands) and fd 4 (replies).
        self.process = subprocess.Popen(
            ["/bin/sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', executable, *flags],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages = queue.Queue()
        self.events = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        while True:
            chunk = self.process.stdout.read1(1 << 16)
            if not chunk:
                self.messages.put(None)
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self.messages.put(json.loads(message))

    def _next(self, deadline):
        try:
            message = self.messages.get(timeout=max(0.0, deadline - time.time()))
        except queue.Empty:
            raise RuntimeError("the browser did not answer in time")
        if message is None:
            raise RuntimeError("the browser stopped")
        return message

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        deadline = time.time() + TIMEOUT
        while True:
            reply = self._next(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, session):
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                del self.events[i]
                return
        deadline = time.time() + TIMEOUT
        while True:
            event = self._next(deadline)
            if event.get("method") == method and event.get("sessionId") == session:
                return
            self.events.append(event)

    def drain(self, seconds):
        """Collects the events that arrive within `seconds`."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                message = self.messages.get(timeout=max(0.0, deadline - time.time()))
            except queue.Empty:
                return
            if message is None:
                return
            self.events.append(message)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:  # the browser may already be gone
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


SVG_CHECK = r"""
(() => {
  const out = [];
  document.querySelectorAll("svg[viewBox]").forEach((svg, s) => {
    const [vx, vy, vw, vh] = svg.getAttribute("viewBox").trim().split(/[\s,]+/).map(Number);
    const toSvg = svg.getScreenCTM().inverse();
    svg.querySelectorAll("text").forEach((t) => {
      const b = t.getBBox();
      if (b.width === 0 && b.height === 0) { return; }
      const m = toSvg.multiply(t.getScreenCTM());
      const xs = [], ys = [];
      for (const [x, y] of [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]) {
        const p = new DOMPoint(x, y).matrixTransform(m);
        xs.push(p.x); ys.push(p.y);
      }
      const tol = 0.5;
      if (Math.min(...xs) < vx - tol || Math.max(...xs) > vx + vw + tol ||
          Math.min(...ys) < vy - tol || Math.max(...ys) > vy + vh + tol) {
        const id = svg.getAttribute("aria-labelledby") || ("svg " + s);
        out.push(id + ": \"" + t.textContent.trim().slice(0, 40) + "\" at x " +
                 Math.min(...xs).toFixed(0) + "–" + Math.max(...xs).toFixed(0) + ", y " +
                 Math.min(...ys).toFixed(0) + "–" + Math.max(...ys).toFixed(0) +
                 " outside 0 0 " + vw + " " + vh);
      }
    });
  });
  return out;
})()
"""

OVERFLOW_CHECK = r"""
(() => {
  const width = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  const wide = [];
  if (scroll > width) {
    document.querySelectorAll("body *").forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && !el.closest(".scroll") && wide.length < 3) {
        wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && el.className.baseVal === undefined ? "." + el.className : "") + " to " + Math.round(r.right) + " px");
      }
    });
  }
  return {width, scroll, wide};
})()
"""


# Every table box that scrolls sideways at this width: a column hidden at 1280 px is a fault.
HIDDEN_COLUMNS = r"""
(() => Array.from(document.querySelectorAll(".scroll")).filter((box) =>
  box.offsetParent !== null && box.scrollWidth > box.clientWidth + 1).map((box) =>
  (box.getAttribute("aria-label") || box.className).slice(0, 60) + " (" + box.scrollWidth + " px in " + box.clientWidth + ")"))()
"""

# SVG text smaller than 10 CSS px as drawn (font size in user units times the chart's scale).
SMALL_TEXT = r"""
(() => {
  const out = [];
  document.querySelectorAll("svg text").forEach((t) => {
    if (!t.textContent.trim() || t.getClientRects().length === 0) { return; }
    const m = t.getScreenCTM();
    const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    if (px < 9.95 && out.length < 4) {
      const svg = t.closest("svg");
      out.push((svg.getAttribute("aria-labelledby") || "svg") + ": \"" + t.textContent.trim().slice(0, 30) + "\" at " + px.toFixed(1) + " px");
    }
  });
  return out;
})()
"""

# Legend colours: a text with a mark just left of it on its line names what the mark stands
# for; the same name (a role, the organization) must have the same colour in every chart of
# the page. Item charts are left out: their colours mean weak to strong answers, so a
# reverse-worded item's legend gives "Strongly agree" the weak colour on purpose.
LEGEND_COLOURS = r"""
(() => {
  const seen = {};
  document.querySelectorAll("svg").forEach((svg) => {
    if (svg.closest(".item-section")) { return; }
    const marks = Array.from(svg.querySelectorAll("circle, rect, polygon")).map((el) => {
      const b = el.getBBox();
      return {b, fill: el.getAttribute("fill") || el.getAttribute("stroke")};
    }).filter((m) => m.fill && m.fill !== "none" && m.b.width > 0 && m.b.width < 30 && m.b.height < 30);
    svg.querySelectorAll("text").forEach((t) => {
      const name = t.textContent.trim();
      if (!/[A-Za-z]{3}/.test(name)) { return; }
      const b = t.getBBox();
      const cy = b.y + b.height / 2;
      const mark = marks.find((m) => b.x - (m.b.x + m.b.width) >= 0 && b.x - (m.b.x + m.b.width) <= 24 &&
                                     Math.abs(m.b.y + m.b.height / 2 - cy) <= 4);
      if (mark) { (seen[name] = seen[name] || new Set()).add(mark.fill.toLowerCase()); }
    });
  });
  return Object.entries(seen).filter(([, c]) => c.size > 1).map(([n, c]) => n + ": " + Array.from(c).join(", "));
})()
"""

# Printed layout: nothing wider than the printable area (Chromium would shrink the page).
PRINT_WIDTH = r"""
(() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  document.querySelectorAll("body *").forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && wide.length < 3) {
      wide.push(el.tagName.toLowerCase() + (typeof el.className === "string" && el.className ? "." + el.className : "") + " to " + Math.round(r.right) + " px");
    }
  });
  return {width, scroll: document.documentElement.scrollWidth, wide};
})()
"""

# The portfolio's unit filters: choosing a unit keeps exactly the rows that name it among their
# shown units (and at least one); "All" shows every row again. Returns the mismatches.
UNIT_FILTER = r"""
(() => {
  const out = [];
  const rows = Array.from(document.querySelectorAll("#orgs tbody tr"));
  document.querySelectorAll("select.filter-unit").forEach((select) => {
    const key = "data-units" + select.getAttribute("data-breakdown");
    Array.from(select.options).forEach((option) => {
      select.value = option.value;
      select.dispatchEvent(new Event("change"));
      const shown = rows.filter((r) => !r.hidden).length;
      const named = option.value ? rows.filter((r) => (r.getAttribute(key) || "").split(" ").includes(option.value)).length : rows.length;
      if (shown !== named || shown === 0) { out.push(option.textContent + ": " + shown + " rows shown, " + named + " name it"); }
    });
    select.value = "";
    select.dispatchEvent(new Event("change"));
  });
  return {filters: document.querySelectorAll("select.filter-unit").length, out};
})()
"""

# Printed chart text: per kind of chart (its id without the page prefix and numbers), the
# smallest text drawn, in pt (1 CSS px is 0.75 pt on paper), under print media at the
# printable width. Charts hidden on paper are left out.
PRINT_CHART_TEXT = r"""
(() => {
  const kinds = {};
  document.querySelectorAll("svg[aria-labelledby]").forEach((svg) => {
    if (svg.getClientRects().length === 0) { return; }
    const kind = svg.getAttribute("aria-labelledby").replace(/-title$/, "").replace(/^c-/, "").replace(/[\d-]+/g, "");
    svg.querySelectorAll("text").forEach((t) => {
      if (!t.textContent.trim() || t.getClientRects().length === 0) { return; }
      const m = t.getScreenCTM();
      const pt = 0.75 * parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (!(kind in kinds) || pt < kinds[kind].pt) { kinds[kind] = {pt, text: t.textContent.trim().slice(0, 30)}; }
    });
  });
  return kinds;
})()
"""

# Printable width in CSS px of each paper with the pages' @page margins (11 mm left and right).
PRINTABLE_PX = {paper: round((w * 25.4 - 22) / 25.4 * 96) for paper, (w, _) in PAPERS.items()}


def pdf_word_height(pdf):
    """Median height in pt of the words of a PDF (pdftotext -bbox, poppler-utils), or None
    when pdftotext is not installed."""
    tool = shutil.which("pdftotext")
    if not tool:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run([tool, "-bbox", f.name, "-"], capture_output=True, text=True, check=True).stdout
    heights = sorted(float(m.group(2)) - float(m.group(1)) for m in
                     re.finditer(r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', out))
    if not heights:
        return 0.0
    mid = len(heights) // 2
    return heights[mid] if len(heights) % 2 else (heights[mid - 1] + heights[mid]) / 2


def evaluate(browser, session, expression, await_promise=False):
    result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": await_promise}, session)
    if "exceptionDetails" in result:
        raise RuntimeError(result["exceptionDetails"].get("exception", {}).get("description", "script failed"))
    return result["result"].get("value")


def read_png(data):
    """Decodes an 8-bit RGB/RGBA PNG into (width, height, rows, channels)."""
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


def share_not_background(png):
    """Share of sampled pixels that differ noticeably from the most common colour."""
    width, height, rows, channels = read_png(png)
    samples = []
    for y in range(0, height, 4):
        row = rows[y]
        for x in range(0, width, 4):
            samples.append(tuple(row[x * channels:x * channels + 3]))
    background = Counter(samples).most_common(1)[0][0]
    differ = sum(1 for p in samples if sum(abs(a - b) for a, b in zip(p, background)) > 30)
    return differ / max(len(samples), 1)


def pdf_pages(pdf):
    """Number of pages of a PDF as Chromium writes it (one `/Type /Page` object per page)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def check_page(browser, page, axe, args, results):
    name = os.path.relpath(page, args.root) if args.root else os.path.basename(page)
    shot = os.path.join(args.screenshots, name.replace(os.sep, "_").replace(".html", ""))
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", {}, session)
        url = "file://" + os.path.abspath(page)
        for width in (1280, 390):
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}, session)
            browser.events.clear()
            browser.call("Page.navigate", {"url": url}, session)
            browser.wait_for("Page.loadEventFired", session)
            browser.drain(0.3)
            mine = [e for e in browser.events if e.get("sessionId") == session]
            if width == 1280:
                results.append((True, f"{name}: loads"))
                console = []
                for e in mine:
                    m, p = e.get("method"), e.get("params", {})
                    if m == "Runtime.consoleAPICalled":
                        console.append(p.get("type", "") + ": " + " ".join(str(a.get("value", "")) for a in p.get("args", [])))
                    elif m == "Runtime.exceptionThrown":
                        console.append("exception: " + p.get("exceptionDetails", {}).get("text", ""))
                    elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                        console.append(p["entry"].get("text", ""))
                results.append((not console, f"{name}: no console errors or warnings" + ("" if not console else ": " + " | ".join(console[:3]))))
                urls = sorted({e["params"]["request"]["url"] for e in mine if e.get("method") == "Network.requestWillBeSent"
                               and re.match(r"(https?|wss?)://", e["params"]["request"]["url"])})
                results.append((not urls, f"{name}: no network requests" + ("" if not urls else ": " + ", ".join(urls[:5]))))
                outside = evaluate(browser, session, SVG_CHECK)
                results.append((not outside, f"{name}: every SVG text inside its viewBox" + ("" if not outside else f" ({len(outside)} outside: " + "; ".join(outside[:4]) + ")")))
                evaluate(browser, session, axe)
                violations = evaluate(browser, session, """
                    axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v =>
                      v.id + " (" + v.impact + ", " + v.nodes.length + "×): " + v.nodes[0].target.join(" ")))""", True)
                results.append((not violations, f"{name}: axe-core finds no violation" + ("" if not violations else ": " + "; ".join(violations[:5]))))
            if width == 1280:
                hidden = evaluate(browser, session, HIDDEN_COLUMNS)
                results.append((not hidden, f"{name}: no table hides a column at 1280 px" + ("" if not hidden else ": " + "; ".join(hidden[:3]))))
                units = evaluate(browser, session, UNIT_FILTER)
                if units["filters"]:
                    results.append((not units["out"], f"{name}: each unit filter keeps the organizations that show the unit" + ("" if not units["out"] else ": " + "; ".join(units["out"][:3]))))
                mixed = evaluate(browser, session, LEGEND_COLOURS)
                results.append((not mixed, f"{name}: one colour per role and for the organization in every chart" + ("" if not mixed else ": " + "; ".join(mixed[:3]))))
            else:
                small = evaluate(browser, session, SMALL_TEXT)
                results.append((not small, f"{name}: chart text at least 10 px at {width} px" + ("" if not small else ": " + "; ".join(small))))
            layout = evaluate(browser, session, OVERFLOW_CHECK)
            fits = layout["scroll"] <= layout["width"]
            results.append((fits, f"{name}: no horizontal overflow at {width} px" + ("" if fits else f" (page {layout['scroll']} px wide: " + ", ".join(layout["wide"]) + ")")))
            metrics = browser.call("Page.getLayoutMetrics", {}, session)
            height = min(int(metrics["cssContentSize"]["height"]), 16000)
            png = base64.b64decode(browser.call("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}, session)["data"])
            with open(f"{shot}-{width}.png", "wb") as f:
                f.write(png)
            if width == 1280:
                share = share_not_background(png)
                results.append((share > 0.01, f"{name}: screenshot not blank ({share:.1%} of pixels are not background)"))
        limited = os.path.abspath(page) in args.print_limit
        browser.call("Emulation.setEmulatedMedia", {"media": "print"}, session)
        for paper, printable in PRINTABLE_PX.items():
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": printable, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session)
            fit = evaluate(browser, session, PRINT_WIDTH)
            if limited and args.chart_text:
                kinds = evaluate(browser, session, PRINT_CHART_TEXT)
                small = [f"{k} \"{v['text']}\" {v['pt']:.2f} pt" for k, v in sorted(kinds.items()) if v["pt"] < args.chart_text]
                sizes = ", ".join(f"{k} {v['pt']:.2f}" for k, v in sorted(kinds.items()))
                results.append((not small, f"{name}: printed chart text at least {args.chart_text} pt on {paper} (smallest per chart: {sizes})" + ("" if not small else ": " + "; ".join(small))))
            ok = fit["scroll"] <= fit["width"] or not limited
            results.append((ok, f"{name}: nothing wider than the printed {paper} page ({fit['width']} px)" + ("" if fit["scroll"] <= fit["width"] else f": {', '.join(fit['wide'])}")))
        browser.call("Emulation.setEmulatedMedia", {"media": ""}, session)
        browser.call("Emulation.clearDeviceMetricsOverride", {}, session)
        counts = {}
        for paper, (w, h) in PAPERS.items():
            pdf = base64.b64decode(browser.call("Page.printToPDF", {
                "printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False,
                "paperWidth": w, "paperHeight": h}, session)["data"])
            counts[paper] = pdf_pages(pdf)
            if limited:
                height = pdf_word_height(pdf)
                if height is None:
                    results.append((False, f"{name}: pdftotext (poppler-utils) is needed to measure the printed text"))
                else:
                    results.append((height >= 9.0, f"{name}: printed at full scale on {paper} (median word height {height:.2f} pt, at least 9)"))
            with open(f"{shot}.pdf" if paper == "A4" else f"{shot}-{paper}.pdf", "wb") as f:
                f.write(pdf)
        # Comments (SPEC §16) are free text of any length: a page listing them may take one more.
        with open(page, encoding="utf-8") as f:
            most = args.max_pages + (1 if '<ul class="comment-list">' in f.read() else 0)
        ok = not limited or all(n <= most for n in counts.values())
        text = ", ".join(f"{n} on {p}" for p, n in counts.items())
        results.append((ok, f"{name}: prints in {text}" + (f" (at most {most})" if limited else "")))
    except Exception as error:  # a page that breaks the check is a failure, not a crash
        results.append((False, f"{name}: {error}"))
    finally:
        browser.call("Target.closeTarget", {"targetId": target})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--screenshots", default=tempfile.mkdtemp(prefix="partnerscope-shots-"))
    parser.add_argument("--print-limit", nargs="*", default=[], help="pages that must print within --max-pages")
    parser.add_argument("--max-pages", type=int, default=8)
    parser.add_argument("--chart-text", type=float, default=0.0,
                        help="smallest printed chart text in pt on the --print-limit pages (0: not checked)")
    parser.add_argument("--root", help="names are shown relative to this folder")
    args = parser.parse_args()
    args.print_limit = {os.path.abspath(p) for p in args.print_limit}
    os.makedirs(args.screenshots, exist_ok=True)
    executable = find_browser()
    if not executable:
        print("FAIL no Chromium or Chrome on PATH (Debian: apt-get install chromium)")
        print("0 passed, 1 failed")
        return 1
    axe = axe_source()
    results = []
    browser = Browser(executable)
    try:
        for page in args.pages:
            check_page(browser, page, axe, args, results)
    finally:
        browser.close()
    for ok, text in results:
        print(("ok   " if ok else "FAIL ") + text)
    failed = sum(1 for ok, _ in results if not ok)
    print(f"screenshots and PDFs in {args.screenshots}")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
