/**
 * Verifiable certificates: the documents the e-services issue (extract of a birth certificate,
 * certificate of residence…) carry a QR code holding a signed token, so anyone can check them,
 * even offline, and the PDF file itself is signed so a copy with one byte changed is detected.
 *
 * Pure library: no database, no HTTP. Keys are passed in and out as base64url strings.
 */
import { createHash, randomBytes } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from "pdf-lib";
import QRCode from "qrcode";

export const TOKEN_PREFIX = "CO1";
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

export interface CertificatePayload {
  v: 1;
  kid: string;
  /** Document number, e.g. RUF-2026-00042-C1. */
  ref: string;
  /** Municipality slug. */
  mun: string;
  /** Municipality name. */
  mname: string;
  /** Procedure title. */
  proc: string;
  /** ISO date-time of issue. */
  iss: string;
  /** Key fields shown on verification (holder name, birth date…), keyed by their display label. */
  fields: Record<string, string>;
}

export interface ReadToken {
  payload: CertificatePayload;
  /** The exact bytes the signature covers: the UTF-8 JSON as carried in the token. */
  signedBytes: Uint8Array;
  signature: Uint8Array;
}

/** The payload of an invalid or unknown-key token is whatever the bearer wrote: never show it as trustworthy. */
export type VerifyResult =
  | { status: "valid"; payload: CertificatePayload }
  | { status: "invalid" | "unknown_key"; payload: CertificatePayload }
  | { status: "malformed"; payload?: undefined };

const PAYLOAD_KEYS = ["v", "kid", "ref", "mun", "mname", "proc", "iss", "fields"] as const;
const STRING_KEYS = ["ref", "mun", "mname", "proc", "iss"] as const;
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

function isPayload(value: unknown): value is CertificatePayload {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  // Exact key set: an extra key would be signed but shown nowhere, a place to hide things.
  if (keys.length !== PAYLOAD_KEYS.length || !PAYLOAD_KEYS.every((key) => Object.hasOwn(value, key))) return false;
  if (value.v !== 1 || typeof value.kid !== "string" || !KID.test(value.kid)) return false;
  if (!STRING_KEYS.every((key) => typeof value[key] === "string")) return false;
  const fields = value.fields;
  return isPlainObject(fields) && Object.values(fields).every((field) => typeof field === "string");
}

/** One serialisation per payload, so the same certificate always yields the same token. */
function canonicalJson(payload: CertificatePayload): string {
  const fields = Object.fromEntries(
    Object.keys(payload.fields)
      .sort()
      .map((key) => [key, payload.fields[key]]),
  );
  const { v, kid, ref, mun, mname, proc, iss } = payload;
  return JSON.stringify({ v, kid, ref, mun, mname, proc, iss, fields });
}

