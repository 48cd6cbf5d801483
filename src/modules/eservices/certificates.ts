/**
 * Verifiable certificates: the documents the e-services issue (extract of a birth certificate,
 * certificate of residence…) carry a QR code holding a signed token, so anyone can check them,
 * even offline, and the PDF file itself is signed so a copy with one byte changed is detected.
 *
 * Pure library: no database, no HTTP. Keys are passed in and out as base64url strings.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ed25519 } from "@noble/curves/ed25519.js";
import type { PDFFont, PDFPage, RGB } from "pdf-lib";
import { Encoder } from "cbor-x";
import QRCode from "qrcode";

/** Tokens of the first issues: base64url JSON, still verified (the QR codes already printed carry them). */
export const LEGACY_TOKEN_PREFIX = "CO1";
/** CBOR in base32: a third of the size, and only characters of the QR code's alphanumeric mode. */
export const TOKEN_PREFIX = "CO2";
/** Past this a QR code at error correction M no longer holds the verification URL comfortably. */
export const MAX_TOKEN_LENGTH = 2000;

export interface SigningKey {
  /** Key id: the first 16 hex characters of sha256(public key bytes). */
  kid: string;
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
  /** Raw 32-byte Ed25519 secret key (seed), base64url. */
  privateKey: string;
}

/** What a token signs: the document's number, type, date and key fields, and the key that signed it. */
export interface CertificatePayload {
  v: 1 | 2;
  kid: string;
  /** Document number, e.g. RUF-2026-00042-C1. */
  ref: string;
  /** Procedure title. */
  proc: string;
  /** ISO date-time of issue (whole seconds since v2). */
  iss: string;
  /** Key fields shown on verification (holder name, birth date…), keyed by their display label, in the document's order. */
  fields: Record<string, string>;
  /** v1 only: the municipality's slug and name. v2 leaves them out: the kid names the municipality. */
  mun?: string;
  mname?: string;
}

export interface ReadToken {
  payload: CertificatePayload;
  /** The exact bytes the signature covers: the UTF-8 JSON (v1) or the CBOR (v2) as carried in the token. */
  signedBytes: Uint8Array;
  signature: Uint8Array;
}

/** The payload of an invalid or unknown-key token is whatever the bearer wrote: never show it as trustworthy. */
export type VerifyResult =
  | { status: "valid"; payload: CertificatePayload }
  | { status: "invalid" | "unknown_key"; payload: CertificatePayload }
  | { status: "malformed"; payload?: undefined };

const LEGACY_PAYLOAD_KEYS = ["v", "kid", "ref", "mun", "mname", "proc", "iss", "fields"] as const;
const LEGACY_STRING_KEYS = ["ref", "mun", "mname", "proc", "iss"] as const;
const KID = /^[0-9a-f]{16}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/**
 * Only the canonical encoding is accepted: Node's decoder ignores the unused low bits of the last
 * character, so without the round-trip check a token with its last character changed would still verify.
 */
function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const buffer = Buffer.from(text, "base64url");
  if (buffer.toString("base64url") !== text) return null;
  return new Uint8Array(buffer);
}

function keyBytes(key: string, what: string): Uint8Array {
  const bytes = fromBase64Url(key);
  if (!bytes || bytes.length !== 32) throw new TypeError(`${what} is not a base64url-encoded 32-byte Ed25519 key`);
  return bytes;
}

export function kidOf(publicKey: string): string {
  return sha256Hex(keyBytes(publicKey, "public key")).slice(0, 16);
}

