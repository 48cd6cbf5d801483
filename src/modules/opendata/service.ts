import { numeric, toCsv as writeCsv, type CsvValue } from "../../core/export/csv.js";
import path from "node:path";
import { recordAudit } from "../../core/audit/index.js";
import type { Db, Tx } from "../../core/db/index.js";
import { findStoredFile, readStoredFile, sniffMediaType, storeFile, takePendingUpload } from "../../core/files/index.js";
import { AppError, refusedOnField } from "../../core/http/errors.js";
import type { FormReader } from "../../core/http/forms.js";
import { LOCALES } from "../../core/i18n/index.js";
import { SLUG_PATTERN } from "../../core/tenancy/index.js";
import { OPENDATA_REASONS } from "./reasons.js";
import * as store from "./store.js";
import { FORMAT_MEDIA_TYPES, FREQUENCY_IDS, LICENCE_IDS, THEME_CODES } from "./vocabulary.js";
import { readCsv, UnreadableFileError } from "./datastore/parse.js";
import { readXlsx } from "./datastore/xlsx.js";
import type { FieldType } from "./datastore/infer.js";
import { prepareTable, type PreparedTable } from "./datastore/prepare.js";
import * as datastore from "./datastore/store.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MAX_TAGS = 20;

function readDate(form: FormReader, name: string): string | null {
  const value = form.text(name, { max: 10 });
  if (!value) return null;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    form.fail(name, "opendata.error.date");
    return null;
  }
  return value;
}

/** Tags as people type them ("budget, Finances ,marchés") become a clean, unique, lower-case list. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((tag) => tag.trim().toLowerCase().replace(/\s+/g, " ")).filter(Boolean))];
}

export function readDatasetInput(form: FormReader): store.DatasetInput {
  const tagsText = form.text("tags", { max: 1000 });
  const tags = parseTags(tagsText);
  if (tags.length > MAX_TAGS) form.fail("tags", "opendata.error.too_many_tags", { max: MAX_TAGS });
  if (tags.some((tag) => tag.length > 50)) form.fail("tags", "opendata.error.tag_too_long", { max: 50 });
  const input: store.DatasetInput = {
    title: form.text("title", { required: true, max: 200 }),
    slug: form.text("slug", { required: true, max: 100, pattern: SLUG_PATTERN }),
    description: form.text("description", { max: 20_000 }),
    themes: form.list("themes", THEME_CODES),
    tags,
    licence: form.choice("licence", LICENCE_IDS) ?? "",
    frequency: form.choice("frequency", FREQUENCY_IDS) ?? "irregular",
    spatial: form.text("spatial", { max: 200 }),
    temporal_start: readDate(form, "temporal_start"),
    temporal_end: readDate(form, "temporal_end"),
    contact_name: form.text("contact_name", { max: 120 }),
    contact_email: form.text("contact_email", { max: 200 }),
    language: form.choice("language", LOCALES) ?? "fr",
  };
  if (input.contact_email && !EMAIL.test(input.contact_email)) form.fail("contact_email", "auth.error.invalid_email");
  if (input.temporal_start && input.temporal_end && input.temporal_end < input.temporal_start) form.fail("temporal_end", "opendata.error.period");
  return input;
}

/** The format of an upload: what its first bytes prove, else its extension (CSV, JSON, XLSX…). */
export function formatOf(filename: string, data: Buffer): string {
  const sniffed = sniffMediaType(data);
  if (sniffed === "application/pdf") return "PDF";
  if (sniffed) return sniffed.split("/")[1]!.toUpperCase();
  const extension = path.extname(filename).slice(1).toUpperCase();
  return /^[A-Z0-9]{1,10}$/.test(extension) ? extension : "BIN";
}

/** The media type a resource's file is stored with: what its bytes prove, else its format's. */
export function mediaTypeOf(data: Buffer, format: string): string {
  return sniffMediaType(data) ?? FORMAT_MEDIA_TYPES[format] ?? "application/octet-stream";
}

export interface ResourceInput {
  name: string;
  description: string;
  url: string | null;
  upload: { filename: string; data: Buffer } | undefined;
  format: string;
  /** A tabular upload, read and typed, ready for the datastore. */
  table?: PreparedTable;
  /** The upload is one kept when the form last came back with an error: this stored file. */
  keptFileId?: string;
}

/**
 * A resource's name from its file's, when the person gave none: the name without its extension,
 * underscores and hyphens as spaces, the first letter capital ("budget_2026-final.csv" → "Budget 2026 final").
 */
