import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Queryable } from "../src/core/db/index.js";
import { migrate, migrationStatus, readMigrationFiles } from "../src/core/db/migrations.js";
import { findStoredFile } from "../src/core/files/index.js";
import { seedDemo } from "../src/seed/demo.js";
import { createDataset, createMunicipality, createStaff } from "./factories.js";
import { Browser, createTestApp, createTestDb, idOf, visibleText, type TestContext } from "./helpers.js";

const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.from("1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")]);
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
const NEWS = { summary: "", body: "Voir le document joint.", language: "fr" };

describe("uploads: a document attached to a news item", () => {
  let ctx: TestContext;
  let editor: Browser;
  let labeEditorPhone: string;
  let datasetId: string;
  before(async () => {
    ctx = await createTestApp({ uploadLimitBytes: 64 * 1024, seed: false });
    const rufisque = await createMunicipality(ctx.db, { slug: "rufisque", name: "Rufisque" });
    const labe = await createMunicipality(ctx.db, { slug: "labe", name: "Labé", country: "GN" });
    const rufisqueEditor = await createStaff(ctx.db, rufisque, "editor");
    labeEditorPhone = (await createStaff(ctx.db, labe, "editor")).phone;
    datasetId = (await createDataset(ctx.db, rufisque, rufisqueEditor, { slug: "ecoles", title: "Écoles", published: true })).id;
    editor = new Browser(ctx.app);
    await editor.signIn(rufisqueEditor.phone);
  });
  after(() => ctx.close());

  it("an editor attaches a PDF; once published, residents download exactly what was sent", async () => {
    const saved = await editor.postMultipart("/rufisque/admin/news", { ...NEWS, title: "Arrêté municipal n° 12" }, { field: "attachment", filename: "arrêté 12.pdf", data: PDF, type: "application/pdf" });
    assert.equal(saved.statusCode, 303);
    const id = await idOf(ctx.db, "SELECT id FROM news WHERE title = 'Arrêté municipal n° 12'", []);
    const fileId = await idOf(ctx.db, "SELECT attachment_id AS id FROM news WHERE id = $1", [id]);
    const resident = new Browser(ctx.app);
    assert.equal((await resident.get(`/rufisque/files/${fileId}`)).statusCode, 404, "not public while the news is a draft");
    assert.equal((await editor.get(`/rufisque/files/${fileId}`)).statusCode, 200, "the editor can check it before publishing");

    await editor.post(`/rufisque/admin/news/${id}/publish`);
    const page = await resident.get(`/rufisque/news/${id}`);
    assert.match(visibleText(page.body), /Télécharger le document arrêté 12\.pdf \(1 Ko\)/);
    const download = await resident.get(`/rufisque/files/${fileId}`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers["content-type"], "application/pdf");
    assert.equal(download.headers["x-content-type-options"], "nosniff");
    assert.match(String(download.headers["content-disposition"]), /^attachment; filename\*=UTF-8''arr%C3%AAt%C3%A9%2012\.pdf$/);
    assert.deepEqual(download.rawPayload, PDF);
  });

  it("a picture is shown in the page with the news title as its text alternative", async () => {
    await editor.postMultipart("/rufisque/admin/news", { ...NEWS, title: "Affiche de la fête" }, { field: "attachment", filename: "affiche.png", data: PNG, type: "image/png" });
    const id = await idOf(ctx.db, "SELECT id FROM news WHERE title = 'Affiche de la fête'", []);
    await editor.post(`/rufisque/admin/news/${id}/publish`);
    const page = await new Browser(ctx.app).get(`/rufisque/news/${id}`);
    assert.match(page.body, /<img src="\/rufisque\/files\/[0-9a-f-]{36}" alt="Affiche de la fête"/);
    const fileId = await idOf(ctx.db, "SELECT attachment_id AS id FROM news WHERE id = $1", [id]);
    const picture = await new Browser(ctx.app).get(`/rufisque/files/${fileId}`);
    assert.equal(picture.headers["content-type"], "image/png");
    assert.match(String(picture.headers["content-disposition"]), /^inline; /);
    assert.equal(picture.headers["x-content-type-options"], "nosniff");
    assert.equal(picture.headers["content-security-policy"], "sandbox; default-src 'none'");
  });

  it("an uploaded HTML page is never a page of the site: staff get it as a sandboxed download, never through /files", async () => {
    const html = Buffer.from("<!doctype html><script>fetch('/account').then(r => r.text()).then(alert)</script>");
    const added = await editor.postMultipart(`/rufisque/admin/data/${datasetId}/resources`, { name: "Page piégée", format: "html" }, { field: "file", filename: "page.html", data: html, type: "text/html" });
    assert.equal(added.statusCode, 303);
    const [resource] = await ctx.db.query<{ id: string; file_id: string }>("SELECT id, file_id FROM dataset_resources WHERE name = 'Page piégée'");
    assert.equal((await editor.get(`/rufisque/files/${resource!.file_id}`)).statusCode, 404, "an id alone opens only a news item's attachment");
    const download = await editor.get(`/rufisque/data/ecoles/resources/${resource!.id}/download`);
    assert.equal(download.statusCode, 200);
    assert.match(String(download.headers["content-disposition"]), /^attachment; filename\*=UTF-8''page\.html$/);
    assert.equal(download.headers["x-content-type-options"], "nosniff");
    assert.equal(download.headers["content-security-policy"], "sandbox; default-src 'none'");
  });

  it("a file recorded as a picture whose bytes are not one is a download, not an image shown inline", async () => {
    const id = await idOf(ctx.db, "SELECT id FROM news WHERE title = 'Affiche de la fête'", []);
    const fileId = await idOf(ctx.db, "SELECT attachment_id AS id FROM news WHERE id = $1", [id]);
    const [file] = await ctx.db.query<{ sha256: string }>("SELECT sha256 FROM stored_files WHERE id = $1", [fileId]);
    // The bytes on disk changed under the row (a restore gone wrong, a tampered disk).
    fs.writeFileSync(path.join(ctx.config.filesDir, file!.sha256.slice(0, 2), file!.sha256), "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>");
    const response = await new Browser(ctx.app).get(`/rufisque/files/${fileId}`);
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-disposition"]), /^attachment; /);
    assert.equal(response.headers["content-type"], "application/octet-stream");
    assert.equal(response.headers["content-security-policy"], "sandbox; default-src 'none'");
  });

  it("a file that only pretends to be a PDF is refused with 400, the form keeps the text, nothing is stored", async () => {
    const before = await ctx.db.query("SELECT id FROM stored_files");
    const html = Buffer.from("<html><script>alert(1)</script></html>");
    const response = await editor.postMultipart("/rufisque/admin/news", { ...NEWS, title: "Faux PDF" }, { field: "attachment", filename: "rapport.pdf", data: html, type: "application/pdf" });
    assert.equal(response.statusCode, 400);
    assert.match(visibleText(response.body), /Ce fichier n'est ni un PDF ni une image/);
    assert.match(response.body, /value="Faux PDF"/);
    assert.equal((await ctx.db.query("SELECT id FROM stored_files")).length, before.length);
    assert.equal((await ctx.db.query("SELECT id FROM news WHERE title = 'Faux PDF'")).length, 0);
  });

  it("a file over the upload limit is refused with 413 and nothing is created", async () => {
    const big = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(65 * 1024, 0x20)]);
    const response = await editor.postMultipart("/rufisque/admin/news", { ...NEWS, title: "Trop gros" }, { field: "attachment", filename: "gros.pdf", data: big });
    assert.equal(response.statusCode, 413);
    assert.match(visibleText(response.body), /trop volumineux/);
    assert.equal((await ctx.db.query("SELECT id FROM news WHERE title = 'Trop gros'")).length, 0);
  });

  it("another municipality's editor gets 404 for an attachment; once its editor removes it, nobody gets it and the audit names the change", async () => {
    const id = await idOf(ctx.db, "SELECT id FROM news WHERE title = 'Arrêté municipal n° 12'", []);
    const fileId = await idOf(ctx.db, "SELECT attachment_id AS id FROM news WHERE id = $1", [id]);
    const labe = new Browser(ctx.app);
    await labe.signIn(labeEditorPhone);
    assert.equal((await labe.get(`/labe/files/${fileId}`)).statusCode, 404);

    const edit = await editor.get(`/rufisque/admin/news/${id}/edit`);
    assert.match(visibleText(edit.body), /Pièce jointe actuelle : arrêté 12\.pdf/);
    const saved = await editor.postMultipart(`/rufisque/admin/news/${id}`, { ...NEWS, title: "Arrêté municipal n° 12", remove_attachment: "on" });
    assert.equal(saved.statusCode, 303);
    assert.equal((await new Browser(ctx.app).get(`/rufisque/files/${fileId}`)).statusCode, 404);
    const [entry] = await ctx.db.query<{ data: { changed: string[] } }>("SELECT data FROM audit_log WHERE subject_id = $1 AND action = 'portal.news.edit'", [id]);
    assert.deepEqual(entry?.data.changed, ["attachment"]);
  });

  it("a file of Labé is never found with Rufisque's id, over HTTP or in the database", async () => {
    const labe = new Browser(ctx.app);
    await labe.signIn(labeEditorPhone);
    await labe.postMultipart("/labe/admin/news", { ...NEWS, title: "Avis de Labé" }, { field: "attachment", filename: "avis.pdf", data: PDF, type: "application/pdf" });
    const [labeId, rufisqueId] = [await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'labe'", []), await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", [])];
    const newsId = await idOf(ctx.db, "SELECT id FROM news WHERE municipality_id = $1 AND title = 'Avis de Labé'", [labeId]);
    assert.equal((await labe.post(`/labe/admin/news/${newsId}/publish`)).statusCode, 303);
    const fileId = await idOf(ctx.db, "SELECT attachment_id AS id FROM news WHERE municipality_id = $1 AND id = $2", [labeId, newsId]);

    assert.equal((await new Browser(ctx.app).get(`/labe/files/${fileId}`)).statusCode, 200, "the id is real and public under Labé");
    assert.equal((await new Browser(ctx.app).get(`/rufisque/files/${fileId}`)).statusCode, 404);
    assert.equal((await editor.get(`/rufisque/files/${fileId}`)).statusCode, 404, "not for Rufisque's staff either");

    assert.equal((await findStoredFile(ctx.db, labeId, fileId))?.original_name, "avis.pdf");
    assert.equal(await findStoredFile(ctx.db, rufisqueId, fileId), undefined);
    const rufisqueNews = await idOf(ctx.db, "SELECT id FROM news WHERE municipality_id = $1 LIMIT 1", [rufisqueId]);
    await assert.rejects(
      ctx.db.query("UPDATE news SET attachment_id = $3 WHERE municipality_id = $1 AND id = $2", [rufisqueId, rufisqueNews, fileId]),
      /news_municipality_id_attachment_id_fkey/,
      "a Rufisque row cannot point at Labé's file",
    );
  });
});