export function generateSigningKey(): SigningKey {
  const secret = new Uint8Array(randomBytes(32));
  const publicKey = toBase64Url(ed25519.getPublicKey(secret));
  return { kid: kidOf(publicKey), publicKey, privateKey: toBase64Url(secret) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isLegacyPayload(value: unknown): value is CertificatePayload {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  // Exact key set: an extra key would be signed but shown nowhere, a place to hide things.
  if (keys.length !== LEGACY_PAYLOAD_KEYS.length || !LEGACY_PAYLOAD_KEYS.every((key) => Object.hasOwn(value, key))) return false;
  if (value.v !== 1 || typeof value.kid !== "string" || !KID.test(value.kid)) return false;
  if (!LEGACY_STRING_KEYS.every((key) => typeof value[key] === "string")) return false;
  const fields = value.fields;
  return isPlainObject(fields) && Object.values(fields).every((field) => typeof field === "string");
}

// ——— Base32 (RFC 4648, upper case, no padding) ———
// Hand-written (ten lines, Node has none): base45, as in the EU's certificates, has a space and
// "%" in its alphabet, which do not survive in the URL fragment that carries the token; base32
// stays inside the QR code's alphanumeric mode and costs 7 % more.

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function toBase32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) out += BASE32[(buffer >>> (bits -= 5)) & 31];
  }
  return bits > 0 ? out + BASE32[(buffer << (5 - bits)) & 31] : out;
}

/** Canonical input only: the unused low bits of the last character must be zero, as the round trip checks. */
export function fromBase32(text: string): Uint8Array | null {
  if (!/^[A-Z2-7]*$/.test(text) || [1, 3, 6].includes(text.length % 8)) return null;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    buffer = ((buffer << 5) | BASE32.indexOf(char)) & 0xffff;
    bits += 5;
    if (bits >= 8) bytes.push((buffer >>> (bits -= 8)) & 0xff);
  }
  const result = Uint8Array.from(bytes);
  return toBase32(result) === text ? result : null;
}

// ——— Compact payload (v2): a CBOR array ———
// [kid (8 bytes), number, issued (Unix seconds), title, [label, value, label, value…]]. The
// municipality is not repeated: the kid names it, and only its key can have signed.

const cbor = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: false, variableMapSize: true });

/** Whole seconds, as the compact payload carries them: the PDF's dates use the same instant. */
export const toWholeSeconds = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);

function compactBytes(payload: CertificatePayload): Uint8Array {
  const issued = Date.parse(payload.iss);
  // v2 only, and nothing it would not carry: a field left out silently would be a field unsigned.
  if (payload.v !== 2 || payload.mun !== undefined || payload.mname !== undefined) throw new TypeError("not a compact certificate payload");
  if (!KID.test(payload.kid) || !Number.isFinite(issued) || issued % 1000 !== 0 || issued < 0) throw new TypeError("not a certificate payload");
  const fields = Object.entries(payload.fields);
  if (typeof payload.ref !== "string" || payload.ref === "" || typeof payload.proc !== "string" || !fields.every(([, value]) => typeof value === "string")) throw new TypeError("not a certificate payload");
  return new Uint8Array(cbor.encode([Buffer.from(payload.kid, "hex"), payload.ref, issued / 1000, payload.proc, fields.flat()]));
}

const isText = (value: unknown): value is string => typeof value === "string";

/** The shape above exactly, and the very bytes this encoder writes for it: one encoding per payload. */
function readCompact(bytes: Uint8Array): CertificatePayload | null {
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 5) return null;
  const [kid, ref, issued, proc, flat] = value as unknown[];
  if (!(kid instanceof Uint8Array) || kid.length !== 8 || !isText(ref) || ref === "" || !Number.isSafeInteger(issued) || (issued as number) < 0 || !isText(proc)) return null;
  if (!Array.isArray(flat) || flat.length % 2 !== 0 || !flat.every(isText)) return null;
  const fields: Record<string, string> = {};
  for (let index = 0; index < flat.length; index += 2) {
    // A label twice would show one value and sign two.
    if (Object.hasOwn(fields, flat[index]!)) return null;
    fields[flat[index]!] = flat[index + 1]!;
  }
  const payload: CertificatePayload = { v: 2, kid: Buffer.from(kid).toString("hex"), ref, proc, iss: new Date((issued as number) * 1000).toISOString(), fields };
  let again: Uint8Array;
  try {
    again = compactBytes(payload);
  } catch {
    return null;
  }
  return Buffer.from(again).equals(Buffer.from(bytes)) ? payload : null;
}

