#!/usr/bin/env python3
"""Peak memory of `partnerscope score` on workbooks built to exhaust it (SPEC §11, §14): writes
four .xlsx files into WORKDIR and scores each with tests/fixtures/mini.yaml under
`/usr/bin/time`, printing exit code, wall time and peak RSS.

Usage: python3 bench/workbook_bombs.py [BINARY] [WORKDIR]
       (default binary target/release/partnerscope, default workdir a new temporary folder)

- cells.xlsx: a real sheet of 700,001 rows × 7 columns (4.9 million cells, under the 5,000,000
  cell budget): scored;
- blank.xlsx: a sheet part of 300 MB of blank text (about 290 KB zipped): refused;
- strings.xlsx: 70 MB of shared strings (past the 64 MB text budget): refused;
- count.xlsx: shared strings that declare 2,000,000,000 entries and hold two: read, then
  refused for its header (no `role` column), without allocating for the declared count.
"""
import os
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORKBOOK = '<workbook><sheets><sheet name="Form1" sheetId="1" r:id="rId1"/></sheets></workbook>'
RELS = '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'


def write(path, sheet, shared=None):
    """An .xlsx at `path` whose sheet (and shared strings) are the chunks the functions yield."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types></Types>")
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        for part, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            if chunks is not None:
                with z.open(part, "w", force_zip64=True) as f:
                    for chunk in chunks():
                        f.write(chunk.encode())


def cells():
    header = ["respondent_id", "org", "role", "wave", "col_1", "cap_staff", "turnover_pct"]
    yield "<worksheet><sheetData><row r=\"1\">" + "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABCDEFG", header)) + "</row>"
    for r in range(2, 700_002):
        yield (f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>acme</t></is></c>'
               f'<c r="C{r}" t="inlineStr"><is><t>hr</t></is></c><c r="D{r}" t="inlineStr"><is><t>2025</t></is></c>'
               f'<c r="E{r}"><v>3</v></c><c r="F{r}"><v>2</v></c><c r="G{r}"><v>5</v></c></row>')
    yield "</sheetData></worksheet>"


def blank():
    yield "<worksheet><sheetData>"
    for _ in range(300):
        yield " " * 1_000_000
    yield "</sheetData></worksheet>"


def small():
    yield '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'


def strings():
    yield '<sst count="70" uniqueCount="70">'
    for _ in range(70):
        yield "<si><t>" + "x" * 1_000_000 + "</t></si>"
    yield "</sst>"


def declared():
    yield '<sst count="2000000000" uniqueCount="2000000000"><si><t>a</t></si><si><t>b</t></si></sst>'


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "target/release/partnerscope")
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="partnerscope-bombs-")
    os.makedirs(work, exist_ok=True)
    books = {"cells": (cells, None), "blank": (blank, None), "strings": (small, strings), "count": (small, declared)}
    for name, (sheet, shared) in books.items():
        path = os.path.join(work, f"{name}.xlsx")
        write(path, sheet, shared)
        timing = os.path.join(work, "time.txt")
        run = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", timing, binary, "score", "--survey",
                              os.path.join(REPO, "tests/fixtures/mini.yaml"), path,
                              "--out", os.path.join(work, f"out-{name}"), "--force", "--quiet"],
                             capture_output=True, text=True)
        wall, rss = open(timing).read().split()[-2:]
        said = (run.stdout + run.stderr).strip().splitlines()
        print(f"{name}.xlsx ({os.path.getsize(path):,} bytes): exit {run.returncode}, {wall} s, "
              f"peak {int(rss) // 1024} MiB: {said[0][:160] if said else ''}")


if __name__ == "__main__":
    main()
