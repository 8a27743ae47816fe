#!/usr/bin/env python3
"""Real-browser check of conditional questions (SPEC §16) in the answer form.

Makes the form of tests/fixtures/conditions/conditional.yaml, opens it in headless Chromium
(driven as scripts/form_check.py drives it) and answers along a conditional path with mouse
clicks and typing: questions appear when their condition starts to hold, disappear (with their
answer cleared) when it stops, and progress counts only the questions shown. It saves, and
compares the saved row with partnerscope's own evaluation of the same conditions:

- every cell the form left empty because it hid the question is, for `partnerscope validate`,
  a question not asked: a value put into that cell alone is warned about as an answer to a
  question not asked; a value put into an empty cell of a shown question is not;
- the saved row scores, with `partnerscope score`, to the dimension scores and index worked
  out by hand below, with no warning.

Then the same for open questions with `show_if`, on tests/fixtures/conditions/followups.yaml:
a comment box appears and disappears with its condition, loses what was typed when hidden, and
the saved row reads back without a warning; text put into the hidden comment's cell is warned.

Usage: conditions_check.py --binary target/release/partnerscope
Prints one line per check and a closing line `N passed, M failed`; exit code 1 on failure."""

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from form_check import Browser, Page, check_page  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTRUMENT = os.path.join(ROOT, "tests", "fixtures", "conditions", "conditional.yaml")
FOLLOWUPS = os.path.join(ROOT, "tests", "fixtures", "conditions", "followups.yaml")

# The path taken (a sales representative), and by hand the scores of SPEC §4 and §16:
#   hrbp_named yes 100; hrbp_meet (asked: named) Weekly 100; hrbp_count 1 of 0..4 = 25
#   resources: (100 + 100 + 25) / 3                                        = 75
#   quota_clarity (sales roles) Agree 75; territory (reps) left unanswered
#   sales_view (weight 2): 75 (1 of 2 asked answered ≥ min_answered 0.5)
#   tasks recruiting + training, full_at 3: 66.666…; training_quality (asked: training)
#   Strongly agree 100; owner and coaching were answered while hrbp_count was 3, then hidden
#   and cleared when it became 1 (owner needs 2 staff, coaching an owner answered `joint`)
#   practice: (66.666… + 100) / 2                                          = 83.333…
#   index: (75 + 2·75 + 83.333…) / 4                                       = 77.083…
#   turnover_pct (asked: at most 3 staff) 15
EXPECTED_ROW = {
    "org": "Acme", "role": "sales_rep", "wave": "2026",
    "hrbp_named": "yes", "hrbp_meet": "5", "hrbp_count": "1", "quota_clarity": "4",
    "territory": "", "tasks": "recruiting;training", "training_quality": "5",
    "owner": "", "coaching": "", "turnover_pct": "15",
}
EXPECTED_SCORES = {
    "resources": 75.0, "sales_view": 75.0, "practice": (200 / 3 + 100) / 2,
    "index": (75 + 150 + (200 / 3 + 100) / 2) / 4,
}
# A valid answer per question, put into an empty cell to ask partnerscope whether it was asked.
PROBE = {
    "hrbp_named": "yes", "hrbp_meet": "1", "hrbp_count": "0", "quota_clarity": "1",
    "territory": "1", "tasks": "recruiting", "training_quality": "1", "owner": "joint",
    "coaching": "yes", "turnover_pct": "1",
}


def hidden(page):
    return page.js("""Array.from(document.querySelectorAll('fieldset.item'))
        .filter(f => f.hidden).map(f => f.dataset.item).join(',')""")


def progress(page):
    return page.js("document.getElementById('progress-text').textContent")