export function nameFromFile(filename: string): string {
  const base = path.basename(filename.replace(/\\/g, "/")).replace(/\.[A-Za-z0-9]{1,10}$/, "");
  const spaced = base.replace(/[_\s-]+/g, " ").trim();
  const name = spaced.length > 0 ? spaced[0]!.toLocaleUpperCase() + spaced.slice(1) : "";
  return name.slice(0, 200) || filename.slice(0, 200);
}

/**
 * Reads the form adding a resource. `kept` is the upload kept from the form's last attempt, used
 * when no new file is chosen. Without a name, the file's own becomes the resource's.
 */
export async function readResourceInput(form: FormReader, kept?: { id: string; filename: string; data: Buffer }): Promise<ResourceInput> {
  const chosen = form.file("file");
  const upload = chosen ?? (kept ? { filename: kept.filename, data: kept.data } : undefined);
  const url = form.text("url", { max: 2000 });
  const input: ResourceInput = {
    name: form.text("name", { required: !upload, max: 200 }),
    description: form.text("description", { max: 5000 }),
    url: url || null,
    upload,
    format: form.text("format", { max: 20, pattern: /^[A-Za-z0-9]+$/ }).toUpperCase(),
    ...(!chosen && kept ? { keptFileId: kept.id } : {}),
  };
  if (!input.name && upload) input.name = nameFromFile(upload.filename);
  if (upload && url) form.fail("url", "opendata.error.file_or_link");
  if (!upload && !url) form.fail("file", "opendata.error.file_or_link");
  if (url) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== "https:" && parsed.protocol !== "http:") form.fail("url", "opendata.error.url");
    } catch {
      form.fail("url", "opendata.error.url");
    }
    if (!input.format) form.fail("format", "form.required");
  }
  if (upload && !input.format) input.format = formatOf(upload.filename, upload.data);
  if (upload) {
    try {
      input.table = await readTable(upload.data, input.format);
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) throw error;
      form.fail("file", error.reasonKey, error.params);
    }
  }
  return input;
}

/** Tabular formats go to the datastore: CSV, and the first sheet of an XLSX workbook. */
async function readTable(data: Buffer, format: string, declaredTypes: Record<string, FieldType> = {}): Promise<PreparedTable | undefined> {
  if (format === "CSV") return prepareTable(readCsv(data), declaredTypes);
  if (format === "XLSX") return prepareTable(await readXlsx(data), declaredTypes);
  return undefined;
}

function changedFields(before: store.DatasetRow, after: store.DatasetRow): string[] {
  const fields: (keyof store.DatasetInput)[] = ["slug", "title", "description", "themes", "tags", "licence", "frequency", "spatial", "temporal_start", "temporal_end", "contact_name", "contact_email", "language"];
  return fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

/** Keeps the published state as a new version: the dataset with its resources, who, when, what changed. */
async function recordVersion(tx: Tx, municipalityId: string, datasetId: string, actorId: string, changed: string[]): Promise<number> {
  const version = await store.bumpDatasetVersion(tx, municipalityId, datasetId);
  const dataset = await store.getDataset(tx, municipalityId, datasetId);
  const resources = await store.listResources(tx, municipalityId, [datasetId]);
  await store.insertVersion(tx, {
    municipalityId,
    datasetId,
    version,
    snapshot: { ...dataset, resources: resources.map(({ id, name, format, url, file_id, size_bytes }) => ({ id, name, format, url, file_id, size_bytes })) },
    changed,
    publishedBy: actorId,
  });
  return version;
}

async function ensureSlugFree(tx: Tx, municipalityId: string, slug: string, selfId?: string): Promise<void> {
  const clash = await store.getDatasetBySlug(tx, municipalityId, slug);
  if (clash && clash.id !== selfId) throw refusedOnField("slug", OPENDATA_REASONS.DATASET_SLUG_TAKEN);
}

export async function createDataset(db: Db, municipalityId: string, actorId: string, input: store.DatasetInput): Promise<store.DatasetRow> {
  return db.transaction(async (tx) => {
    await ensureSlugFree(tx, municipalityId, input.slug);
    const dataset = await store.insertDataset(tx, municipalityId, input, actorId);
    await recordAudit(tx, { actorId, municipalityId, action: "opendata.dataset.create", subjectType: "dataset", subjectId: dataset.id, data: { slug: dataset.slug } });
    return dataset;
  });
}

export async function editDataset(db: Db, municipalityId: string, actorId: string, id: string, input: store.DatasetInput): Promise<store.DatasetRow> {
  return db.transaction(async (tx) => {
    const before = await store.getDataset(tx, municipalityId, id);
    if (!before) throw new AppError("NOT_FOUND");
    await ensureSlugFree(tx, municipalityId, input.slug, id);
    const after = (await store.updateDataset(tx, municipalityId, id, input, actorId))!;
    const changed = changedFields(before, after);
    const version = after.status === "published" && changed.length > 0 ? await recordVersion(tx, municipalityId, id, actorId, changed) : undefined;
    await recordAudit(tx, { actorId, municipalityId, action: "opendata.dataset.edit", subjectType: "dataset", subjectId: id, data: { changed, ...(version ? { version } : {}) } });
    return after;
  });
}

export async function setDatasetPublication(db: Db, municipalityId: string, actorId: string, id: string, status: store.DatasetStatus): Promise<store.DatasetRow> {
  return db.transaction(async (tx) => {
    const before = await store.getDataset(tx, municipalityId, id);
    if (!before) throw new AppError("NOT_FOUND");
    if (status === "published" && (await store.listResources(tx, municipalityId, [id])).length === 0) {
      throw refusedOnField("resources", OPENDATA_REASONS.DATASET_WITHOUT_RESOURCE);
    }
    const dataset = (await store.setDatasetStatus(tx, municipalityId, id, status, actorId))!;
    const version = status === "published" && before.status !== "published" ? await recordVersion(tx, municipalityId, id, actorId, ["status"]) : undefined;
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: status === "published" ? "opendata.dataset.publish" : "opendata.dataset.unpublish",
      subjectType: "dataset",
      subjectId: id,
      data: { slug: dataset.slug, ...(version ? { version } : {}) },
    });
    return dataset;
  });
}

