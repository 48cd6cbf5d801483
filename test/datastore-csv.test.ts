import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FieldType } from "../src/modules/opendata/datastore/infer.js";
import { readCsv } from "../src/modules/opendata/datastore/parse.js";
import { materialise, prepareTable } from "../src/modules/opendata/datastore/prepare.js";
import { TextRecords, type SourceRow, type TableSource } from "../src/modules/opendata/datastore/source.js";

/** A small deterministic generator, so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface WrittenRecord {
  line: number;
  values: string[];
}

/**
 * Writes records as a spreadsheet would: a value in quotes when it holds the delimiter, a quote
 * or a line break (and sometimes for no reason), quotes doubled; Windows or Unix line endings;
 * empty lines here and there. Returns the bytes and, for each record, the line it starts on.
 */
function writeCsv(seed: number, encoding: "utf-8" | "windows-1252") {
  const next = random(seed);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const delimiter = pick([",", ";", "\t", "|"]);
  const lineBreak = pick(["\n", "\r\n"]);
  const width = 3 + Math.floor(next() * 4);
  const pieces = ["Thiès", "Kaolack", "école", "12,5", "1 200", "oui", " ", "a", "ç", "Ñ", '"', "\n", "\r\n", ",", ";", "\t", "|", "«", "€", "’", "œ", "'", "="];
  const headers = Array.from({ length: width }, (_, index) => `colonne ${index + 1}`);
  let text = headers.join(delimiter) + lineBreak;
  let line = 2;
  const records: WrittenRecord[] = [];
  for (let count = 0; count < 300; count++) {
    while (next() < 0.05) {
      text += lineBreak;
      line++;
    }
    // The first records are plain, so that the delimiter is found as it is in real files.
    const plain = count < 12;
    const values = Array.from({ length: width }, () => {
      if (plain) return pick(["Thiès", "12", "oui", "1/2/2026", ""]);
      return Array.from({ length: Math.floor(next() * 5) }, () => pick(pieces)).join("");
    });
    const fields = values.map((value) => {
      const needsQuotes = value.includes(delimiter) || value.includes('"') || value.includes("\n") || value.includes("\r");
      return needsQuotes || (!plain && next() < 0.2) ? `"${value.replace(/"/g, '""')}"` : value;
    });
    records.push({ line, values });
    text += fields.join(delimiter) + lineBreak;
    line += 1 + fields.join(delimiter).split("\n").length - 1;
  }
  return { bytes: encoding === "utf-8" ? Buffer.from(text, "utf8") : windows1252(text), delimiter, headers, records };
}

function windows1252(text: string): Buffer {
  const table: Record<string, number> = { "€": 0x80, "’": 0x92, "œ": 0x9c };
  return Buffer.from([...text].map((char) => table[char] ?? char.charCodeAt(0)));
}

function readAll(source: TableSource): WrittenRecord[] {
  const cursor = source.records();
  const read: WrittenRecord[] = [];
  while (cursor.next()) read.push({ line: cursor.line, values: Array.from({ length: cursor.width }, (_, index) => cursor.text(index)) });
  return read;
}

describe("datastore: reading CSV files byte by byte", () => {
  it("reads back every value and the line it starts on, whatever the quoting, line endings and encoding", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const encoding = seed % 3 === 0 ? "windows-1252" : "utf-8";
      const written = writeCsv(seed, encoding);
      const source = readCsv(written.bytes);
      assert.equal(source.encoding, encoding, `seed ${seed}`);
      assert.equal(source.delimiter, written.delimiter, `seed ${seed}`);
      assert.deepEqual(source.headers, written.headers, `seed ${seed}`);
      assert.deepEqual(readAll(source), written.records, `seed ${seed}`);
    }
  });

  it("reads a file with old Mac line endings, a BOM, a last line without a break, and text after a closing quote", () => {
    const mac = readCsv(Buffer.from("a;b\r1;2\r\r3;4"));
    assert.deepEqual(readAll(mac), [
      { line: 2, values: ["1", "2"] },
      { line: 4, values: ["3", "4"] },
    ]);
    const withBom = readCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('nom,note\r\n"Ndèye ""Fatou""",a"b\r\n"x"y,"non fermé\r\nsuite')]));
    assert.equal(withBom.encoding, "utf-8");
    assert.deepEqual(withBom.headers, ["nom", "note"]);
    assert.deepEqual(readAll(withBom), [
      { line: 2, values: ['Ndèye "Fatou"', 'a"b'] },
      { line: 3, values: ['"x"y', "non fermé\r\nsuite"] },
    ]);
  });

  it("reads the letters and signs of Windows-1252 that Latin-1 lacks, and loads them as UTF-8", () => {
    const source = readCsv(Buffer.concat([Buffer.from("libellé;montant\n", "latin1"), Buffer.from([0x92, 0x9c, 0x80, 0x3b, 0x31, 0x0a])]));
    assert.equal(source.encoding, "windows-1252");
    assert.deepEqual(readAll(source), [{ line: 2, values: ["’œ€", "1"] }]);
    assert.equal(materialise(prepareTable(source)), '1,"’œ€",1\n');
  });

  it("converts each value on the fast paths exactly as the general rules do, and reports the same misfits", () => {
    const next = random(7);
    const shapes: Record<Exclude<FieldType, "string">, string[]> = {
      integer: ["12", "+12", "-7", "007", "1 234", "1.234.567", "12,5", " 42 ", "", "9999999999999999", "123456789012345", "douze", "1e3", "-", "12\u00a0000"],
      number: ["12,5", "12.5", "+0,25", "-3", "1 234,56", "1\u202f234", "12,", ",5", "1.234,5", " 8,5 ", "1234567890123456,5", "NaN", "Infinity", "12,5,6"],
      date: ["31/12/2026", "1/2/2026", "01.02.2026", "1-2-2026", "29/02/2024", "29/02/2026", "31/04/2026", "2026-12-31", "2026-02-30", "12/31/2026", "0/1/2026", "1/1/99", " 01/01/2026", "2026/12/31", "1/1/0099"],
      boolean: ["oui", "OUI", "Non", "vrai", "FAUX", "true", "False", "yes", "no", "sim", "não", "NÃO", "nao", "1", "0", "peut-être", " oui"],
    };
    const types = Object.keys(shapes) as (keyof typeof shapes)[];
    const rows: SourceRow[] = [];
    let csv = `${types.join(";")};texte\n`;
    for (let line = 2; line <= 400; line++) {
      const values = types.map((type) => shapes[type][Math.floor(next() * shapes[type].length)]!);
      values.push(["Thiès", ' "cité" ', "=1+1", "é;è"][line % 4]!);
      rows.push({ line, values });
      csv += values.map((value) => (/[;"\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)).join(";") + "\n";
    }
    const declared = { integer: "integer", number: "number", date: "date", boolean: "boolean", texte: "string" } as const;
    const fromBytes = prepareTable(readCsv(Buffer.from(csv)), declared);
    const fromText = prepareTable({ encoding: "utf-8", delimiter: ";", headers: [...types, "texte"], records: () => new TextRecords(rows) }, declared);
    const loaded = materialise(fromBytes);
    assert.equal(loaded, materialise(fromText));
    assert.deepEqual(fromBytes.report, fromText.report);
    // Both saw misfits of every type, and rows with values on the fast paths.
    assert.deepEqual(new Set(fromBytes.report.issues.map((issue) => issue.expected)), new Set(types));
    assert.match(loaded, /,2026-12-31,/);
    assert.match(loaded, /,12\.5,/);
  });
});