/**
 * Returns `CO2.<base32(CBOR)>.<base32(Ed25519 signature over those CBOR bytes)>`. The payload's
 * `iss` must be a whole second (see toWholeSeconds); `mun` and `mname` are not carried.
 */
export function signPayload(payload: CertificatePayload, privateKey: string): string {
  const bytes = compactBytes(payload);
  if (bytes.length <= 32) throw new TypeError("certificate payload too short to tell from a file digest");
  const secret = keyBytes(privateKey, "private key");
  const kid = kidOf(toBase64Url(ed25519.getPublicKey(secret)));
  // A token naming another key than the one that signed it could never verify: refuse to issue it.
  if (payload.kid !== kid) throw new Error(`payload kid ${payload.kid} is not the signing key's kid ${kid}`);
  const token = `${TOKEN_PREFIX}.${toBase32(bytes)}.${toBase32(ed25519.sign(bytes, secret))}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new RangeError(`certificate token is ${token.length} characters, more than ${MAX_TOKEN_LENGTH}: shorten its fields`);
  return token;
}

function readLegacyToken(body: string, signatureText: string): ReadToken | null {
  const signedBytes = fromBase64Url(body);
  const signature = fromBase64Url(signatureText);
  if (!signedBytes || !signature || signature.length !== 64) return null;
  let value: unknown;
  try {
    // fatal: invalid UTF-8 is malformed, not silently replaced by U+FFFD (the browser script does the same).
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(signedBytes));
  } catch {
    return null;
  }
  return isLegacyPayload(value) ? { payload: value, signedBytes, signature } : null;
}

/** Parses a token, compact or legacy, without checking its signature; null for anything that is not a well-formed token. */
export function readToken(token: string): ReadToken | null {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  if (parts[0] === LEGACY_TOKEN_PREFIX) return readLegacyToken(parts[1]!, parts[2]!);
  if (parts[0] !== TOKEN_PREFIX) return null;
  const signedBytes = fromBase32(parts[1]!);
  const signature = fromBase32(parts[2]!);
  // More than 32 bytes, always (the kid alone takes 9): never a file digest, which the same key signs.
  if (!signedBytes || signedBytes.length <= 32 || !signature || signature.length !== 64) return null;
  const payload = readCompact(signedBytes);
  return payload ? { payload, signedBytes, signature } : null;
}

/**
 * `publicKeyFor` answers the base64url public key of a kid, including keys rotated out (documents
 * they signed stay valid), or undefined for a kid this platform never had.
 */
export function verifyToken(token: string, publicKeyFor: (kid: string) => string | undefined): VerifyResult {
  const read = readToken(token);
  if (!read) return { status: "malformed" };
  const { payload, signedBytes, signature } = read;
  const publicKey = publicKeyFor(payload.kid);
  if (publicKey === undefined) return { status: "unknown_key", payload };
  // A key store answering something that is not a key is a server fault: let it be loud.
  const key = keyBytes(publicKey, `public key of ${payload.kid}`);
  return { status: verifyBytes(signature, signedBytes, key) ? "valid" : "invalid", payload };
}

/** Strict RFC 8032 rules (no ZIP-215 leniency): what WebCrypto in the browser accepts, and no more. */
function verifyBytes(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function digest(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

/**
 * Signs sha256(file). A 32-byte digest can never be read as a token payload (payloads are longer,
 * and readToken refuses any of 32 bytes or less), so one key can sign both without one signature
 * passing for the other.
 */
export function signDigest(bytes: Uint8Array, privateKey: string): string {
  return toBase64Url(ed25519.sign(digest(bytes), keyBytes(privateKey, "private key")));
}

export function verifyDigest(bytes: Uint8Array, signature: string, publicKey: string): boolean {
  const sig = fromBase64Url(signature);
  const key = fromBase64Url(publicKey);
  if (!sig || sig.length !== 64 || !key || key.length !== 32) return false;
  return verifyBytes(sig, digest(bytes), key);
}

// ——— Verification codes ———
// Typed by hand on /verify by whoever has no phone: twelve characters of Crockford's base32
// (60 random bits, no I, L, O or U to misread), shown in three groups. Whoever holds the paper
// holds the code, so the page shows what the paper says; 2^60 codes, with the form's rate limit,
// leave nothing to find by guessing.

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const VERIFICATION_CODE_LENGTH = 12;

/** A new code, bare (as stored): format it with formatVerificationCode to show it. */
export function generateVerificationCode(): string {
  const bytes = randomBytes(VERIFICATION_CODE_LENGTH);
  return Array.from(bytes, (byte) => CROCKFORD[byte & 31]).join("");
}

export const formatVerificationCode = (code: string) => code.match(/.{1,4}/g)!.join("-");

/**
 * What a person typed, as stored: case, spaces and hyphens do not matter, and the letters
 * Crockford's alphabet leaves out are read as the digits they look like (O → 0, I and L → 1).
 * Null when it cannot be a code.
 */
export function normalizeVerificationCode(typed: string): string | null {
  const code = typed
    .toUpperCase()
    .replace(/[\s\-‐‑–—.]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  return code.length === VERIFICATION_CODE_LENGTH && [...code].every((char) => CROCKFORD.includes(char)) ? code : null;
}

export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
}

// ——— PDF ———

export interface CertificatePdfInput {
  /** The state's heading, in its own words: "République du Sénégal" and its motto. */
  heading: { state: string; motto: string };
  municipalityName: string;
  /** Document title. */
  title: string;
  reference: string;
  /** Already formatted for display, with any wording ("Délivré le 3 mars 2026"). */
  issuedOn: string;
  /** Fixes the PDF's creation and modification dates, so the same input gives the same bytes. */
  issuedAt: Date;
  fields: { label: string; value: string }[];
  /** Paragraphs, wrapped to the page width; an empty string leaves a blank line. */
  bodyLines: string[];
  /** What the QR code encodes. */
  verifyUrl: string;
  /** E.g. "Scannez le code pour vérifier ce document". */
  verifyHint: string;
  /** Written under the QR code for whoever has no phone to scan it: where to go, and what to type there. */
  manualCheck: { intro: string; address: string; code: string };
  signatory: { office: string; name: string };
  /** BCP 47 language of the document, for screen readers (e.g. "fr"). */
  lang?: string;
}

/** Characters WinAnsi lacks whose look-alike is not found by stripping accents. */
const FALLBACKS: Record<string, string> = {
  "\u2010": "-", // hyphen
  "\u2011": "-", // non-breaking hyphen
  "\u2012": "-", // figure dash
  "\u2015": "-", // horizontal bar
  "\u2212": "-", // minus sign
  "\u2032": "'",
  "\u2033": '"',
  "\u02bb": "'",
  "\u02bc": "'",
  "\u201b": "'",
  "\u201f": '"',
  "\u2044": "/",
  "\u2190": "<-",
  "\u2192": "->",
  "\u2264": "<=",
  "\u2265": ">=",
  "\u2260": "!=",
  "\u0131": "i",
  "\u0141": "L",
  "\u0142": "l",
  "\u0110": "D",
  "\u0111": "d",
  "\u0126": "H",
  "\u0127": "h",
  "\u0132": "IJ",
  "\u0133": "ij",
  "\u1e9e": "SS",
};

/**
 * pdf-lib throws on a character the font lacks. Keeps what the font has (é à ç ã õ…), strips
 * accents from what it lacks (ő → o), and puts one "?" for a run of what has no Latin look-alike
 * (emoji, scripts the font does not cover), rather than failing to issue the document.
 */
export function toFontCharacters(text: string, charset: ReadonlySet<number>): string {
  let out = "";
  let unknownRun = false;
  for (const char of text.normalize("NFC")) {
    let replacement: string | undefined;
    if (charset.has(char.codePointAt(0)!)) replacement = char;
    else if (/\s/u.test(char)) replacement = " ";
    else if (/[\p{M}\p{Cc}\p{Cf}]/u.test(char) || /[\uFE00-\uFE0F]/u.test(char)) replacement = "";
    else if (FALLBACKS[char] !== undefined) replacement = FALLBACKS[char];
    else {
      const stripped = char.normalize("NFKD").replace(/\p{M}/gu, "");
      if (stripped && [...stripped].every((c) => charset.has(c.codePointAt(0)!))) replacement = stripped;
    }
    if (replacement === undefined) {
      if (!unknownRun) out += "?";
      unknownRun = true;
    } else {
      out += replacement;
      if (replacement) unknownRun = false;
    }
  }
  return out;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const CONTENT_WIDTH = A4[0] - 2 * MARGIN;

/** Splits a paragraph into lines that fit `width`, breaking inside a word only when it alone is wider. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ").filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    for (const char of word) {
      if (line && font.widthOfTextAtSize(line + char, size) > width) {
        lines.push(line);
        line = "";
      }
      line += char;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** Dark modules of a QR code as one path, in module units, one rectangle per run of a row. */
function qrPath(text: string): { path: string; size: number } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const commands: string[] = [];
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (!modules.get(row, column)) continue;
      const start = column;
      while (column + 1 < modules.size && modules.get(row, column + 1)) column++;
      commands.push(`M${start} ${row}h${column + 1 - start}v1h${start - column - 1}z`);
    }
  }
  return { path: commands.join(""), size: modules.size };
}

/**
 * 0.8 mm a module: three pixels of a page scanned or printed at 100 dpi, what a cheap printer and
 * a phone's camera still resolve; the QR code grows with its content rather than its modules shrink.
 */
const QR_MODULE = 2.3;
/** The white border a reader needs around the code, in modules (the standard asks for four). */
const QR_QUIET = 4;

/**
 * pdf-lib lays glyphs out one after another, left to right, with no shaping: right-to-left and
 * joined scripts (Hebrew, Arabic, N'Ko, Indic…) would come out backwards and unjoined, so only
 * Latin, Greek, Cyrillic, Latin Extended Additional and punctuation, currency and letter-like
 * symbols are drawn; the rest is folded like any character the font lacks.
 */
function drawnWithoutShaping(code: number): boolean {
  return code < 0x0590 || (code >= 0x1e00 && code < 0x2150);
}

let fontFiles: Promise<{ regular: Uint8Array; bold: Uint8Array }> | undefined;
/** DejaVu Sans (Bitstream Vera licence, fonts/LICENSE-DejaVu.txt), read once. */
function certificateFonts() {
  fontFiles ??= Promise.all([readFile(new URL("./fonts/DejaVuSans.ttf", import.meta.url)), readFile(new URL("./fonts/DejaVuSans-Bold.ttf", import.meta.url))]).then(([regular, bold]) => ({ regular, bold }));
  return fontFiles;
}

/**
 * A4 certificate: the state's heading and the municipality, title, reference and date, the key
 * fields in two columns, the body, and on the last page the signatory, the QR code and, under it,
 * the address and code to check it by hand. Vector only (the QR code is drawn, not an image), so
 * it prints sharp and has no transparency. Deterministic: same input, same bytes.
 */
export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  // Loaded by the first certificate, not at every start: pdf-lib alone takes most of a second to load.
  const [{ PDFDocument, rgb }, { default: fontkit }, { addArchiveParts }, fonts] = await Promise.all([import("pdf-lib"), import("@pdf-lib/fontkit"), import("./pdfa.js"), certificateFonts()]);
  const INK = rgb(0.1, 0.1, 0.12);
  const MUTED = rgb(0.38, 0.38, 0.42);
  const RULE = rgb(0.75, 0.75, 0.78);
  // updateMetadata: false, or pdf-lib stamps the current time and its own name.
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const meta = { title: input.title, author: input.municipalityName, subject: input.reference, producer: "Cité Ouverte", creator: "Cité Ouverte", created: input.issuedAt, lang: input.lang };
  pdf.setTitle(meta.title, { showInWindowTitleBar: true });
  pdf.setAuthor(meta.author);
  pdf.setSubject(meta.subject);
  pdf.setProducer(meta.producer);
  pdf.setCreator(meta.creator);
  pdf.setCreationDate(meta.created);
  pdf.setModificationDate(meta.created);
  if (input.lang) pdf.setLanguage(input.lang);
  addArchiveParts(pdf, meta, `${input.reference}\n${input.issuedAt.toISOString()}`);

  // Embedded subsets (PDF/A wants every font in the file, and a printer without Helvetica would
  // substitute its own widths); characters DejaVu lacks are folded to a look-alike or "?".
  pdf.registerFontkit(fontkit);
  const regular = await pdf.embedFont(fonts.regular, { subset: true });
  const bold = await pdf.embedFont(fonts.bold, { subset: true });
  const inBold = new Set(bold.getCharacterSet());
  const charset = new Set(regular.getCharacterSet().filter((code) => inBold.has(code) && drawnWithoutShaping(code)));
  const safe = (text: string) => toFontCharacters(text, charset);

  const qr = qrPath(input.verifyUrl);
  const qrSize = qr.size * QR_MODULE;
  const quiet = QR_QUIET * QR_MODULE;

  let page: PDFPage = pdf.addPage(A4);
  let y = A4[1] - MARGIN;
  const ensure = (height: number) => {
    if (y - height >= MARGIN + 14) return;
    page = pdf.addPage(A4);
    y = A4[1] - MARGIN;
  };
  const text = (value: string, x: number, top: number, font: PDFFont, size: number, color: RGB = INK) =>
    page.drawText(value, { x, y: top - size, font, size, color });
  /** Draws a wrapped paragraph at the cursor and moves it down. */
  const paragraph = (value: string, font: PDFFont, size: number, options: { color?: RGB; center?: boolean; gap?: number } = {}) => {
    const leading = size * 1.35;
    for (const line of wrap(safe(value), font, size, CONTENT_WIDTH)) {
      ensure(leading);
      const x = options.center ? MARGIN + (CONTENT_WIDTH - font.widthOfTextAtSize(line, size)) / 2 : MARGIN;
      text(line, x, y, font, size, options.color);
      y -= leading;
    }
    y -= options.gap ?? 0;
  };
  const rule = () => {
    page.drawLine({ start: { x: MARGIN, y }, end: { x: A4[0] - MARGIN, y }, thickness: 0.75, color: RULE });
  };

  // The state's heading, as official documents open: its name, its motto, then the issuing municipality.
  paragraph(input.heading.state, bold, 12, { center: true });
  if (input.heading.motto) paragraph(input.heading.motto, regular, 9, { center: true, color: MUTED });
  y -= 8;
  paragraph(input.municipalityName, bold, 16, { center: true, gap: 6 });
  rule();
  y -= 28;
  paragraph(input.title, bold, 18, { center: true, gap: 10 });

  const reference = safe(input.reference);
  const issuedOn = safe(input.issuedOn);
  ensure(14);
  text(reference, MARGIN, y, bold, 10);
  text(issuedOn, A4[0] - MARGIN - regular.widthOfTextAtSize(issuedOn, 10), y, regular, 10, MUTED);
  y -= 20;
  rule();
  y -= 18;

  const labelWidth = CONTENT_WIDTH * 0.36;
  const valueX = MARGIN + labelWidth + 12;
  const valueWidth = A4[0] - MARGIN - valueX;
  for (const field of input.fields) {
    const labelLines = wrap(safe(field.label), regular, 10, labelWidth);
    const valueLines = wrap(safe(field.value), bold, 11, valueWidth);
    const height = Math.max(labelLines.length, valueLines.length) * 15;
    ensure(height);
    labelLines.forEach((line, index) => text(line, MARGIN, y - index * 15 - 1, regular, 10, MUTED));
    valueLines.forEach((line, index) => text(line, valueX, y - index * 15, bold, 11));
    y -= height + 6;
  }
  y -= 12;

  for (const line of input.bodyLines) {
    if (line.trim() === "") y -= 11;
    else for (const part of line.split("\n")) paragraph(part, regular, 11, { gap: 4 });
  }

  // The foot of the last page: the signatory on the left; on the right the QR code, and under it
  // the address and the code, written in full, for whoever checks by typing them.
  const qrX = A4[0] - MARGIN - qrSize;
  const codeWidth = Math.max(qrSize, 150);
  const manualX = A4[0] - MARGIN - codeWidth;
  const manualLines = [
    ...wrap(safe(input.manualCheck.intro), regular, 8, codeWidth).map((line) => ({ line, font: regular, size: 8, color: MUTED })),
    ...wrap(safe(input.manualCheck.address), bold, 9, codeWidth).map((line) => ({ line, font: bold, size: 9, color: INK })),
    { line: safe(input.manualCheck.code), font: bold, size: 13, color: INK },
  ];
  const manualHeight = manualLines.reduce((sum, each) => sum + each.size * 1.3, 0);
  const qrY = MARGIN + 14 + manualHeight + quiet;
  const footerTop = qrY + qrSize;
  if (y - 24 - quiet < footerTop) {
    page = pdf.addPage(A4);
    y = A4[1] - MARGIN;
  }
  // drawSvgPath puts the path's origin at (x, y) and its y axis downwards.
  page.drawSvgPath(qr.path, { x: qrX, y: footerTop, scale: QR_MODULE, color: rgb(0, 0, 0), borderWidth: 0 });
  let manualTop = qrY - quiet / 2;
  for (const each of manualLines) {
    text(each.line, A4[0] - MARGIN - each.font.widthOfTextAtSize(each.line, each.size), manualTop, each.font, each.size, each.color);
    manualTop -= each.size * 1.3;
  }
  const sideWidth = Math.min(qrX, manualX) - quiet - MARGIN;
  let sideTop = footerTop;
  for (const line of wrap(safe(input.signatory.office), regular, 10, sideWidth)) {
    text(line, MARGIN, sideTop, regular, 10, MUTED);
    sideTop -= 14;
  }
  for (const line of wrap(safe(input.signatory.name), bold, 11, sideWidth)) {
    text(line, MARGIN, sideTop, bold, 11);
    sideTop -= 15;
  }
  const hintLines = wrap(safe(input.verifyHint), regular, 9, sideWidth);
  hintLines.forEach((line, index) => {
    const top = qrY + hintLines.length * 12 - index * 12;
    text(line, qrX - quiet - regular.widthOfTextAtSize(line, 9), top, regular, 9, MUTED);
  });

  // Every page carries the reference, so a loose page still says which document it belongs to.
  const pages = pdf.getPages();
  pages.forEach((each, index) => {
    const footer = pages.length > 1 ? `${reference} · ${index + 1}/${pages.length}` : reference;
    each.drawText(footer, { x: MARGIN, y: MARGIN - 20, font: regular, size: 8, color: MUTED });
  });

  // Object streams off: a plain cross-reference table that every PDF reader, old or strict, accepts (and PDF/A-2 allows).
  return pdf.save({ useObjectStreams: false });
}
