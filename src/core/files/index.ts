import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { FastifyReply } from "fastify";
import type { Queryable } from "../db/index.js";

/** Kinds of file the platform accepts, recognised by their first bytes, never by their name. */
export const MEDIA_TYPES = {
  pdf: "application/pdf",
  png: "image/png",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
} as const;
export type MediaType = (typeof MEDIA_TYPES)[keyof typeof MEDIA_TYPES];

const startsWith = (data: Buffer, bytes: number[], offset = 0) => bytes.every((byte, index) => data[offset + index] === byte);

export function sniffMediaType(data: Buffer): MediaType | undefined {
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d])) return MEDIA_TYPES.pdf; // %PDF-
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return MEDIA_TYPES.png;
  if (startsWith(data, [0xff, 0xd8, 0xff])) return MEDIA_TYPES.jpeg;
  if (startsWith(data, [0x47, 0x49, 0x46, 0x38])) return MEDIA_TYPES.gif; // GIF8
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) return MEDIA_TYPES.webp; // RIFF….WEBP
  return undefined;
}

/** A file as it arrives in a multipart form, before it is checked. */
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return !!value && typeof value === "object" && Buffer.isBuffer((value as UploadedFile).data) && typeof (value as UploadedFile).filename === "string";
}

export interface StoredFile {
  /** The municipality that owns the file: with the id, the file's key. */
  municipality_id: string;
  id: string;
  sha256: string;
  /** A sniffed MediaType for pictures and PDFs; for data files, the type of their declared format. */
  media_type: string;
  size_bytes: number;
  original_name: string;
}

function blobPath(filesDir: string, sha256: string): string {
  return path.join(filesDir, sha256.slice(0, 2), sha256);
}

/** Keeps a name a person can recognise, without anything a header or a path could misread. */
export function cleanFileName(name: string): string {
  const base = path.basename(name.replace(/\\/g, "/"));
  const cleaned = base.normalize("NFC").replace(/[^\p{L}\p{N}._ -]/gu, "_").slice(-120).trim();
  return cleaned || "document";
}

/**
 * Writes the bytes under their SHA-256 (the same file uploaded twice is stored once) and records
 * them. The blob is written before the row, so a row never points at a missing file.
 */
