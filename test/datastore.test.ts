import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import ExcelJS from "exceljs";
import { backup, restore } from "../src/core/db/backup.js";
import { readCsv } from "../src/modules/opendata/datastore/parse.js";
import { materialise, prepareTable } from "../src/modules/opendata/datastore/prepare.js";

/** Types a CSV file and reads all its rows, as loading does: the report is then complete. */
function load(data: Buffer) {
  const table = prepareTable(readCsv(data));
  const csv = materialise(table);
  return { ...table, csv };
}
import { fieldErrors, fr, shown } from "./answers.js";
import { Browser, createTestApp, DEMO, idOf, visibleText, type TestContext } from "./helpers.js";

/** "N lines" as the table's page says it, and not a number that merely ends with N. */
const lineCount = (count: number) => new RegExp(`(?<!\\d)${shown(fr("opendata.datastore.count", { count })).source}(?!\\p{L})`, "u");

/** A file as Excel in French writes it: semicolons, decimal commas, Windows-1252, dd/mm/yyyy. */
const EXCEL_FR = Buffer.from(
  "Marché;Étals;Droit (XOF);Ouvert le;Couvert\r\n" +
    "Marché central;120;150,5;01/02/2021;oui\r\n" +
    "Marché de Keury Souf;45;100;15/03/2022;non\r\n" +
    "=HYPERLINK(\"http://evil.example\");3;12;31/12/2023;oui\r\n" +
    "Marché aux poissons;80;inconnu;02/01/2024;non\r\n" +
    Array.from({ length: 8 }, (_, i) => `Marché de quartier ${i + 1};${10 + i};${20 + i},25;0${i + 1}/06/2025;non\r\n`).join(""),
  "latin1",
);

describe("datastore: reading files as municipalities produce them", () => {
  it("reads a Windows-1252 file with semicolons, decimal commas, French dates and oui/non", () => {
    const { fields, report } = load(EXCEL_FR);
    assert.equal(report.encoding, "windows-1252");
    assert.equal(report.delimiter, ";");
    assert.deepEqual(
      fields.map((field) => [field.name, field.title, field.type]),
      [
        ["marche", "Marché", "string"],
        ["etals", "Étals", "integer"],
        ["droit_xof", "Droit (XOF)", "number"],
        ["ouvert_le", "Ouvert le", "date"],
        ["couvert", "Couvert", "boolean"],
      ],
    );
    assert.equal(report.rows, 12);
    assert.deepEqual(report.issues, [{ kind: "type_mismatch", line: 5, column: "Droit (XOF)", value: "inconnu", expected: "number" }]);
  });

  it("reports blank and duplicate headers and rows with the wrong number of fields, with line numbers", () => {
    const { fields, report } = load(Buffer.from("a,,a,b\n1,2,3,4\n5,6\n7,8,9,10,11\n12,13,14,15\n"));
    assert.deepEqual(fields.map((field) => field.name), ["a", "column_2", "a_2", "b"]);
    assert.deepEqual(
      report.issues.map((issue) => [issue.kind, issue.line]),
      [
        ["blank_header", 1],
        ["duplicate_header", 1],
        ["wrong_field_count", 3],
        ["wrong_field_count", 4],
      ],
    );
    assert.equal(report.rows, 2);
  });
});

describe("datastore: reading a large file in batches", () => {
  it("keeps records whole across batches, with quoted line breaks, quotes, delimiters and blank lines, and counts lines right", () => {
    // Over 2.5 MB: several batches, with multi-line values falling on their edges somewhere.
    const lines = ["n;note;montant"];
    const misfits: number[] = [];
    let expectedRows = 0;
    for (let i = 1; i <= 40_000; i++) {
      if (i % 997 === 0) lines.push("");
      if (i % 101 === 0) {
        lines.push(`${i};"première ligne`, `suite; avec ""guillemets"" et ; point-virgule";${i}`);
      } else if (i % 4999 === 0) {
        lines.push(`${i};valeur;pas-un-nombre`);
        misfits.push(lines.length);
      } else {
        lines.push(`${i};texte ${"x".repeat(60)};${i}`);
      }
      expectedRows++;
    }
    const table = load(Buffer.from(`${lines.join("\r\n")}\r\n`));
    assert.ok(Buffer.byteLength(lines.join("\n")) > 2.5 * 1024 * 1024);
    assert.equal(table.report.rows, expectedRows);
    assert.deepEqual(table.fields.map((field) => field.type), ["integer", "string", "integer"]);
    assert.deepEqual(
      table.report.issues.map((issue) => [issue.kind, issue.line, issue.value]),
      misfits.map((line) => ["type_mismatch", line, "pas-un-nombre"]),
    );
    const rows = table.csv.trimEnd().split(/\n(?=\d+,)/);
    assert.equal(rows.length, expectedRows);
    assert.equal(rows[100], '101,101,"première ligne\r\nsuite; avec ""guillemets"" et ; point-virgule",101');
  });

  it("skips blank lines before the header and numbers the lines after them", () => {
    const years = Array.from({ length: 10 }, (_, i) => `${2015 + i},${i * 3}`);
    const { fields, report } = load(Buffer.from(`\n\nannee,total\n${years.join("\n")}\n2025,douze\n`));
    assert.deepEqual(fields.map((field) => [field.name, field.type]), [["annee", "integer"], ["total", "integer"]]);
    assert.deepEqual(report.issues.map((issue) => issue.line), [14]);
  });
});