export async function addResource(db: Db, filesDir: string, municipalityId: string, actorId: string, datasetId: string, input: ResourceInput): Promise<string> {
  return db.transaction(async (tx) => {
    const dataset = await store.getDataset(tx, municipalityId, datasetId);
    if (!dataset) throw new AppError("NOT_FOUND");
    let fileId: string | null = null;
    if (input.keptFileId) {
      // The file kept from the form's last attempt is used as it is, and is no longer pending.
      if (!(await takePendingUpload(tx, municipalityId, actorId, input.keptFileId))) throw new AppError("NOT_FOUND");
      fileId = input.keptFileId;
    } else if (input.upload) {
      const mediaType = mediaTypeOf(input.upload.data, input.format);
      fileId = (await storeFile(tx, filesDir, { municipalityId, data: input.upload.data, mediaType, originalName: input.upload.filename, createdBy: actorId })).id;
    }
    const id = await store.insertResource(tx, municipalityId, { datasetId, name: input.name, description: input.description, fileId, url: fileId ? null : input.url, format: input.format });
    if (input.table) await datastore.replaceTable(tx, municipalityId, id, input.table);
    await store.touchDataset(tx, municipalityId, datasetId, actorId);
    const version = dataset.status === "published" ? await recordVersion(tx, municipalityId, datasetId, actorId, ["resources"]) : undefined;
    await recordAudit(tx, { actorId, municipalityId, action: "opendata.resource.add", subjectType: "dataset", subjectId: datasetId, data: { resource: id, name: input.name, ...(version ? { version } : {}) } });
    return id;
  });
}

export async function removeResource(db: Db, municipalityId: string, actorId: string, datasetId: string, resourceId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const dataset = await store.getDataset(tx, municipalityId, datasetId);
    if (!dataset || !(await store.deleteResource(tx, municipalityId, datasetId, resourceId))) throw new AppError("NOT_FOUND");
    await datastore.dropTable(tx, resourceId);
    await store.touchDataset(tx, municipalityId, datasetId, actorId);
    const version = dataset.status === "published" ? await recordVersion(tx, municipalityId, datasetId, actorId, ["resources"]) : undefined;
    await recordAudit(tx, { actorId, municipalityId, action: "opendata.resource.remove", subjectType: "dataset", subjectId: datasetId, data: { resource: resourceId, ...(version ? { version } : {}) } });
  });
}

/**
 * Replaces a tabular resource's file and its datastore table in one transaction: until it commits,
 * everyone reads the previous version; if the new file cannot be read, nothing changes.
 */