/** Returns `CO1.<base64url(JSON)>.<base64url(Ed25519 signature over those JSON bytes)>`. */
export function signPayload(payload: CertificatePayload, privateKey: string): string {
  if (!isPayload(payload)) throw new TypeError("not a certificate payload");
  const secret = keyBytes(privateKey, "private key");
  const kid = kidOf(toBase64Url(ed25519.getPublicKey(secret)));
  // A token naming another key than the one that signed it could never verify: refuse to issue it.
  if (payload.kid !== kid) throw new Error(`payload kid ${payload.kid} is not the signing key's kid ${kid}`);
  const bytes = new TextEncoder().encode(canonicalJson(payload));
  const token = `${TOKEN_PREFIX}.${toBase64Url(bytes)}.${toBase64Url(ed25519.sign(bytes, secret))}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new RangeError(`certificate token is ${token.length} characters, more than ${MAX_TOKEN_LENGTH}: shorten its fields`);
  return token;
}

/** Parses a token without checking its signature; null for anything that is not a well-formed token. */
export function readToken(token: string): ReadToken | null {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return null;
  const signedBytes = fromBase64Url(parts[1]!);
  const signature = fromBase64Url(parts[2]!);
  if (!signedBytes || !signature || signature.length !== 64) return null;
  let value: unknown;
  try {
    // fatal: invalid UTF-8 is malformed, not silently replaced by U+FFFD (the browser script does the same).
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(signedBytes));
  } catch {
    return null;
  }
  return isPayload(value) ? { payload: value, signedBytes, signature } : null;
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
 * Signs sha256(file). A 32-byte digest can never be read as a token payload (far shorter than the
 * smallest payload JSON), so one key can sign both without one signature passing for the other.
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

export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
}

// ——— PDF ———

export interface CertificatePdfInput {
  municipalityName: string;
  country: string;
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
  signatoryLine: string;
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
 * The standard Helvetica only has WinAnsi, and pdf-lib throws on anything else. Keeps what it has
 * (é à ç ã õ…), strips accents from what it lacks (ő → o, Ō → O), and puts one "?" for a run of
 * what has no Latin look-alike (Arabic, emoji), rather than failing to issue the document.
 */
export function toWinAnsi(text: string, charset: ReadonlySet<number>): string {
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
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.38, 0.38, 0.42);
const RULE = rgb(0.75, 0.75, 0.78);

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

/**
 * A4 certificate: header, title, reference and date, the key fields in two columns, the body, and
 * on the last page the signatory line and the QR code. Deterministic: same input, same bytes.
 */
export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  // updateMetadata: false, or pdf-lib stamps the current time and its own name.
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(input.title, { showInWindowTitleBar: true });
  pdf.setAuthor(input.municipalityName);
  pdf.setSubject(input.reference);
  pdf.setProducer("Cité Ouverte");
  pdf.setCreator("Cité Ouverte");
  pdf.setCreationDate(input.issuedAt);
  pdf.setModificationDate(input.issuedAt);
  if (input.lang) pdf.setLanguage(input.lang);

  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const charset = new Set(regular.getCharacterSet());
  const safe = (text: string) => toWinAnsi(text, charset);

  // Module size near 1 pt (0.35 mm) keeps long tokens scannable once printed.
  const modules = QRCode.create(input.verifyUrl, { errorCorrectionLevel: "M" }).modules.size + 2;
  const qrSize = Math.min(200, Math.max(100, modules));
  const qrPng = await QRCode.toBuffer(input.verifyUrl, { type: "png", errorCorrectionLevel: "M", margin: 1, scale: 8 });
  const qrImage = await pdf.embedPng(qrPng);

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

  paragraph(input.municipalityName, bold, 16);
  paragraph(input.country, regular, 10, { color: MUTED, gap: 6 });
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

  // The QR code, its hint and the signatory sit together at the foot of the last page.
  const footerTop = MARGIN + 14 + qrSize;
  if (y - 24 < footerTop) {
    page = pdf.addPage(A4);
    y = A4[1] - MARGIN;
  }
  const qrX = A4[0] - MARGIN - qrSize;
  const qrY = MARGIN + 14;
  page.drawImage(qrImage, { x: qrX, y: qrY, width: qrSize, height: qrSize });
  const sideWidth = qrX - MARGIN - 16;
  wrap(safe(input.signatoryLine), bold, 11, sideWidth).forEach((line, index) => text(line, MARGIN, footerTop - index * 15, bold, 11));
  const hintLines = wrap(safe(input.verifyHint), regular, 9, sideWidth);
  hintLines.forEach((line, index) => {
    const top = qrY + hintLines.length * 12 - index * 12;
    text(line, qrX - 16 - regular.widthOfTextAtSize(line, 9), top, regular, 9, MUTED);
  });

  // Every page carries the reference, so a loose page still says which document it belongs to.
  const pages = pdf.getPages();
  pages.forEach((each, index) => {
    const footer = pages.length > 1 ? `${reference} · ${index + 1}/${pages.length}` : reference;
    each.drawText(footer, { x: MARGIN, y: MARGIN - 20, font: regular, size: 8, color: MUTED });
  });

  // Object streams off: a plain cross-reference table that every PDF reader, old or strict, accepts.
  return pdf.save({ useObjectStreams: false });
}
