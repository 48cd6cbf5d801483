import { recordAudit } from "../../core/audit/index.js";
import { grantMunicipalRole, revokeMunicipalRole } from "../../core/auth/accounts.js";
import type { MunicipalRole } from "../../core/auth/roles.js";
import type { Db, Tx } from "../../core/db/index.js";
import { AppError, refusedOnField } from "../../core/http/errors.js";
import type { FormReader } from "../../core/http/forms.js";
import { MEDIA_TYPES, sniffMediaType, storeFile, type MediaType } from "../../core/files/index.js";
import { LOCALES } from "../../core/i18n/index.js";
import { normalizeBrandColor } from "../../core/tenancy/brand.js";
import { africanTimeZones, getNetwork, setMunicipalityBrandColor, insertMunicipality, listCountries, REFERENCE_CODE_PATTERN, RESERVED_SLUGS, SLUG_PATTERN, type Municipality, type NewMunicipality } from "../../core/tenancy/index.js";
import { PORTAL_REASONS } from "./reasons.js";
import * as store from "./store.js";

/** Reads and checks a news item from a form (the same rules serve the JSON API). */
export function readNewsInput(form: FormReader): store.NewsInput {
  return {
    title: form.text("title", { required: true, max: 200 }),
    summary: form.text("summary", { max: 500 }),
    body: form.text("body", { required: true, max: 50_000 }),
    language: form.choice("language", LOCALES) ?? "fr",
  };
}

export function readPageInput(form: FormReader): store.PageInput {
  return {
    slug: form.text("slug", { required: true, max: 80, pattern: SLUG_PATTERN }),
    title: form.text("title", { required: true, max: 200 }),
    body: form.text("body", { required: true, max: 50_000 }),
    language: form.choice("language", LOCALES) ?? "fr",
  };
}

/** What a news form says about its attachment: a new file, removal, or nothing. */
export interface AttachmentChange {
  file?: { data: Buffer; mediaType: MediaType; filename: string };
  remove: boolean;
}

const ATTACHMENT_TYPES: MediaType[] = Object.values(MEDIA_TYPES);

export function readAttachment(form: FormReader): AttachmentChange {
  const upload = form.file("attachment");
  const remove = form.checked("remove_attachment");
  if (!upload) return { remove };
  const mediaType = sniffMediaType(upload.data);
  if (!mediaType || !ATTACHMENT_TYPES.includes(mediaType)) {
    form.fail("attachment", "portal.error.attachment_type");
    return { remove };
  }
  return { file: { data: upload.data, mediaType, filename: upload.filename }, remove };
}

async function applyAttachment(tx: Tx, filesDir: string, municipalityId: string, actorId: string, newsId: string, change: AttachmentChange): Promise<string | null | undefined> {
  if (change.file) {
    const stored = await storeFile(tx, filesDir, { municipalityId, data: change.file.data, mediaType: change.file.mediaType, originalName: change.file.filename, createdBy: actorId });
    await store.setNewsAttachment(tx, municipalityId, newsId, stored.id);
    return stored.id;
  }
  if (change.remove) {
    await store.setNewsAttachment(tx, municipalityId, newsId, null);
    return null;
  }
  return undefined;
}

function changedFields<T extends object>(before: T, after: T, fields: (keyof T)[]): string[] {
  return fields.filter((field) => before[field] !== after[field]).map(String);
}

export async function createNews(
  db: Db,
  municipalityId: string,
  actorId: string,
  input: store.NewsInput,
  attachment: { change: AttachmentChange; filesDir: string } | undefined = undefined,
): Promise<store.NewsRow> {
  return db.transaction(async (tx) => {
    const news = await store.insertNews(tx, municipalityId, input, actorId);
    const attachmentId = attachment ? await applyAttachment(tx, attachment.filesDir, municipalityId, actorId, news.id, attachment.change) : undefined;
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: "portal.news.create",
      subjectType: "news",
      subjectId: news.id,
      data: { title: news.title, ...(attachmentId ? { attachment: attachmentId } : {}) },
    });
    return { ...news, attachment_id: attachmentId ?? null };
  });
}