export async function replaceResourceFile(
  db: Db,
  filesDir: string,
  municipalityId: string,
  actorId: string,
  datasetId: string,
  resourceId: string,
  upload: { filename: string; data: Buffer; table: PreparedTable | undefined; format: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    const dataset = await store.getDataset(tx, municipalityId, datasetId);
    const resource = await store.getResource(tx, municipalityId, resourceId);
    if (!dataset || !resource || resource.dataset_id !== datasetId) throw new AppError("NOT_FOUND");
    const mediaType = sniffMediaType(upload.data) ?? FORMAT_MEDIA_TYPES[upload.format] ?? "application/octet-stream";
    const file = await storeFile(tx, filesDir, { municipalityId, data: upload.data, mediaType, originalName: upload.filename, createdBy: actorId });
    await store.replaceResourceFile(tx, municipalityId, resourceId, file.id, upload.format);
    if (upload.table) await datastore.replaceTable(tx, municipalityId, resourceId, upload.table);
    else await datastore.dropTable(tx, resourceId);
    await store.touchDataset(tx, municipalityId, datasetId, actorId);
    const version = dataset.status === "published" ? await recordVersion(tx, municipalityId, datasetId, actorId, ["resources"]) : undefined;
    await recordAudit(tx, { actorId, municipalityId, action: "opendata.resource.replace", subjectType: "dataset", subjectId: datasetId, data: { resource: resourceId, ...(version ? { version } : {}) } });
  });
}

/** Reads a replacement upload: a file is required, and a CSV must be readable. */
export async function readReplacement(form: FormReader): Promise<{ filename: string; data: Buffer; table: PreparedTable | undefined; format: string } | undefined> {
  const upload = form.file("file");
  if (!upload) {
    form.fail("file", "form.required");
    return undefined;
  }
  const format = formatOf(upload.filename, upload.data);
  try {
    return { filename: upload.filename, data: upload.data, table: await readTable(upload.data, format), format };
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    form.fail("file", error.reasonKey, error.params);
    return undefined;
  }
}

/** A datastore value as the CSV writer takes it: numbers keep their digits, dates their day. */
function csvValueOf(value: unknown, type: string): CsvValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (type === "integer" || type === "number") return numeric(String(value));
  return String(value);
}

/** Rows as CSV for spreadsheets, through the platform's one writer (formulas defused). */
export function toCsv(fields: { name: string; title: string; type: string }[], records: Record<string, unknown>[]): string {
  return writeCsv(
    fields.map((field) => field.title),
    records.map((record) => fields.map((field) => csvValueOf(record[field.name], field.type))),
  );
}

export const FIELD_TYPES: FieldType[] = ["string", "integer", "number", "date", "boolean"];

/**
 * Applies the editor's Table Schema: reloads the original file with the declared column types, in
 * one transaction, and reports values that do not fit them. Returns the new quality report.
 */
export async function applyTableSchema(
  db: Db,
  filesDir: string,
  municipalityId: string,
  actorId: string,
  datasetId: string,
  resourceId: string,
  declaredTypes: Record<string, FieldType>,
): Promise<void> {
  const resource = await store.getResource(db, municipalityId, resourceId);
  const dataset = await store.getDataset(db, municipalityId, datasetId);
  if (!resource || !dataset || resource.dataset_id !== datasetId || !resource.file_id) throw new AppError("NOT_FOUND");
  const file = await findStoredFile(db, municipalityId, resource.file_id);
  if (!file) throw new AppError("NOT_FOUND");
  const table = await readTable(readStoredFile(filesDir, file), resource.format, declaredTypes);
  if (!table) throw new AppError("NOT_FOUND");
  await db.transaction(async (tx) => {
    await datastore.replaceTable(tx, municipalityId, resourceId, table);
    await store.touchDataset(tx, municipalityId, datasetId, actorId);
    const version = dataset.status === "published" ? await recordVersion(tx, municipalityId, datasetId, actorId, ["resources"]) : undefined;
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: "opendata.resource.schema",
      subjectType: "dataset",
      subjectId: datasetId,
      data: { resource: resourceId, types: declaredTypes, ...(version ? { version } : {}) },
    });
  });
}

/**
 * Loads a tabular file (CSV, XLSX) into the datastore table of an existing resource, inside the
 * caller's transaction. For imports and demo data, which create resources without a form.
 */
/** Loads a tabular file into the datastore; returns the rows loaded (0 for a file that is not a table). */
export async function loadResourceTable(tx: Tx, municipalityId: string, resourceId: string, data: Buffer, format: string): Promise<number> {
  const table = await readTable(data, format);
  if (!table) return 0;
  await datastore.replaceTable(tx, municipalityId, resourceId, table);
  return table.report.rows;
}
