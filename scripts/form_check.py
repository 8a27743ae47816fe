#!/usr/bin/env python3
"""Real-browser check of the answer form (SPEC §12), through the DevTools protocol.

Makes the form of tests/fixtures/questionnaire/form.yaml, opens form.html from disk in headless
Chromium and fills it in like a person: mouse clicks and the keyboard (typing, Tab, arrow keys,
Space, Enter), every item type, one item left unanswered. It saves, takes the downloaded CSV
and scores it with `report --self-assessment`, and compares the index with the one computed by
hand below. On the form, the printable questionnaire and the self-assessment page it checks
that the page made no network request, logged nothing to the console (CSP refusals included),
and that every control has an accessible name. Standard library only.

The browser is driven over `--remote-debugging-pipe` (file descriptors 3 and 4, messages
separated by NUL bytes), so no WebSocket client is needed.

Usage: form_check.py --binary target/release/partnerscope
Prints one line per check and a closing line `N passed, M failed`; exit code 1 on failure."""

import argparse
import csv
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTRUMENT = os.path.join(ROOT, "tests", "fixtures", "questionnaire", "form.yaml")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--hide-scrollbars", "--window-size=1280,1800",
    "--remote-debugging-pipe",
]
# Controls that need an accessible name (roles of Chromium's accessibility tree).
NAMED_ROLES = {"textbox", "spinbutton", "radio", "checkbox", "button", "combobox", "link",
               "slider", "listbox", "searchbox", "progressbar"}

# The answers the check gives (fixture form.yaml) and, by hand, the scores of SPEC §4:
#   col_meet     freq4 "Monthly", code 4 of 4          100·(4−1)/(4−1)            = 100
#   col_compete  agree5 "Agree", code 4, reverse-keyed 100 − 100·(4−1)/(5−1)      = 25
#   col_goals    left unanswered                        (2 of 3 answered ≥ 0.5)
#   collaboration (weight 2): (100 + 25) / 2                                      = 62.5
#   cap_tasks    multi, recruiting + training, full_at 2  100·min(2, 2)/2         = 100
#   cap_staff    number 3 in 0..4                       100·(3 − 0)/(4 − 0)       = 75
#   cap_bp       boolean yes                                                      = 100
#   cap_owner    choice "Jointly"                       its score                 = 100
#   capability (weight 1): (100 + 75 + 100 + 100) / 4                            = 93.75
#   index: (2·62.5 + 1·93.75) / 3                                                 = 72.916666…
EXPECTED_INDEX = (2 * 62.5 + 1 * 93.75) / 3
EXPECTED_ROW = {
    "org": "Acme & Co, Ltd", "role": "sales_leader", "wave": "2026-05",
    "col_meet": "4", "col_compete": "4", "col_goals": "", "cap_tasks": "recruiting;training",
    "cap_staff": "3", "cap_bp": "yes", "cap_owner": "joint", "turnover_pct": "12.5",
}


class Browser:
    """One headless Chromium, spoken to over the DevTools pipe."""

    def __init__(self, profile):
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def wire():  # in the child: the pipe ends become fds 3 (commands) and 4 (replies)
            read_end, write_end = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:  # the browser may already be gone
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.to_browser)
        os.close(self.from_browser)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if ready:
                chunk = os.read(self.from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, timeout=30, where=lambda params: True):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and where(event.get("params", {})):
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))