export async function editNews(
  db: Db,
  municipalityId: string,
  actorId: string,
  id: string,
  input: store.NewsInput,
  attachment: { change: AttachmentChange; filesDir: string } | undefined = undefined,
): Promise<store.NewsRow> {
  return db.transaction(async (tx) => {
    const before = await store.getNews(tx, municipalityId, id);
    if (!before) throw new AppError("NOT_FOUND");
    const after = (await store.updateNews(tx, municipalityId, id, input, actorId))!;
    const changed = changedFields(before, after, ["title", "summary", "body", "language"]);
    const attachmentId = attachment ? await applyAttachment(tx, attachment.filesDir, municipalityId, actorId, id, attachment.change) : undefined;
    if (attachmentId !== undefined) changed.push("attachment");
    await recordAudit(tx, { actorId, municipalityId, action: "portal.news.edit", subjectType: "news", subjectId: id, data: { changed, status: after.status } });
    return after;
  });
}

export async function setNewsPublication(db: Db, municipalityId: string, actorId: string, id: string, status: store.PublicationStatus): Promise<store.NewsRow> {
  return db.transaction(async (tx) => {
    const news = await store.setNewsStatus(tx, municipalityId, id, status, actorId);
    if (!news) throw new AppError("NOT_FOUND");
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: status === "published" ? "portal.news.publish" : "portal.news.unpublish",
      subjectType: "news",
      subjectId: id,
      data: { title: news.title },
    });
    return news;
  });
}

export async function createPage(db: Db, municipalityId: string, actorId: string, input: store.PageInput): Promise<store.PageRow> {
  return db.transaction(async (tx) => {
    if (await store.getPageBySlug(tx, municipalityId, input.slug)) throw refusedOnField("slug", PORTAL_REASONS.PAGE_SLUG_TAKEN);
    const page = await store.insertPage(tx, municipalityId, input, actorId);
    await recordAudit(tx, { actorId, municipalityId, action: "portal.page.create", subjectType: "page", subjectId: page.id, data: { slug: page.slug } });
    return page;
  });
}

export async function editPage(db: Db, municipalityId: string, actorId: string, id: string, input: store.PageInput): Promise<store.PageRow> {
  return db.transaction(async (tx) => {
    const before = await store.getPage(tx, municipalityId, id);
    if (!before) throw new AppError("NOT_FOUND");
    const clash = await store.getPageBySlug(tx, municipalityId, input.slug);
    if (clash && clash.id !== id) throw refusedOnField("slug", PORTAL_REASONS.PAGE_SLUG_TAKEN);
    const after = (await store.updatePage(tx, municipalityId, id, input, actorId))!;
    const changed = changedFields(before, after, ["slug", "title", "body", "language"]);
    await recordAudit(tx, { actorId, municipalityId, action: "portal.page.edit", subjectType: "page", subjectId: id, data: { changed, status: after.status } });
    return after;
  });
}

export async function setPagePublication(db: Db, municipalityId: string, actorId: string, id: string, status: store.PublicationStatus): Promise<store.PageRow> {
  return db.transaction(async (tx) => {
    const page = await store.setPageStatus(tx, municipalityId, id, status, actorId);
    if (!page) throw new AppError("NOT_FOUND");
    await recordAudit(tx, {
      actorId,
      municipalityId,
      action: status === "published" ? "portal.page.publish" : "portal.page.unpublish",
      subjectType: "page",
      subjectId: id,
      data: { slug: page.slug },
    });
    return page;
  });
}

/**
 * Reads the identity form: a #rrggbb colour from the colour picker, or the network's colour
 * back when "reset" is ticked (null).
 */
export function readIdentityInput(form: FormReader): string | null {
  const reset = form.checked("reset_color");
  // No length rule of its own: whatever is not #rrggbb gets the one message saying what is wanted.
  const raw = form.text("brand_color");
  if (reset) return null;
  const color = normalizeBrandColor(raw);
  if (!color) form.fail("brand_color", "portal.error.brand_color");
  return color ?? null;
}

