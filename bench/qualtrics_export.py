#!/usr/bin/env python3
"""Rewrites a canonical response CSV (SPEC §3) as a Qualtrics-style export of the same answers:
three header rows (export tags, question texts, {"ImportId":…}), Qualtrics' metadata columns,
answers as choice text, multiple answers joined by a bare comma, UTF-8 with BOM, CRLF.
Also writes the profile that reads it. Used by bench/sources.sh.

Usage: python3 bench/qualtrics_export.py INSTRUMENT.yaml CANONICAL.csv OUT.csv OUT.profile.yaml
Standard library only: the instrument is read with a tiny reader of the bundled file's layout,
so the script needs no YAML package (it reads ids, texts, scale labels, option labels, roles).
"""
import csv
import re
import sys


def read_instrument(path):
    """Item ids/texts/kinds, scale labels, choice option labels and role labels, from the
    flow-style lines the bundled instrument uses."""
    text = open(path, encoding="utf-8").read()
    scales, roles, items, choices = {}, {}, {}, {}
    for name, labels in re.findall(r"^  (\w+):\n    labels: \[([^\]]*)\]", text, re.M):
        scales[name] = [l.strip() for l in labels.split(",")]
    for rid, label in re.findall(r"\{ id: (\w+), label: ([^}]+) \}", text.split("perception_gaps")[0]):
        roles[rid] = label.strip()
    for iid, body in re.findall(r"\{ id: (\w+), text: \"([^\"]*)\"", text):
        items[iid] = body
    for iid, body in re.findall(r"- id: (\w+)\n\s+text: ([^\n]+)", text):
        items[iid] = body.strip()
    for oid, label in re.findall(r"\{ id: (\w+), label: (\"[^\"]*\"|[^,]+), score:", text):
        choices[oid] = label.strip().strip('"')
    return scales, roles, items, choices


def main():
    instrument, canonical, out, profile = sys.argv[1:5]
    scales, roles, texts, choices = read_instrument(instrument)
    item_scale = dict(re.findall(r"\{ id: (\w+), text: \"[^\"]*\", scale: (\w+)", open(instrument, encoding="utf-8").read()))
    with open(canonical, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        items = header[4:]
        meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
                "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
                "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
                "DistributionChannel", "UserLanguage"]
        tags = [f"Q{i + 2}" for i in range(len(items))]
        with open(out, "w", newline="", encoding="utf-8-sig") as o:
            w = csv.writer(o, lineterminator="\r\n")
            w.writerow(meta + ["Q1"] + tags + ["client", "wave"])
            w.writerow(["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                        "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                        "Recipient Last Name", "Recipient First Name", "Recipient Email",
                        "External Data Reference", "Location Latitude", "Location Longitude",
                        "Distribution Channel", "User Language",
                        "Which side of the partnership do you work on?"]
                       + [texts.get(i, i) for i in items] + ["client", "wave"])
            w.writerow([f'{{"ImportId":"{m}"}}' for m in meta] + ['{"ImportId":"QID1"}']
                       + [f'{{"ImportId":"QID{i + 2}"}}' for i in range(len(items))]
                       + ['{"ImportId":"client"}', '{"ImportId":"wave"}'])
            for n, row in enumerate(reader):
                rid, org, role, wave = row[:4]
                answers = []
                for item, cell in zip(items, row[4:]):
                    scale = item_scale.get(item)
                    if cell == "":
                        answers.append("")
                    elif scale and cell.isdigit():
                        answers.append(scales[scale][int(cell) - 1])
                    elif ";" in cell or item == "cap_tasks":
                        answers.append(",".join(cell.split(";")))
                    elif cell in choices:
                        answers.append(choices[cell])
                    elif cell in ("yes", "no"):
                        answers.append(cell.capitalize())
                    else:
                        answers.append(cell)
                second = 10 + n % 50
                w.writerow(["2025-11-03 09:12:00", f"2025-11-03 09:{second}:00", "IP Address",
                            f"198.51.100.{n % 250}", "100", str(300 + n % 400), "True",
                            f"2025-11-03 09:{second}:01", f"R_{rid}", "", "", "", "",
                            "48.8566", "2.3522", "anonymous", "EN", roles[role]]
                           + answers + [org, wave])
    with open(profile, "w", encoding="utf-8") as p:
        p.write("format: qualtrics\norg: { column: client }\nrole: { column: Q1 }\nmulti_separator: \",\"\n")


if __name__ == "__main__":
    main()
