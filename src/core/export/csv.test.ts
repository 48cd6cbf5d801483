import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csvCell, numeric, toCsv } from "./csv.js";

describe("the CSV writer", () => {
  it("shows a formula as typed instead of running it, in every form a spreadsheet accepts", () => {
    for (const formula of ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "＝1+1", "＋1", "－1", "＠A1"]) {
      const cell = csvCell(formula);
      assert.ok(cell.startsWith(`"'`), `${JSON.stringify(formula)} → ${cell}`);
    }
    assert.equal(csvCell('=A1&"x"'), `"'=A1&""x"""`);
  });

  it("leaves numbers alone, negative ones included, and keeps a numeric column's precision", () => {
    assert.equal(csvCell(-3), "-3");
    assert.equal(csvCell(12.5), "12.5");
    assert.equal(csvCell(12345678901234567890n), "12345678901234567890");
    assert.equal(csvCell(numeric("-1234567890.123456789")), "-1234567890.123456789");
    assert.equal(csvCell(numeric("-1+1")), `"'-1+1"`, "a numeric that is no number is text, defused");
    assert.equal(csvCell(Number.NaN), "");
    assert.equal(csvCell(Number.POSITIVE_INFINITY), "");
  });

  it("quotes what a reader would split: quotes, commas, line breaks and semicolons", () => {
    assert.equal(csvCell("plain"), "plain");
    assert.equal(csvCell('dit "oui"'), '"dit ""oui"""');
    assert.equal(csvCell("a,b"), '"a,b"');
    assert.equal(csvCell("eau; voirie"), '"eau; voirie"');
    assert.equal(csvCell("ligne 1\nligne 2"), '"ligne 1\nligne 2"');
    assert.equal(csvCell("ligne 1\r\nligne 2"), '"ligne 1\r\nligne 2"');
  });

  it("drops control characters, and writes empty cells, booleans and instants plainly", () => {
    assert.equal(csvCell("a\u0000b\u0007c\u001bd\u007f"), "abcd");
    assert.equal(csvCell(null), "");
    assert.equal(csvCell(undefined), "");
    assert.equal(csvCell(true), "true");
    assert.equal(csvCell(new Date("2026-12-01T10:00:00Z")), "2026-12-01T10:00:00.000Z");
    assert.equal(csvCell(new Date(Number.NaN)), "");
  });

  it("writes a file with a header, CRLF line ends and a final CRLF, the header defused too", () => {
    assert.equal(toCsv(["=titre", "n"], [["Marché", 3], ["Puits; forage", -1]]), `"'=titre",n\r\nMarché,3\r\n"Puits; forage",-1\r\n`);
    assert.equal(toCsv(["a"], []), "a\r\n");
  });
});