/** Records the municipality's identity colour, with its audit entry. */
export async function setIdentity(db: Db, municipalityId: string, actorId: string, color: string | null): Promise<Municipality> {
  return db.transaction(async (tx) => {
    const updated = await setMunicipalityBrandColor(tx, municipalityId, color);
    if (!updated) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "portal.identity.set", subjectType: "municipality", subjectId: municipalityId, data: { brand_color: color } });
    return updated;
  });
}

export async function addOfficial(db: Db, municipalityId: string, actorId: string, input: { name: string; title: string; position: number }): Promise<store.OfficialRow> {
  return db.transaction(async (tx) => {
    const official = await store.insertOfficial(tx, municipalityId, input);
    await recordAudit(tx, { actorId, municipalityId, action: "portal.official.add", subjectType: "official", subjectId: official.id, data: { name: official.name, title: official.title } });
    return official;
  });
}

export async function removeOfficial(db: Db, municipalityId: string, actorId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const official = await store.deleteOfficial(tx, municipalityId, id);
    if (!official) throw new AppError("NOT_FOUND");
    await recordAudit(tx, { actorId, municipalityId, action: "portal.official.remove", subjectType: "official", subjectId: id, data: { name: official.name, title: official.title } });
  });
}

/** Gives an account a staff role in the municipality (recorded in the audit log by the grant). */
export async function grantStaffRole(db: Db, municipalityId: string, actorId: string, userId: string, role: MunicipalRole): Promise<void> {
  await db.transaction((tx) => grantMunicipalRole(tx, { municipalityId, userId, role, grantedBy: actorId }));
}

/** Takes a staff role back; false when the account did not hold it. */
export async function revokeStaffRole(db: Db, municipalityId: string, actorId: string, userId: string, role: MunicipalRole): Promise<boolean> {
  return db.transaction((tx) => revokeMunicipalRole(tx, { municipalityId, userId, role, revokedBy: actorId }));
}

/** Reads a new municipality from the network administrator's form, against the known countries. */
export async function readMunicipalityInput(db: Db, form: FormReader): Promise<NewMunicipality> {
  const countries = (await listCountries(db)).map((country) => country.code);
  const languages = LOCALES.filter((locale) => form.text(`lang_${locale}`) === "on");
  const referenceCode = form.text("reference_code", { required: true, max: 8 }).toUpperCase();
  if (referenceCode && !REFERENCE_CODE_PATTERN.test(referenceCode)) form.fail("reference_code", "portal.error.reference_code_format");
  if (languages.length === 0) form.fail("lang_fr", "portal.error.language_required");
  return {
    slug: form.text("slug", { required: true, max: 60, pattern: SLUG_PATTERN }),
    referenceCode,
    name: form.text("name", { required: true, max: 200 }),
    countryCode: form.choice("country", countries) ?? "",
    region: form.text("region", { required: true, max: 120 }),
    timeZone: form.choice("time_zone", africanTimeZones()) ?? "",
    languages,
    description: form.text("description", { max: 1000 }),
  };
}

export async function createMunicipality(db: Db, actorId: string, input: NewMunicipality): Promise<Municipality> {
  return db.transaction(async (tx) => {
    if (RESERVED_SLUGS.has(input.slug) || (await store.municipalitySlugTaken(tx, input.slug))) throw refusedOnField("slug", PORTAL_REASONS.MUNICIPALITY_SLUG_TAKEN);
    if (await store.referenceCodeTaken(tx, input.referenceCode)) throw refusedOnField("reference_code", PORTAL_REASONS.MUNICIPALITY_REFERENCE_CODE_TAKEN);
    const network = await getNetwork(tx);
    const municipality = await insertMunicipality(tx, input, network?.id ?? null);
    await recordAudit(tx, {
      actorId,
      municipalityId: municipality.id,
      action: "portal.municipality.create",
      subjectType: "municipality",
      subjectId: municipality.id,
      data: { slug: municipality.slug, name: municipality.name, country: municipality.country_code },
    });
    return municipality;
  });
}