class Page:
    """One tab: navigation, script evaluation, mouse and keyboard, and what it logged."""

    def __init__(self, browser, downloads):
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Browser.setDownloadBehavior",
                     {"behavior": "allow", "downloadPath": downloads, "eventsEnabled": True})
        for domain in ("Page", "Runtime", "Network", "Log", "Accessibility"):
            self.send(f"{domain}.enable")

    def send(self, method, params=None):
        return self.browser.call(method, params, session=self.session)

    def open(self, path):
        self.path = path
        self.browser.events.clear()
        self.send("Page.navigate", {"url": "file://" + os.path.abspath(path)})
        self.browser.wait_for("Page.loadEventFired")

    def js(self, expression):
        result = self.send("Runtime.evaluate",
                           {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def click(self, selector):
        """A real mouse click in the middle of the element, scrolled into view first."""
        box = self.js(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            e.scrollIntoView({{block: "center"}});
            const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2];
        }})()""")
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {
                "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def key(self, name, code, key_code, text=None):
        down = {"type": "keyDown" if text else "rawKeyDown", "key": name, "code": code,
                "windowsVirtualKeyCode": key_code}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": name, "code": code,
                                             "windowsVirtualKeyCode": key_code})

    def type(self, text):
        for ch in text:
            self.key(ch, "", ord(ch.upper()) if ch.isalnum() else 0, text=ch)

    def focused(self):
        return self.js("""(() => { const e = document.activeElement;
            return e ? (e.name || e.id || e.tagName) + "=" + (e.value || "") : ""; })()""")

    def console_messages(self):
        out = []
        for event in self.browser.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.consoleAPICalled":
                out.append(" ".join(str(a.get("value", a.get("description", "")))
                                    for a in params.get("args", [])))
            elif event.get("method") == "Runtime.exceptionThrown":
                out.append(params.get("exceptionDetails", {}).get("text", "exception"))
            elif event.get("method") == "Log.entryAdded":
                entry = params.get("entry", {})
                out.append(f"{entry.get('level')}: {entry.get('text')}")
        return out

    def network_requests(self):
        urls = []
        for event in self.browser.events:
            if event.get("method") == "Network.requestWillBeSent":
                url = event["params"]["request"]["url"]
                if not url.startswith(("file:", "data:", "blob:", "about:")):
                    urls.append(url)
        return urls

    def unnamed_controls(self):
        nodes = self.send("Accessibility.getFullAXTree")["nodes"]
        missing = []
        for node in nodes:
            role = node.get("role", {}).get("value")
            if node.get("ignored") or role not in NAMED_ROLES:
                continue
            name = (node.get("name") or {}).get("value", "").strip()
            if not name:
                missing.append(f"{role} #{node.get('backendDOMNodeId')}")
        return missing


def check_page(page, path, results, after=None):
    """Opens a page and checks that it logged nothing, requested nothing and names every
    control; `after` does more on the open page before the logs are read."""
    name = os.path.basename(path)
    page.open(path)
    if after:
        after(page, results)
    # Give late console messages (CSP reports are asynchronous) a moment to arrive.
    page.send("Runtime.evaluate", {"expression": "new Promise(r => setTimeout(r, 300))",
                                   "awaitPromise": True})
    console = page.console_messages()
    results.append((not console, f"{name}: no console messages"
                    + ("" if not console else ": " + " | ".join(console[:3]))))
    urls = page.network_requests()
    results.append((not urls, f"{name}: no network requests"
                    + ("" if not urls else ": " + ", ".join(urls[:5]))))
    missing = page.unnamed_controls()
    results.append((not missing, f"{name}: every control has an accessible name"
                    + ("" if not missing else ": missing on " + ", ".join(missing[:5]))))


def fill_form(page, results):
    """Fills the form as a person would, then saves it."""
    ready = page.js("document.getElementById('answers').dataset.ready")
    results.append((ready == "true", "form.html: its script ran under the page's CSP"))
    # Organization: click into the box and type, then Tab to the role group and pick the
    # second role with the arrow key.
    page.click("#org")
    page.type("Acme & Co, Ltd")
    page.key("Tab", "Tab", 9)
    page.key("ArrowRight", "ArrowRight", 39)
    # Scale: a click on an answer's label; the reverse-keyed one by keyboard: Tab into the
    # group, which selects nothing yet, then arrows from the first answer to the fourth.
    page.click("#q-col_meet label:nth-of-type(4)")
    page.key("Tab", "Tab", 9)
    page.key(" ", "Space", 32, text=" ")
    for _ in range(3):
        page.key("ArrowRight", "ArrowRight", 39)
    # col_goals stays unanswered.
    # Multi: "None of these" first, then two options, which clear it.
    page.click("#q-cap_tasks input[value=none]")
    page.click("#q-cap_tasks input[value=recruiting]")
    page.click("#q-cap_tasks input[value=training]")
    # Number: click and type.
    page.click("#in-cap_staff")
    page.type("3")
    # Boolean by keyboard: focus "Yes" with Tab from the number box, select it with Space.
    page.key("Tab", "Tab", 9)
    page.key(" ", "Space", 32, text=" ")
    # Choice by click.
    page.click("#q-cap_owner input[value=joint]")
    page.click("#in-turnover_pct")
    page.type("12.5")
    progress = page.js("document.getElementById('progress-text').textContent")
    results.append((progress == "7 of 8 questions answered",
                    f"form.html: progress shows `{progress}`"))
    marked = page.js("""Array.from(document.querySelectorAll('fieldset.item.unanswered'))
                        .map(f => f.dataset.item).join(',')""")
    results.append((marked == "col_goals", f"form.html: unanswered items marked: {marked}"))
    # A reload before saving loses nothing: the answers come back from local storage.
    state = """JSON.stringify([document.getElementById('org').value,
                 Array.from(document.querySelectorAll('input:checked')).map(b => b.name + '=' + b.value),
                 Array.from(document.querySelectorAll('input[type=number]')).map(b => b.value)])"""
    before = page.js(state)
    page.open(page.path)
    after = page.js(state)
    restored = page.js("document.getElementById('draft-status').textContent")
    results.append((before == after and "kept in this browser" in restored,
                    f"form.html: a reload before saving keeps every answer ({after})"))
    # Save with the keyboard: focus the button and press Enter.
    page.js("document.getElementById('save').focus()")
    page.key("Enter", "Enter", 13, text="\r")
    done = page.browser.wait_for("Browser.downloadProgress", timeout=30,
                                 where=lambda p: p.get("state") in ("completed", "canceled"))
    results.append((done["params"]["state"] == "completed", "form.html: the download completed"))
    status = page.js("document.getElementById('save-status').textContent")
    results.append(("1 question was left unanswered" in status,
                    "form.html: the save message names the unanswered question"))
    results.append(("no longer kept in this browser" in status,
                    "form.html: the save message says the browser's copy is cleared"))
    kept = page.js("Object.keys(localStorage).filter(k => k.startsWith('partnerscope-answers:')).length")
    results.append((kept == 0, f"form.html: saving clears the answers kept in local storage ({kept} left)"))


def check_open_question(page, binary, work, downloads, results):
    """The bundled instrument's open question (SPEC §16): typed into its text box, saved in
    its column, and shown on the self-assessment page made from the saved file."""
    out = os.path.join(work, "bundled")
    run = subprocess.run([binary, "questionnaire", "--org", "Solo", "--role", "hr", "--wave",
                          "2026-05", "--out", out, "-q"], capture_output=True, text=True)
    results.append((run.returncode == 0, f"bundled questionnaire exits 0 ({run.stderr.strip()})"))
    before = set(os.listdir(downloads))
    page.open(os.path.join(out, "form.html"))
    limit = page.js("document.getElementById('in-one_change').maxLength")
    results.append((limit == 2000, f"form.html: the open question's box takes at most 2000 characters ({limit})"))
    page.click("#in-one_change")
    page.type("More coaching, please")
    progress = page.js("document.getElementById('progress-text').textContent")
    results.append((progress.startswith("1 of "), f"form.html: a comment counts as answered: `{progress}`"))
    page.js("document.getElementById('save').focus()")
    page.key("Enter", "Enter", 13, text="\r")
    page.browser.wait_for("Browser.downloadProgress", timeout=30,
                          where=lambda p: p.get("state") in ("completed", "canceled"))
    saved = sorted(set(os.listdir(downloads)) - before)
    results.append((len(saved) == 1, f"form.html: the bundled form saved one file: {saved}"))
    if not saved:
        return
    with open(os.path.join(downloads, saved[0]), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    comment = rows[0].get("one_change") if len(rows) == 1 else None
    results.append((comment == "More coaching, please", f"saved row holds the comment: {comment!r}"))
    folder = os.path.join(work, "bundled-answers")
    os.makedirs(folder)
    shutil.copy(os.path.join(downloads, saved[0]), folder)
    report = os.path.join(work, "bundled-report")
    run = subprocess.run([binary, "report", "--self-assessment", "--out", report, "-q",
                          os.path.join(folder, saved[0])], capture_output=True, text=True)
    results.append((run.returncode == 0, f"report --self-assessment reads the saved comment ({run.stderr.strip()[-200:]})"))
    pages = sorted(os.listdir(os.path.join(report, "orgs"))) if run.returncode == 0 else []
    html = ""
    if pages:
        with open(os.path.join(report, "orgs", pages[0]), encoding="utf-8") as f:
            html = f.read()
    results.append(("<li>More coaching, please</li>" in html, f"the self-assessment page shows the comment ({pages})"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "partnerscope"))
    parser.add_argument("--keep", help="copy the made files into this folder")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    results = []
    work = tempfile.mkdtemp(prefix="partnerscope-form-")
    try:
        run = subprocess.run([binary, "questionnaire", "--survey", INSTRUMENT, "--wave", "2026-05",
                              "--out", os.path.join(work, "questionnaire"), "-q"],
                             capture_output=True, text=True)
        results.append((run.returncode == 0, f"questionnaire exits 0 ({run.stderr.strip()})"))
        downloads = os.path.join(work, "downloads")
        os.makedirs(downloads)
        browser = Browser(os.path.join(work, "profile"))
        try:
            page = Page(browser, downloads)
            check_page(page, os.path.join(work, "questionnaire", "form.html"), results, fill_form)
            check_page(page, os.path.join(work, "questionnaire", "questionnaire.html"), results)
            saved = sorted(os.listdir(downloads))
            ok = len(saved) == 1 and saved[0].startswith("acme-co-ltd-sales_leader-r-") \
                and len(saved[0]) == len("acme-co-ltd-sales_leader-r-") + 16 + 4
            results.append((ok, f"form.html: saved one file named <org>-<role>-<id>.csv: {saved}"))
            if saved:
                with open(os.path.join(downloads, saved[0]), newline="", encoding="utf-8") as f:
                    rows = list(csv.DictReader(f))
                row = rows[0] if len(rows) == 1 else {}
                same = {k: row.get(k) for k in EXPECTED_ROW} == EXPECTED_ROW
                results.append((same, f"saved row holds the answers given: {row}"))
                rid = row.get("respondent_id", "")
                results.append((rid.startswith("r-") and len(rid) == 18
                                and all(c in "0123456789abcdef" for c in rid[2:]),
                                f"respondent_id is r- and 16 hex digits: {rid}"))
                folder = os.path.join(work, "answers")
                os.makedirs(folder)
                shutil.copy(os.path.join(downloads, saved[0]), folder)
                out = os.path.join(work, "report")
                run = subprocess.run([binary, "report", "--survey", INSTRUMENT, "--self-assessment",
                                      "--out", out, os.path.join(folder, saved[0])],
                                     capture_output=True, text=True)
                results.append((run.returncode == 0 and run.stdout.strip() in (
                                    "read 1 row: scored 1, rejected 0",
                                    "read 1 rows: scored 1, rejected 0"),
                                f"report --self-assessment scores the saved file: {run.stdout.strip()} {run.stderr.strip()[-200:]}"))
                with open(os.path.join(out, "data", "respondent_scores.csv"), newline="") as f:
                    scored = list(csv.DictReader(f))
                index = float(scored[0]["index"]) if scored else float("nan")
                results.append((abs(index - EXPECTED_INDEX) <= 1e-9,
                                f"index {index!r} equals the hand-computed {EXPECTED_INDEX!r}"))
                pages = sorted(os.listdir(os.path.join(out, "orgs")))
                results.append((pages == ["acme-co-ltd.html"], f"one organization page: {pages}"))
                if pages:
                    check_page(page, os.path.join(out, "orgs", pages[0]), results)
            check_open_question(page, binary, work, downloads, results)
            if args.keep:
                shutil.copytree(work, args.keep, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("profile"))
        finally:
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for ok, text in results:
        print(("ok   " if ok else "FAIL ") + text)
    failed = sum(1 for ok, _ in results if not ok)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