describe("migration: stored files keyed by municipality", () => {
  const MIGRATION = "20261206T080000-core-stored-files-by-municipality.sql";
  const REFERENCES = [
    ["news", "attachment_id"],
    ["proposals", "photo_id"],
    ["meeting_photos", "file_id"],
    ["dataset_resources", "file_id"],
    ["certificates", "file_id"],
  ] as const;
  /** How many rows of each table point at a file, and how many of them find it by (municipality_id, id). */
  const references = async (db: Queryable) => {
    const counts: Record<string, [number, number]> = {};
    for (const [table, column] of REFERENCES) {
      const [row] = await db.query<{ total: number; matched: number }>(
        `SELECT count(r.${column})::int AS total, count(f.id)::int AS matched FROM ${table} r
         LEFT JOIN stored_files f ON f.municipality_id = r.municipality_id AND f.id = r.${column}`,
      );
      counts[table] = [row!.total, row!.matched];
    }
    return counts;
  };

  it("migrates a database holding the demo's files: unowned ones take their user's municipality, orphans go, every reference still resolves", async () => {
    const { db, close } = await createTestDb();
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-files-migration-"));
    try {
      const files = readMigrationFiles();
      assert.ok(files.some((file) => file.name === MIGRATION), "the migration exists");
      await migrate(db, undefined, files.filter((file) => file.name < MIGRATION));
      // The demo seed writes today's schema: the later migrations' additions are laid first,
      // outside the ledger, and run again after the one under test (every migration is safe to
      // run twice, as the migrations runner's test proves).
      for (const file of files.filter((later) => later.name > MIGRATION)) await db.exec(file.sql);
      await seedDemo(db, filesDir);
      const rufisque = await idOf(db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
      const labe = await idOf(db, "SELECT id FROM municipalities WHERE slug = 'labe'", []);
      const unowned = () =>
        idOf(db, "INSERT INTO stored_files (municipality_id, sha256, media_type, size_bytes, original_name) VALUES (NULL, $1, 'application/pdf', 1, 'ancien.pdf') RETURNING id", [randomBytes(32).toString("hex")]);
      const forNews = await unowned();
      const labeNews = await idOf(db, "SELECT id FROM news WHERE municipality_id = $1 LIMIT 1", [labe]);
      await db.query("UPDATE news SET attachment_id = $3 WHERE municipality_id = $1 AND id = $2", [labe, labeNews, forNews]);
      const forDossier = await unowned();
      const dossier = await idOf(db, "SELECT id FROM dossiers WHERE municipality_id = $1 LIMIT 1", [rufisque]);
      await db.query("UPDATE dossiers SET answers = answers || $3::jsonb WHERE municipality_id = $1 AND id = $2", [
        rufisque,
        dossier,
        JSON.stringify({ ancien: [{ piece: { fileId: forDossier, name: "ancien.pdf", mediaType: "application/pdf", sizeBytes: 1 } }] }),
      ]);
      const orphan = await unowned();
      // The demo has no proposal or meeting photos: one of each, as the platform stores them.
      const owned = () =>
        idOf(db, "INSERT INTO stored_files (municipality_id, sha256, media_type, size_bytes, original_name) VALUES ($1, $2, 'image/png', 1, 'photo.png') RETURNING id", [rufisque, randomBytes(32).toString("hex")]);
      const proposal = await idOf(db, "SELECT id FROM proposals WHERE municipality_id = $1 LIMIT 1", [rufisque]);
      await db.query("UPDATE proposals SET photo_id = $3 WHERE municipality_id = $1 AND id = $2", [rufisque, proposal, await owned()]);
      const meeting = await idOf(db, "SELECT id FROM meetings WHERE municipality_id = $1 LIMIT 1", [rufisque]);
      await db.query("INSERT INTO meeting_photos (municipality_id, meeting_id, file_id) VALUES ($1, $2, $3)", [rufisque, meeting, await owned()]);
      // A Rufisque news item pointing at Labé's file: no code path makes one, the migration refuses it.
      const labeFile = await idOf(db, "SELECT id FROM stored_files WHERE municipality_id = $1 LIMIT 1", [labe]);
      const rufisqueNews = await idOf(db, "SELECT id FROM news WHERE municipality_id = $1 LIMIT 1", [rufisque]);
      await db.query("UPDATE news SET attachment_id = $3 WHERE municipality_id = $1 AND id = $2", [rufisque, rufisqueNews, labeFile]);
      const before = await db.query<{ id: string; municipality_id: string | null }>("SELECT id, municipality_id FROM stored_files ORDER BY id");
      const demoReferences = await references(db);
      for (const [table, [total]] of Object.entries(demoReferences)) assert.ok(total > 0, `${table} points at files before the migration`);

      await assert.rejects(migrate(db), /1 row\(s\) of news point at a stored file of another municipality/);
      // Migrations written later wait behind it: the refused one is the first still pending.
      assert.deepEqual((await migrationStatus(db)).pending.filter((name) => name <= MIGRATION), [MIGRATION]);
      assert.deepEqual(await db.query("SELECT id, municipality_id FROM stored_files ORDER BY id"), before, "nothing changed");

      await db.query("UPDATE news SET attachment_id = NULL WHERE municipality_id = $1 AND id = $2", [rufisque, rufisqueNews]);
      await migrate(db);
      const after = await db.query<{ id: string; municipality_id: string }>("SELECT id, municipality_id FROM stored_files ORDER BY id");
      const owner = new Map(after.map((row) => [row.id, row.municipality_id]));
      assert.deepEqual([owner.get(forNews), owner.get(forDossier), owner.has(orphan)], [labe, rufisque, false]);
      assert.deepEqual(
        after.filter((row) => row.id !== forNews && row.id !== forDossier),
        before.filter((row) => row.municipality_id !== null),
        "owned files keep their municipality",
      );
      const migrated = await references(db);
      for (const [table, [total, matched]] of Object.entries(migrated)) assert.equal(matched, total, `${table}: every reference finds its file by municipality`);
      assert.equal(migrated.news![0], demoReferences.news![0] - 1);

      const [key] = await db.query<{ columns: string[] }>(
        `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns FROM pg_constraint c
         CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
         WHERE c.conrelid = 'stored_files'::regclass AND c.contype = 'p'`,
      );
      assert.deepEqual(key?.columns, ["municipality_id", "id"]);
      await assert.rejects(db.query("UPDATE news SET attachment_id = $3 WHERE municipality_id = $1 AND id = $2", [rufisque, rufisqueNews, labeFile]), /news_municipality_id_attachment_id_fkey/);
      await assert.rejects(db.query("INSERT INTO stored_files (sha256, media_type, size_bytes, original_name) VALUES ($1, 'text/plain', 1, 'x')", ["0".repeat(64)]), /municipality_id/);
    } finally {
      await close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    }
  });
});
