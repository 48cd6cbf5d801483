import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { constants, crc32, deflateRawSync } from "node:zlib";
import { XLSX_LIMITS } from "../src/modules/opendata/datastore/zip-bounds.js";
import { fieldErrors, fr, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

// Hostile workbooks, built here byte by byte: a ZIP is a list of parts, each a local header and
// its compressed bytes, then a central directory that lists them again with their sizes.

interface Part {
  name: string;
  /** Deflated bytes. */
  compressed: Buffer;
  /** The size and CRC the archive declares for the part once unpacked. */
  size: number;
  crc: number;
}

function zip(parts: Part[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(part.crc, 14);
    local.writeUInt32LE(part.compressed.length, 18);
    local.writeUInt32LE(part.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(part.crc, 16);
    central.writeUInt32LE(part.compressed.length, 20);
    central.writeUInt32LE(part.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, part.compressed);
    centrals.push(central, name);
    offset += local.length + name.length + part.compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const small = (name: string, text: string): Part => {
  const data = Buffer.from(text);
  return { name, compressed: deflateRawSync(data), size: data.length, crc: crc32(data) };
};

/** The parts every workbook has around its one sheet. */
const FRAME = [
  small(
    "[Content_Types].xml",
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  ),
  small("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
  small(
    "xl/workbook.xml",
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ),
  small("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
];

const SHEET_HEAD = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>nom</t></is></c></row>');
const SHEET_TAIL = Buffer.from("</sheetData></worksheet>");

/**
 * A sheet whose XML is `repeat` times one MiB of rows, deflated without ever being held whole: the
 * MiB is deflated once, ending on a full flush (byte-aligned, nothing carried over), and its
 * deflated bytes are repeated, as a deflate stream allows.
 */
function sheetOf(repeat: number, row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'): Part {
  const chunk = Buffer.from(row.repeat(Math.floor((1024 * 1024) / row.length)));
  const flushed = (data: Buffer) => deflateRawSync(data, { finishFlush: constants.Z_FULL_FLUSH });
  const body = flushed(chunk);
  let crc = crc32(SHEET_HEAD);
  for (let i = 0; i < repeat; i++) crc = crc32(chunk, crc);
  crc = crc32(SHEET_TAIL, crc);
  const compressed = Buffer.concat([flushed(SHEET_HEAD), ...Array.from({ length: repeat }, () => body), deflateRawSync(SHEET_TAIL)]);
  return { name: "xl/worksheets/sheet1.xml", compressed, size: SHEET_HEAD.length + repeat * chunk.length + SHEET_TAIL.length, crc };
}

const MiB = 1024 * 1024;
/** The highest resident memory the process has reached so far, in bytes. */
const peakMemory = () => process.resourceUsage().maxRSS * 1024;

describe("datastore: hostile workbooks are refused before they are read, in the editor's language, with memory flat", () => {
  let ctx: TestContext;
  let editor: Browser;
  let datasetId: string;
  let bomb: Buffer;
  let liar: Buffer;
  /** What the bomb declares it unpacks to, in MB as the editor reads it. */
  let declaredMb: number;

  before(async () => {
    ctx = await createTestApp();
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    await editor.post("/rufisque/admin/data", { title: "Classeurs", slug: "classeurs", licence: "odbl-1.0", frequency: "annual", language: "fr" });
    datasetId = await idOf(ctx.db, "SELECT id FROM datasets WHERE slug = 'classeurs'", []);
    // 600 MiB of rows in well under 2 MB, saying so in its central directory.
    const sheet = sheetOf(600);
    bomb = zip([...FRAME, sheet]);
    declaredMb = Math.ceil([...FRAME, sheet].reduce((sum, part) => sum + part.size, 0) / MiB);
    // The same bytes, claiming to unpack to one MiB: within every limit, on paper.
    liar = zip([...FRAME, { ...sheet, size: MiB }]);
  });
  after(() => ctx.close());

  async function upload(name: string, data: Buffer): Promise<{ status: number; text: string; errors: Record<string, string> }> {
    const response = await editor.postMultipart(`/rufisque/admin/data/${datasetId}/resources`, { name }, { field: "file", filename: `${name}.xlsx`, data });
    return { status: response.statusCode, text: visibleText(response.body), errors: fieldErrors(response.body) };
  }

  const resources = async () => (await ctx.db.query("SELECT id FROM dataset_resources WHERE dataset_id = $1", [datasetId])).length;

  it("a 2 MB workbook that unpacks to 600 MB is refused, saying why, and the server's memory does not follow", async () => {
    assert.ok(bomb.length < 2 * MiB, `the bomb is small: ${bomb.length} bytes`);
    const peak = peakMemory();
    const refused = await upload("bombe", bomb);
    assert.ok(peakMemory() - peak < 200 * MiB, `memory grew by ${Math.round((peakMemory() - peak) / MiB)} MB`);
    assert.equal(refused.status, 400);
    assert.ok(declaredMb >= 599);
    assert.deepEqual(refused.errors, { file: "opendata.datastore.error.xlsx_too_large" });
    // The words themselves, once, with their numbers, so that the catalogue is known to reach the form.
    assert.match(refused.text, new RegExp(`Le classeur occuperait ${declaredMb} Mo une fois décompressé ; le maximum est 64 Mo\\. Enregistrez la feuille au format CSV pour la charger\\.`));
    assert.doesNotMatch(refused.text, /Invalid string length/);
    assert.equal(await resources(), 0, "nothing was added");
  });

  it("the same refusal reads in English for an editor who chose English", async () => {
    const english = new Browser(ctx.app);
    await english.signIn(DEMO.rufisque.editor);
    assert.equal((await english.post("/lang", { lang: "en", next: "/rufisque/" })).statusCode, 303);
    const response = await english.postMultipart(`/rufisque/admin/data/${datasetId}/resources`, { name: "bomb" }, { field: "file", filename: "bomb.xlsx", data: bomb });
    assert.equal(response.statusCode, 400);
    assert.match(visibleText(response.body), new RegExp(`The workbook would take ${declaredMb} MB once unpacked; the maximum is 64 MB\\.`));
  });

  it("a workbook whose directory claims 1 MB but that unpacks to 600 MB is stopped as it unpacks", async () => {
    const peak = peakMemory();
    const refused = await upload("menteur", liar);
    assert.ok(peakMemory() - peak < 200 * MiB, `memory grew by ${Math.round((peakMemory() - peak) / MiB)} MB`);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.errors, { file: "opendata.datastore.error.xlsx_inconsistent" });
    assert.equal(await resources(), 0);
  });

  it("a workbook within the size but compressed far beyond an ordinary one is refused", async () => {
    const refused = await upload("compresse", zip([...FRAME, sheetOf(32)]));
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.errors, { file: "opendata.datastore.error.xlsx_ratio" });
    const ratio = /(\d+)/.exec(refused.text.slice(refused.text.indexOf(fr("opendata.datastore.error.xlsx_ratio").split("{")[0]!)))?.[1];
    assert.match(refused.text, shown(fr("opendata.datastore.error.xlsx_ratio", { ratio: ratio!, max: 200 })));
  });

  it("a workbook with more rows than a workbook may hold is refused before it is read", async () => {
    // Rows of varied numbers compress like real ones, under the ratio; a little over the limit of rows.
    const rows = Array.from({ length: XLSX_LIMITS.rows + 1 }, (_, i) => `<row r="${i + 2}"><c r="A${i + 2}"><v>${(i * 7919) % 100_003}</v></c></row>`).join("");
    const xml = Buffer.concat([SHEET_HEAD, Buffer.from(rows), SHEET_TAIL]);
    const refused = await upload("lignes", zip([...FRAME, { name: "xl/worksheets/sheet1.xml", compressed: deflateRawSync(xml), size: xml.length, crc: crc32(xml) }]));
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.errors, { file: "opendata.datastore.error.xlsx_too_many_rows" });
    assert.match(refused.text, shown(fr("opendata.datastore.error.xlsx_too_many_rows", { max: XLSX_LIMITS.rows })));
  });

  it("a workbook built the same way within the limits is loaded", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>école ${i + 1}</t></is></c></row>`).join("");
    const xml = Buffer.concat([SHEET_HEAD, Buffer.from(rows), SHEET_TAIL]);
    const added = await upload("ecoles", zip([...FRAME, { name: "xl/worksheets/sheet1.xml", compressed: deflateRawSync(xml), size: xml.length, crc: crc32(xml) }]));
    assert.equal(added.status, 303, added.text);
    const [table] = await ctx.db.query<{ row_count: number }>("SELECT t.row_count FROM datastore_tables t JOIN dataset_resources r ON r.id = t.resource_id WHERE r.dataset_id = $1", [datasetId]);
    assert.equal(table?.row_count, 50);
  });
});