describe("datastore: type inference on large files", () => {
  it("infers from a sample, and still reports a misfit found far below it", () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},${i % 7}`);
    rows.push("60000,sept");
    const { fields, report } = load(Buffer.from(`numero,jour\n${rows.join("\n")}\n`));
    assert.deepEqual(fields.map((field) => field.type), ["integer", "integer"]);
    assert.deepEqual(report.issues, [{ kind: "type_mismatch", line: 60_002, column: "jour", value: "sept", expected: "integer" }]);
  });
});

describe("datastore: from upload to typed table, preview, exports and API", () => {
  let ctx: TestContext;
  let editor: Browser;
  let datasetId: string;
  let resourceId: string;
  const page = "/rufisque/data/marches-2026";

  before(async () => {
    ctx = await createTestApp();
    editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    await editor.post("/rufisque/admin/data", { title: "Marchés 2026", slug: "marches-2026", licence: "odbl-1.0", frequency: "annual", language: "fr" });
    datasetId = await idOf(ctx.db, "SELECT id FROM datasets WHERE slug = 'marches-2026'", []);
    const added = await editor.postMultipart(`/rufisque/admin/data/${datasetId}/resources`, { name: "Marchés" }, { field: "file", filename: "marches.csv", data: EXCEL_FR, type: "text/csv" });
    assert.equal(added.statusCode, 303);
    resourceId = await idOf(ctx.db, "SELECT id FROM dataset_resources WHERE dataset_id = $1", [datasetId]);
  });
  after(() => ctx.close());

  it("the editor sees the quality report; before publication the table is hidden from others", async () => {
    const preview = await editor.get(`${page}/resources/${resourceId}`);
    assert.equal(preview.statusCode, 200);
    const text = visibleText(preview.body);
    assert.match(text, shown(fr("opendata.datastore.report_summary", { rows: 12, count: 1, encoding: "windows-1252" })));
    assert.match(text, shown(fr("opendata.datastore.issue.type_mismatch", { line: 5, column: "Droit (XOF)", value: "inconnu", expected: "number" })));
    // The words themselves, once, so that the catalogue is known to reach the page.
    assert.match(text, /Rapport de qualité : 12 lignes chargées/);
    assert.equal((await new Browser(ctx.app).get(`${page}/resources/${resourceId}`)).statusCode, 404);
    const api = await ctx.app.inject({ method: "GET", url: `/api/3/action/datastore_search?resource_id=${resourceId}` });
    assert.equal(api.statusCode, 404);
    assert.equal((await editor.post(`/rufisque/admin/data/${datasetId}/publish`)).statusCode, 303);
  });

  it("a visitor previews, sorts, filters and searches the table without JavaScript", async () => {
    const visitor = new Browser(ctx.app);
    const all = visibleText((await visitor.get(`${page}/resources/${resourceId}`)).body);
    assert.match(all, lineCount(12));
    assert.match(all, /Marché central 120 150,5 1er février 2021 oui/, "dates as French readers write them");
    const sorted = visibleText((await visitor.get(`${page}/resources/${resourceId}?sort=etals&dir=desc`)).body);
    assert.ok(sorted.indexOf("Marché central") < sorted.indexOf("Marché aux poissons"), "120 stalls before 80");
    assert.match(visibleText((await visitor.get(`${page}/resources/${resourceId}?filter=couvert&value=non`)).body), lineCount(10));
    assert.match(visibleText((await visitor.get(`${page}/resources/${resourceId}?filter=droit_xof&value=150,5`)).body), lineCount(1));
    assert.match(visibleText((await visitor.get(`${page}/resources/${resourceId}?q=poisson`)).body), lineCount(1));
    assert.match(visibleText((await visitor.get(`${page}/resources/${resourceId}?filter=etals&value=beaucoup`)).body), lineCount(0));
    assert.equal((await visitor.get(`${page}/resources/${resourceId}?sort=${encodeURIComponent('etals"; DROP TABLE users;--')}`)).statusCode, 400);
    assert.equal((await ctx.db.query("SELECT 1 FROM users LIMIT 1")).length, 1);
  });

  it("exports the filtered rows as CSV with formulas defused, and as JSON", async () => {
    const visitor = new Browser(ctx.app);
    const csv = await visitor.get(`${page}/resources/${resourceId}/rows.csv?filter=couvert&value=oui`);
    assert.equal(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert.match(String(csv.headers["content-disposition"]), /attachment; filename\*=UTF-8''March%C3%A9s\.csv/);
    assert.equal(
      csv.body,
      'Marché,Étals,Droit (XOF),Ouvert le,Couvert\r\nMarché central,120,150.5,2021-02-01,true\r\n"\'=HYPERLINK(""http://evil.example"")",3,12,2023-12-31,true\r\n',
    );
    const json = (await visitor.get(`${page}/resources/${resourceId}/rows.json?sort=etals&dir=asc`)).json();
    assert.deepEqual(json.records[0], { marche: '=HYPERLINK("http://evil.example")', etals: 3, droit_xof: 12, ouvert_le: "2023-12-31", couvert: true });
  });

  it("draws a bar or line chart of two columns as SVG, labels escaped, linked from the page", async () => {
    const visitor = new Browser(ctx.app);
    const pageBody = (await visitor.get(`${page}/resources/${resourceId}?x=couvert&y=etals&kind=bar`)).body;
    assert.match(pageBody, /<img src="[^"]+\/chart\.svg\?x=couvert&(amp;)?y=etals&(amp;)?kind=bar" alt="Graphique\u202f: Étals par Couvert\./);
    const bars = await visitor.get(`${page}/resources/${resourceId}/chart.svg?x=couvert&y=etals&kind=bar`);
    assert.equal(bars.headers["content-type"], "image/svg+xml; charset=utf-8");
    assert.equal((bars.body.match(/<rect /g) ?? []).length, 2, "one bar per value of Couvert");
    assert.match(bars.body, /<title>false : 192<\/title>|<title>true : 123<\/title>/);
    const lineChart = await visitor.get(`${page}/resources/${resourceId}/chart.svg?x=marche&y=droit_xof&kind=line`);
    assert.match(lineChart.body, /<path d="M/);
    assert.match(lineChart.body, /=HYPERLINK\(&quot;http:\/\/evil\.example&quot;\)/);
    assert.doesNotMatch(lineChart.body, /"http:\/\/evil/);
    assert.equal((await visitor.get(`${page}/resources/${resourceId}/chart.svg?x=couvert&y=marche`)).statusCode, 400, "a text column cannot be added up");
  });

  it("answers CKAN's datastore_search with filters, full-text, fields, sort, paging and total", async () => {
    const search = async (query: Record<string, string>) => {
      const response = await ctx.app.inject({ method: "GET", url: `/api/3/action/datastore_search?${new URLSearchParams({ resource_id: resourceId, ...query })}` });
      return { status: response.statusCode, body: response.json() };
    };
    const { body } = await search({ filters: JSON.stringify({ couvert: "oui" }), sort: "etals desc", fields: "marche,etals", limit: "1" });
    assert.equal(body.success, true);
    assert.deepEqual(body.result.records, [{ marche: "Marché central", etals: 120 }]);
    assert.equal(body.result.total, 2);
    assert.deepEqual(body.result.fields.map((field: { id: string; type: string }) => [field.id, field.type]), [["marche", "text"], ["etals", "int"]]);
    assert.equal((await search({ q: "keury" })).body.result.total, 1);
    assert.equal((await search({ filters: JSON.stringify({ "etals; DROP TABLE users": "1" }) })).status, 409);
    assert.equal((await search({ filters: "{not json" })).status, 409);
    const post = await ctx.app.inject({ method: "POST", url: "/api/3/action/datastore_search", payload: { resource_id: resourceId, filters: { ouvert_le: "2022-03-15" } } });
    assert.equal(post.json().result.total, 1);
  });

  it("answers datastore_search as CKAN 2.10 does: records as lists, CSV or TSV, list-valued filters, links that keep every parameter", async () => {
    const search = async (query: Record<string, string>) => {
      const response = await ctx.app.inject({ method: "GET", url: `/api/3/action/datastore_search?${new URLSearchParams({ resource_id: resourceId, ...query })}` });
      return { status: response.statusCode, body: response.json() };
    };
    const lists = await search({ fields: "etals,marche", sort: "etals desc", limit: "2", records_format: "lists" });
    assert.deepEqual(lists.body.result.records, [[120, "Marché central"], [80, "Marché aux poissons"]], "values in the order of fields");
    assert.deepEqual(lists.body.result.fields.map((field: { id: string }) => field.id), ["etals", "marche"]);
    assert.equal(lists.body.result.records_format, "lists");
    // COPY's CSV, as CKAN writes it: no header, t/f, ISO dates, quotes only where needed.
    const csv = await search({ fields: "marche,couvert,ouvert_le,droit_xof", filters: JSON.stringify({ couvert: "oui" }), records_format: "csv" });
    assert.equal(csv.body.result.records, 'Marché central,t,2021-02-01,150.5\n"=HYPERLINK(""http://evil.example"")",t,2023-12-31,12\n');
    const tsv = await search({ fields: "marche,etals", filters: JSON.stringify({ couvert: "oui" }), records_format: "tsv" });
    assert.equal(tsv.body.result.records, 'Marché central\t120\n"=HYPERLINK(""http://evil.example"")"\t3\n');
    const wrong = await search({ records_format: "xml" });
    assert.equal(wrong.status, 409);
    assert.deepEqual(wrong.body.error.records_format, ["Value must be one of ['objects', 'lists', 'csv', 'tsv']"]);

    assert.equal((await search({ filters: JSON.stringify({ marche: ["Marché central", "Marché aux poissons", "ailleurs"] }) })).body.result.total, 2, "a list matches any of its values");
    assert.equal((await search({ filters: JSON.stringify({ etals: [120, "45", "beaucoup"], couvert: ["non"] }) })).body.result.total, 1);
    assert.equal((await search({ filters: JSON.stringify({ etals: [[1]] }) })).status, 409);

    const filters = JSON.stringify({ couvert: "non" });
    const paged = await search({ limit: "3", offset: "6", filters });
    const encoded = "%7B%22couvert%22%3A%22non%22%7D";
    assert.deepEqual(paged.body.result._links, {
      start: `/api/3/action/datastore_search?resource_id=${resourceId}&limit=3&filters=${encoded}`,
      next: `/api/3/action/datastore_search?resource_id=${resourceId}&limit=3&offset=9&filters=${encoded}`,
      prev: `/api/3/action/datastore_search?resource_id=${resourceId}&limit=3&offset=3&filters=${encoded}`,
    });
    assert.equal(paged.body.result.total, 10);
    assert.equal(paged.body.result.total_was_estimated, false);
    const next = await ctx.app.inject({ method: "GET", url: paged.body.result._links.next });
    assert.deepEqual(next.json().result.records.map((record: { _id: number }) => record._id).length, 1, "the next link reads the last of the ten, three at a time");
    const first = await search({ limit: "5" });
    assert.deepEqual(first.body.result._links, {
      start: `/api/3/action/datastore_search?resource_id=${resourceId}&limit=5`,
      next: `/api/3/action/datastore_search?resource_id=${resourceId}&limit=5&offset=5`,
    });
    const noTotal = await search({ include_total: "false" });
    assert.equal("total" in noTotal.body.result, false);
    assert.equal(noTotal.body.result.include_total, false);
    const posted = await ctx.app.inject({ method: "POST", url: "/api/3/action/datastore_search", payload: { resource_id: resourceId, limit: 4, filters: { couvert: "non" } } });
    assert.equal(posted.json().result._links.next, `/api/3/action/datastore_search?resource_id=${resourceId}&limit=4&filters=${encoded}&offset=4`, "a POST's parameters go into its links");
  });

  it("answers datastore_search_sql over the uploaded table with its values and PostgreSQL types", async () => {
    const response = await ctx.app.inject({
      method: "POST",
      url: "/api/3/action/datastore_search_sql",
      payload: { sql: `SELECT marche, etals, droit_xof, ouvert_le, couvert FROM "${resourceId}" WHERE couvert ORDER BY ouvert_le LIMIT 1` },
    });
    assert.equal(response.statusCode, 200, response.body);
    const { result } = response.json();
    assert.deepEqual(result.records, [{ marche: "Marché central", etals: 120, droit_xof: 150.5, ouvert_le: "2021-02-01", couvert: true }]);
    assert.deepEqual(result.fields, [
      { id: "marche", type: "text" },
      { id: "etals", type: "int8" },
      { id: "droit_xof", type: "float8" },
      { id: "ouvert_le", type: "date" },
      { id: "couvert", type: "bool" },
    ]);
  });

  it("the editor corrects a column's type in the Table Schema; the file is reloaded and misfits reported", async () => {
    // "Étals" was read as integers; declared as text, every value is kept as written.
    const applied = await editor.post(`/rufisque/admin/data/${datasetId}/resources/${resourceId}/schema`, {
      type_marche: "string",
      type_etals: "string",
      type_droit_xof: "integer",
      type_ouvert_le: "date",
      type_couvert: "boolean",
    });
    assert.equal(applied.statusCode, 303);
    const [table] = await ctx.db.query<{ table_schema: { fields: { name: string; type: string }[] }; report: { issueCount: number } }>("SELECT table_schema, report FROM datastore_tables WHERE resource_id = $1", [resourceId]);
    assert.deepEqual(table?.table_schema.fields.map((field) => field.type), ["string", "string", "integer", "date", "boolean"]);
    // 150,5, the eight x,25 values and "inconnu" do not fit integers.
    assert.equal(table?.report.issueCount, 10);
    assert.equal((await editor.post(`/rufisque/admin/data/${datasetId}/resources/${resourceId}/schema`, { type_etals: "currency" })).statusCode, 400);
    // Back to the inferred types for the tests that follow.
    await editor.post(`/rufisque/admin/data/${datasetId}/resources/${resourceId}/schema`, { type_marche: "string", type_etals: "integer", type_droit_xof: "number", type_ouvert_le: "date", type_couvert: "boolean" });
  });

  it("a new version replaces the table at once; a broken one changes nothing", async () => {
    const tooWide = Buffer.from(`${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(",")}\n${"1,".repeat(9_999)}1\n`);
    const refused = await editor.postMultipart(`/rufisque/admin/data/${datasetId}/resources/${resourceId}/replace`, {}, { field: "file", filename: "large.csv", data: tooWide });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(fieldErrors(refused.body), { file: "opendata.datastore.error.too_many_columns" });
    assert.match(visibleText(refused.body), shown(fr("opendata.datastore.error.too_many_columns", { count: 10000, max: 500 })));
    assert.match(visibleText((await new Browser(ctx.app).get(`${page}/resources/${resourceId}`)).body), lineCount(12));

    const versionsBefore = (await ctx.db.query("SELECT version FROM dataset_versions WHERE dataset_id = $1", [datasetId])).length;
    const replaced = await editor.postMultipart(`/rufisque/admin/data/${datasetId}/resources/${resourceId}/replace`, {}, { field: "file", filename: "marches-v2.csv", data: Buffer.from("marche,etals\nNouveau marché,10\n") });
    assert.equal(replaced.statusCode, 303);
    const text = visibleText((await new Browser(ctx.app).get(`${page}/resources/${resourceId}`)).body);
    assert.match(text, lineCount(1));
    assert.match(text, /Nouveau marché 10/);
    const versions = await ctx.db.query<{ version: number }>("SELECT version FROM dataset_versions WHERE dataset_id = $1", [datasetId]);
    assert.equal(versions.length, versionsBefore + 1, "the replaced file is a new published version");
  });

  it("loads the first sheet of an XLSX workbook, and exports rows back to XLSX with text kept as text", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Écoles");
    sheet.addRow(["École", "Élèves", "Ouverte le", "Part de filles"]);
    sheet.addRow(["École A", 320, new Date(Date.UTC(2015, 8, 1)), 0.52]);
    sheet.addRow(["=1+1", 150, new Date(Date.UTC(2019, 9, 2)), { formula: "0.25*2", result: 0.5 }]);
    workbook.addWorksheet("Notes").addRow(["ignorée"]);
    const data = Buffer.from(await workbook.xlsx.writeBuffer());
    const added = await editor.postMultipart(`/rufisque/admin/data/${datasetId}/resources`, { name: "Écoles" }, { field: "file", filename: "ecoles.xlsx", data });
    assert.equal(added.statusCode, 303);
    const xlsxResource = await idOf(ctx.db, "SELECT id FROM dataset_resources WHERE dataset_id = $1 AND format = 'XLSX'", [datasetId]);
    const [table] = await ctx.db.query<{ table_schema: { fields: { name: string; type: string }[] } }>("SELECT table_schema FROM datastore_tables WHERE resource_id = $1", [xlsxResource]);
    assert.deepEqual(table?.table_schema.fields.map((field) => [field.name, field.type]), [["ecole", "string"], ["eleves", "integer"], ["ouverte_le", "date"], ["part_de_filles", "number"]]);
    const text = visibleText((await new Browser(ctx.app).get(`${page}/resources/${xlsxResource}`)).body);
    assert.match(text, /École A 320 1er septembre 2015 0,52/);
    assert.match(visibleText((await editor.get(`${page}/resources/${xlsxResource}`)).body), shown(fr("opendata.datastore.other_sheets", { sheets: "Notes" })));

    const exported = await new Browser(ctx.app).get(`${page}/resources/${xlsxResource}/rows.xlsx?sort=eleves&dir=asc`);
    assert.equal(exported.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(exported.rawPayload as unknown as ArrayBuffer);
    const rows = back.worksheets[0]!;
    assert.deepEqual([1, 2, 3, 4].map((column) => rows.getRow(1).getCell(column).value), ["École", "Élèves", "Ouverte le", "Part de filles"]);
    assert.equal(rows.getCell("A2").value, "=1+1");
    assert.equal(rows.getCell("A2").type, ExcelJS.ValueType.String, "never a formula");
    assert.equal(rows.getCell("B2").value, 150);
  });

  it("a backup carries the datastore's tables, and a restore brings them back", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-ds-backup-"));
    const file = path.join(dir, "backup.gz");
    await backup(ctx.db, file);
    await ctx.db.exec("DROP SCHEMA datastore CASCADE; CREATE SCHEMA datastore");
    assert.equal((await new Browser(ctx.app).get(`${page}/resources/${resourceId}`)).statusCode, 500);
    await restore(ctx.db, file);
    assert.match(visibleText((await new Browser(ctx.app).get(`${page}/resources/${resourceId}`)).body), /Nouveau marché 10/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("datastore: a 2 GB upload", () => {
  it("is refused by the upload limit as it streams in, without the server reading it whole or keeping anything", async () => {
    const ctx = await createTestApp();
    try {
      const editor = new Browser(ctx.app);
      await editor.signIn(DEMO.rufisque.editor);
      await editor.post("/rufisque/admin/data", { title: "Très gros", slug: "tres-gros", licence: "odbl-1.0", frequency: "annual", language: "fr" });
      const datasetId = await idOf(ctx.db, "SELECT id FROM datasets WHERE slug = 'tres-gros'", []);
      await ctx.app.listen({ host: "127.0.0.1", port: 0 });
      const { port } = ctx.app.server.address() as { port: number };

      const boundary = "----cite-ouverte-2gb";
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${editor.cookies.get("csrf")}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nTrès gros\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="enorme.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const TOTAL = 2 * 1024 ** 3;
      const chunk = Buffer.from("1;Rufisque;Centre;01/02/2026;1000;12;3,5;oui\n".repeat(23_000));
      let sent = 0;
      const rssBefore = process.memoryUsage().rss;
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request({
          host: "127.0.0.1",
          port,
          method: "POST",
          path: `/rufisque/admin/data/${datasetId}/resources`,
          headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(head.length + TOTAL + tail.length), cookie: editor.cookieHeader(), accept: "text/html" },
        });
        request.on("response", (response) => {
          response.resume();
          request.destroy();
          resolve(response.statusCode ?? 0);
        });
        request.on("error", (error) => (sent > 0 ? undefined : reject(error)));
        request.write(head);
        const pump = () => {
          while (sent < TOTAL && !request.destroyed) {
            const piece = chunk.subarray(0, Math.min(chunk.length, TOTAL - sent));
            sent += piece.length;
            if (!request.write(piece)) return void request.once("drain", pump);
          }
          if (!request.destroyed) request.end(tail);
        };
        pump();
      });
      assert.equal(status, 413);
      // The answer came long before the 2 GB were sent, and the server did not buffer them.
      assert.ok(sent < TOTAL / 4, `sent ${sent} bytes before the answer`);
      assert.ok(process.memoryUsage().rss - rssBefore < 512 * 1024 * 1024);
      assert.deepEqual(await ctx.db.query("SELECT id FROM dataset_resources WHERE dataset_id = $1", [datasetId]), []);
    } finally {
      await ctx.close();
    }
  });
});