def fill(page, results):
    """Answers along the conditional path, checking what is shown at each step."""
    ready = page.js("document.getElementById('answers').dataset.ready")
    results.append((ready == "true", "form.html: its script ran under the page's CSP"))
    first = hidden(page)
    # No role chosen and nothing answered: owner is asked (hrbp_named is not answered).
    results.append((first == "hrbp_meet,quota_clarity,territory,training_quality,coaching,turnover_pct",
                    f"form.html: questions hidden at first: {first}"))
    results.append((progress(page) == "0 of 4 questions answered",
                    f"form.html: progress counts the shown questions: {progress(page)}"))
    page.click("#org")
    page.type("Acme")
    page.click("input[name=role][value=sales_rep]")
    after_role = hidden(page)
    results.append(("quota_clarity" not in after_role and "territory" not in after_role,
                    f"form.html: the role shows the sales questions (hidden: {after_role})"))
    page.click("#q-hrbp_named input[value=yes]")
    page.click("#q-hrbp_meet input[value='5']")
    # Back to "no": hrbp_meet disappears and loses its answer; "yes" again shows it empty.
    page.click("#q-hrbp_named input[value=no]")
    gone = hidden(page)
    page.click("#q-hrbp_named input[value=yes]")
    cleared = page.js("document.querySelectorAll('#q-hrbp_meet input:checked').length")
    results.append(("hrbp_meet" in gone and cleared == 0,
                    f"form.html: a question that becomes hidden loses its answer (hidden: {gone}; "
                    f"checked after showing again: {cleared})"))
    page.click("#q-hrbp_meet input[value='5']")
    page.click("#in-hrbp_count")
    page.type("3")
    page.click("#q-quota_clarity input[value='4']")
    page.click("#q-tasks input[value=recruiting]")
    page.click("#q-tasks input[value=training]")
    page.click("#q-training_quality input[value='4']")
    page.click("#q-owner input[value=joint]")
    shown = hidden(page)
    results.append((shown == "", f"form.html: every question shown on this path (hidden: {shown})"))
    page.click("#q-coaching input[value=yes]")
    # Untick training: training_quality hides, and with it coaching (which needs its rating).
    page.click("#q-tasks input[value=training]")
    chained = hidden(page)
    page.click("#q-tasks input[value=training]")
    again = hidden(page)
    results.append((chained == "training_quality,coaching" and again == "coaching",
                    f"form.html: hiding a question hides what depends on it ({chained}; "
                    f"shown again, its answer cleared: {again})"))
    page.click("#q-training_quality input[value='5']")
    page.click("#q-coaching input[value=no]")
    page.click("#in-turnover_pct")
    page.type("15")
    results.append((progress(page) == "9 of 10 questions answered",
                    f"form.html: progress over the shown questions: {progress(page)}"))
    # One HR person for Sales instead of three: owner and coaching are no longer asked.
    page.click("#in-hrbp_count")
    page.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "End", "code": "End",
                                         "windowsVirtualKeyCode": 35, "commands": ["moveToEndOfLine"]})
    page.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Backspace", "code": "Backspace",
                                         "windowsVirtualKeyCode": 8, "commands": ["deleteBackward"]})
    page.type("1")
    page.click("#q-territory legend")  # leaving the box enters the number
    late = hidden(page)
    results.append((late == "owner,coaching" and progress(page) == "7 of 8 questions answered",
                    f"form.html: a changed number hides the questions that needed it ({late}; "
                    f"{progress(page)})"))
    page.js("document.getElementById('save').focus()")
    page.key("Enter", "Enter", 13, text="\r")
    done = page.browser.wait_for("Browser.downloadProgress", timeout=30,
                                 where=lambda p: p.get("state") in ("completed", "canceled"))
    results.append((done["params"]["state"] == "completed", "form.html: the download completed"))
    status = page.js("document.getElementById('save-status').textContent")
    results.append(("1 question was left unanswered" in status,
                    f"form.html: the save message counts only shown questions: {status[:160]}"))


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True)