export async function storeFile(
  db: Queryable,
  filesDir: string,
  input: { municipalityId: string; data: Buffer; mediaType: string; originalName: string; createdBy: string | null },
): Promise<StoredFile> {
  const sha256 = createHash("sha256").update(input.data).digest("hex");
  const target = blobPath(filesDir, sha256);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.part`;
    fs.writeFileSync(partial, input.data);
    fs.renameSync(partial, target);
  }
  const [row] = await db.query<StoredFile>(
    `INSERT INTO stored_files (municipality_id, sha256, media_type, size_bytes, original_name, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING municipality_id, id, sha256, media_type, size_bytes, original_name`,
    [input.municipalityId, sha256, input.mediaType, input.data.length, cleanFileName(input.originalName), input.createdBy],
  );
  return row!;
}

export async function findStoredFile(db: Queryable, municipalityId: string, id: string): Promise<StoredFile | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await db.query<StoredFile>(
    "SELECT municipality_id, id, sha256, media_type, size_bytes, original_name FROM stored_files WHERE municipality_id = $1 AND id = $2",
    [municipalityId, id],
  );
  return row;
}

export function readStoredFile(filesDir: string, file: StoredFile): Buffer {
  return fs.readFileSync(blobPath(filesDir, file.sha256));
}

/**
 * Removes the bytes of files whose rows were deleted (call it after the deleting transaction has
 * committed), unless another row, of any municipality, still stores the same content.
 * The one query of stored_files that names no municipality: the bytes on disk are shared by every
 * municipality that stored the same content, so whether they are still needed is a network-wide
 * question.
 */
export async function removeUnreferencedBlobs(db: Queryable, filesDir: string, sha256s: string[]): Promise<number> {
  if (sha256s.length === 0) return 0;
  const kept = new Set((await db.query<{ sha256: string }>("SELECT DISTINCT sha256 FROM stored_files WHERE sha256 = ANY($1::text[])", [sha256s])).map((row) => row.sha256));
  let removed = 0;
  for (const sha256 of new Set(sha256s)) {
    if (kept.has(sha256) || !/^[0-9a-f]{64}$/.test(sha256)) continue;
    fs.rmSync(blobPath(filesDir, sha256), { force: true });
    removed += 1;
  }
  return removed;
}

/** The pictures the platform itself shows in its pages (news, proposals, meeting minutes). */
export const INLINE_IMAGE_TYPES: readonly string[] = [MEDIA_TYPES.png, MEDIA_TYPES.jpeg, MEDIA_TYPES.gif, MEDIA_TYPES.webp];

/** `filename*` as RFC 6266 and 5987 spell it, so any name survives and none breaks the header. */
function dispositionFileName(name: string): string {
  return `filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * The one way a stored file leaves the platform. What people uploaded is never a page of this
 * site: it is sent as an attachment, with `nosniff` and a sandboxing policy, so that an HTML or
 * SVG file opened by a member of staff runs nothing in the site's origin. Only the picture types
 * the platform displays are shown inline, and only when the bytes still say they are that
 * picture (a row's media type alone is not trusted).
 */
export function sendStoredFile(
  reply: FastifyReply,
  filesDir: string,
  file: StoredFile,
  options: { cacheControl?: string; fileName?: string } = {},
): FastifyReply {
  const data = readStoredFile(filesDir, file);
  const sniffed = sniffMediaType(data);
  const inline = INLINE_IMAGE_TYPES.includes(file.media_type) && sniffed === file.media_type;
  // A "picture" whose bytes say otherwise is not called a picture either.
  const type = inline ? file.media_type : INLINE_IMAGE_TYPES.includes(file.media_type) ? "application/octet-stream" : file.media_type;
  reply
    // A CSV says its encoding when its bytes are UTF-8; an upload in another one is not mislabelled.
    .type(type === "text/csv" && isUtf8(data) ? "text/csv; charset=utf-8" : type)
    .header("Content-Disposition", `${inline ? "inline" : "attachment"}; ${dispositionFileName(options.fileName ?? file.original_name)}`)
    .header("X-Content-Type-Options", "nosniff")
    .header("Content-Security-Policy", "sandbox; default-src 'none'");
  if (options.cacheControl) reply.header("Cache-Control", options.cacheControl);
  return reply.send(data);
}

/** How long an upload kept for a form that came back with an error waits to be used. */
export const PENDING_UPLOAD_HOURS = 24;

/**
 * Stores an upload for a form that came back with an error, so that the person does not choose
 * the file again: the form carries the returned id. The file belongs to the municipality and is
 * usable by the same user only (see takePendingUpload); unused, it is purged after a day.
 */
export async function keepPendingUpload(
  db: Queryable,
  filesDir: string,
  input: { municipalityId: string; userId: string; data: Buffer; mediaType: string; originalName: string },
): Promise<StoredFile> {
  const file = await storeFile(db, filesDir, { municipalityId: input.municipalityId, data: input.data, mediaType: input.mediaType, originalName: input.originalName, createdBy: input.userId });
  await db.query("UPDATE stored_files SET pending_for = $3, pending_since = now() WHERE municipality_id = $1 AND id = $2", [input.municipalityId, file.id, input.userId]);
  return file;
}

/**
 * A kept upload of this user in this municipality, still waiting, with its bytes; undefined for
 * an id that is not theirs (another user's, another municipality's, a file already in use).
 */
export async function findPendingUpload(db: Queryable, filesDir: string, municipalityId: string, userId: string, fileId: string): Promise<{ file: StoredFile; data: Buffer } | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(fileId)) return undefined;
  const [pending] = await db.query<{ file_id: string }>(
    `SELECT id AS file_id FROM stored_files WHERE municipality_id = $1 AND id = $2 AND pending_for = $3 AND pending_since > now() - make_interval(hours => $4)`,
    [municipalityId, fileId, userId, PENDING_UPLOAD_HOURS],
  );
  if (!pending) return undefined;
  const file = await findStoredFile(db, municipalityId, fileId);
  if (!file) return undefined;
  return { file, data: readStoredFile(filesDir, file) };
}

/** The kept upload is now used by a row: it is no longer pending, and the purge leaves it. */
export async function takePendingUpload(db: Queryable, municipalityId: string, userId: string, fileId: string): Promise<boolean> {
  const taken = await db.query(
    "UPDATE stored_files SET pending_for = NULL, pending_since = NULL WHERE municipality_id = $1 AND id = $2 AND pending_for = $3 RETURNING id",
    [municipalityId, fileId, userId],
  );
  return taken.length === 1;
}

/**
 * Deletes the uploads kept for forms nobody sent again within PENDING_UPLOAD_HOURS, rows and
 * bytes (unless another row stores the same content). Run by the daily purge.
 */
export async function purgeAbandonedUploads(db: Queryable, filesDir: string): Promise<number> {
  const removed = await db.query<{ sha256: string }>(
    "DELETE FROM stored_files WHERE pending_since <= now() - make_interval(hours => $1) RETURNING sha256",
    [PENDING_UPLOAD_HOURS],
  );
  await removeUnreferencedBlobs(db, filesDir, removed.map((row) => row.sha256));
  return removed.length;
}