def compare_with_partnerscope(binary, work, saved, form_hidden, results):
    with open(saved, newline="", encoding="utf-8") as f:
        text = f.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    row = rows[0] if len(rows) == 1 else {}
    same = {k: row.get(k) for k in EXPECTED_ROW} == EXPECTED_ROW
    results.append((same, f"saved row holds the answers along the path: {row}"))
    header = list(rows[0].keys()) if rows else []
    out = os.path.join(work, "scored")
    scored = run(binary, "score", "--survey", INSTRUMENT, saved, "--out", out)
    results.append((scored.returncode == 0 and "not asked" not in scored.stderr,
                    f"score reads the saved row without a warning: {scored.stdout.strip()} {scored.stderr.strip()[:200]}"))
    with open(os.path.join(out, "respondent_scores.csv"), newline="") as f:
        scores = list(csv.DictReader(f))
    for column, expected in EXPECTED_SCORES.items():
        value = float(scores[0][column]) if scores and scores[0][column] else float("nan")
        results.append((abs(value - expected) <= 1e-9,
                        f"{column} {value!r} equals the hand-computed {expected!r}"))
    # Each empty cell: partnerscope calls it not asked exactly when the form hid it.
    for item in [k for k in header if k in PROBE and row.get(k) == ""]:
        probe = dict(row)
        probe[item] = PROBE[item]
        path = os.path.join(work, f"probe-{item}.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerow(probe)
        checked = run(binary, "validate", "--survey", INSTRUMENT, path, "--strict")
        not_asked = f"item `{item}`: 1 answer given where the question is not asked" in checked.stderr
        shown_in_form = item not in form_hidden
        results.append((not_asked != shown_in_form and checked.returncode == (0 if shown_in_form else 2),
                        f"`{item}`: {'shown' if shown_in_form else 'hidden'} in the form, "
                        f"{'not asked' if not_asked else 'asked'} for partnerscope"))


def box(page, comment):
    return page.js(f"document.getElementById('in-{comment}').value")


def check_open_questions(page, binary, work, downloads, results):
    """Open questions asked only under a condition: `partner_wish` when a named HR partner
    serves Sales, `rep_wish` for sales representatives who rate HR's explanations at most
    `Neither`; `anything` always."""
    out = os.path.join(work, "followups")
    made = run(binary, "questionnaire", "--survey", FOLLOWUPS, "--wave", "2026", "--out", out, "-q")
    results.append((made.returncode == 0, f"followups questionnaire exits 0 ({made.stderr.strip()})"))
    before = set(os.listdir(downloads))
    page.open(os.path.join(out, "form.html"))
    first = hidden(page)
    results.append((first == "partner_help,partner_meetings,partner_wish,rep_wish",
                    f"followups form: questions hidden at first: {first}"))
    page.click("#org")
    page.type("Acme")
    page.click("input[name=role][value=sales_rep]")
    page.click("#q-clarity input[value='3']")
    page.click("#q-partner input[value=yes]")
    shown = hidden(page)
    results.append((shown == "", f"followups form: both comment boxes shown (hidden: {shown})"))
    page.click("#in-partner_wish")
    page.type("More coaching")
    page.click("#q-partner input[value=no]")
    gone = hidden(page)
    page.click("#q-partner input[value=yes]")
    results.append(("partner_wish" in gone and box(page, "partner_wish") == "",
                    f"followups form: a comment box that becomes hidden loses its text (hidden: {gone}; "
                    f"text when shown again: {box(page, 'partner_wish')!r})"))
    page.click("#in-partner_wish")
    page.type("Visit the field")
    page.click("#in-rep_wish")
    page.type("Leads")
    page.click("#q-clarity input[value='4']")
    late = hidden(page)
    results.append((late == "rep_wish" and box(page, "rep_wish") == "",
                    f"followups form: a better rating hides and clears `rep_wish` (hidden: {late})"))
    page.js("document.getElementById('save').focus()")
    page.key("Enter", "Enter", 13, text="\r")
    page.browser.wait_for("Browser.downloadProgress", timeout=30,
                          where=lambda p: p.get("state") in ("completed", "canceled"))
    saved = sorted(set(os.listdir(downloads)) - before)
    results.append((len(saved) == 1, f"followups form: saved one file: {saved}"))
    if not saved:
        return
    path = os.path.join(downloads, saved[0])
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = rows[0] if len(rows) == 1 else {}
    wanted = {"partner": "yes", "clarity": "4", "partner_wish": "Visit the field",
              "rep_wish": "", "anything": ""}
    results.append(({k: row.get(k) for k in wanted} == wanted,
                    f"followups form: the saved row holds the shown comment only: {row}"))
    checked = run(binary, "validate", "--survey", FOLLOWUPS, path, "--strict")
    results.append((checked.returncode == 0,
                    f"validate --strict reads the saved row ({checked.stderr.strip()[:200]})"))
    probe = dict(row)
    probe["rep_wish"] = "Leads"
    probe_path = os.path.join(work, "probe-rep_wish.csv")
    with open(probe_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerow(probe)
    checked = run(binary, "validate", "--survey", FOLLOWUPS, probe_path, "--strict")
    warned = "comment `rep_wish`: 1 answer given where the question is not asked" in checked.stderr
    results.append((warned and checked.returncode == 2,
                    "`rep_wish`: hidden in the form, not asked for partnerscope"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "partnerscope"))
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    results = []
    work = tempfile.mkdtemp(prefix="partnerscope-conditions-")
    try:
        made = run(binary, "questionnaire", "--survey", INSTRUMENT, "--wave", "2026",
                   "--out", os.path.join(work, "questionnaire"), "-q")
        results.append((made.returncode == 0, f"questionnaire exits 0 ({made.stderr.strip()})"))
        downloads = os.path.join(work, "downloads")
        os.makedirs(downloads)
        browser = Browser(os.path.join(work, "profile"))
        try:
            page = Page(browser, downloads)
            check_page(page, os.path.join(work, "questionnaire", "form.html"), results, fill)
            form_hidden = set(filter(None, hidden(page).split(",")))
            check_page(page, os.path.join(work, "questionnaire", "questionnaire.html"), results)
            saved = sorted(os.listdir(downloads))
            check_open_questions(page, binary, work, downloads, results)
        finally:
            browser.close()
        results.append((len(saved) == 1, f"form.html: saved one file: {saved}"))
        if saved:
            compare_with_partnerscope(binary, work, os.path.join(downloads, saved[0]),
                                      form_hidden, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for ok, text in results:
        print(("ok   " if ok else "FAIL ") + text)
    failed = sum(1 for ok, _ in results if not ok)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
