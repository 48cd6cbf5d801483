import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream, type PDFObject } from "pdf-lib";
import { pdfFonts, pdfText, qpdfCheck, qrCodesOnPage } from "../../../test/pdf-tools.js";
import { srgbIccProfile } from "./pdfa.js";
import { Encoder } from "cbor-x";
import QRCode from "qrcode";
import {
  MAX_TOKEN_LENGTH,
  VERIFICATION_CODE_LENGTH,
  formatVerificationCode,
  fromBase32,
  generateVerificationCode,
  normalizeVerificationCode,
  toBase32,
  toWholeSeconds,
  generateSigningKey,
  kidOf,
  qrSvg,
  readToken,
  renderCertificatePdf,
  sha256Hex,
  signDigest,
  signPayload,
  toFontCharacters,
  verifyDigest,
  verifyToken,
  type CertificatePayload,
  type CertificatePdfInput,
  type SigningKey,
} from "./certificates.js";

const rufisque = generateSigningKey();
const dakar = generateSigningKey();

function payloadFor(key: SigningKey, overrides: Partial<CertificatePayload> = {}): CertificatePayload {
  return {
    v: 2,
    kid: key.kid,
    ref: "RUF-2026-00042-C1",
    proc: "Extrait d'acte de naissance",
    iss: "2026-03-03T10:15:00.000Z",
    fields: { "Nom du titulaire": "Awa Ndiaye", "Date de naissance": "1990-05-17" },
    ...overrides,
  };
}

/** A token as the first certificates carried it (CO1: base64url JSON), signed as they were. */
function legacyToken(key: SigningKey, overrides: Record<string, unknown> = {}): string {
  const payload = { v: 1, kid: key.kid, ref: "RUF-2026-00041-C1", mun: "rufisque", mname: "Rufisque", proc: "Certificat de résidence", iss: "2026-02-01T09:00:00.000Z", fields: { Nom: "Awa Ndiaye" }, ...overrides };
  const bytes = Buffer.from(JSON.stringify(payload), "utf8");
  return `CO1.${bytes.toString("base64url")}.${Buffer.from(ed25519.sign(bytes, Buffer.from(key.privateKey, "base64url"))).toString("base64url")}`;
}

const keysOf = (...keys: SigningKey[]) => (kid: string) => keys.find((key) => key.kid === kid)?.publicKey;

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * A few ways one character can change: its neighbours in the alphabet (one bit or so apart),
 * a far character and the separator.
 */
function substitutes(char: string): string[] {
  const at = BASE32_ALPHABET.indexOf(char);
  const near = at < 0 ? ["A", "7"] : [BASE32_ALPHABET[(at + 1) % 32]!, BASE32_ALPHABET[(at + 31) % 32]!, BASE32_ALPHABET[(at + 16) % 32]!];
  return [...near, "."].filter((other) => other !== char);
}

const encodeCbor = (value: unknown) => new Uint8Array(new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: false, variableMapSize: true }).encode(value));
const sign = (bytes: Uint8Array, key: SigningKey) => toBase32(ed25519.sign(bytes, Buffer.from(key.privateKey, "base64url")));
const compact = (payload: CertificatePayload) => [Buffer.from(payload.kid, "hex"), payload.ref, Date.parse(payload.iss) / 1000, payload.proc, Object.entries(payload.fields).flat()];

describe("certificate keys", () => {
  it("are raw 32-byte Ed25519 keys in base64url, with the kid derived from the public key", () => {
    const key = generateSigningKey();
    assert.equal(Buffer.from(key.publicKey, "base64url").length, 32);
    assert.equal(Buffer.from(key.privateKey, "base64url").length, 32);
    assert.match(key.kid, /^[0-9a-f]{16}$/);
    assert.equal(key.kid, sha256Hex(Buffer.from(key.publicKey, "base64url")).slice(0, 16));
    assert.equal(kidOf(key.publicKey), key.kid);
    assert.notEqual(generateSigningKey().privateKey, key.privateKey);
  });
});

describe("base32", () => {
  it("encodes as RFC 4648 does, without padding, and reads back only its own spelling", () => {
    // RFC 4648, section 10, padding removed.
    const vectors: [string, string][] = [["", ""], ["f", "MY"], ["fo", "MZXQ"], ["foo", "MZXW6"], ["foob", "MZXW6YQ"], ["fooba", "MZXW6YTB"], ["foobar", "MZXW6YTBOI"]];
    for (const [text, encoded] of vectors) {
      assert.equal(toBase32(Buffer.from(text)), encoded);
      assert.deepEqual(Buffer.from(fromBase32(encoded)!), Buffer.from(text));
    }
    // "MZ" and "MY" would decode to the same byte: only the one with zero unused bits is accepted.
    for (const other of ["MZ", "mzxq", "MZXQ=", "M", "MZX", "MZXW6Y", "MZ1Q"]) assert.equal(fromBase32(other), null, other);
  });
});

describe("certificate tokens", () => {
  it("round-trips: a signed compact token reads back and verifies", () => {
    const payload = payloadFor(rufisque);
    const token = signPayload(payload, rufisque.privateKey);
    assert.match(token, /^CO2\.[A-Z2-7]+\.[A-Z2-7]{103}$/);
    const read = readToken(token);
    assert.ok(read);
    assert.deepEqual(read.payload, payload);
    assert.equal(read.signature.length, 64);
    assert.deepEqual(verifyToken(token, keysOf(rufisque)), { status: "valid", payload });
  });

  it("is a third shorter than the JSON token for the same document, in the QR code's alphanumeric characters", () => {
    const token = signPayload(payloadFor(rufisque), rufisque.privateKey);
    const legacy = legacyToken(rufisque, { ref: "RUF-2026-00042-C1", proc: "Extrait d'acte de naissance", iss: "2026-03-03T10:15:00.000Z", fields: payloadFor(rufisque).fields });
    assert.ok(token.length < legacy.length * 0.8, `${token.length} against ${legacy.length}`);
    assert.match(token, /^[0-9A-Z $%*+\-./:]+$/, "QR alphanumeric mode");
    const url = `https://cite.example.org/verify/RUF-2026-00042-C1#${token}`;
    const segments = QRCode.create(url, { errorCorrectionLevel: "M" }).segments;
    assert.ok(segments.some((segment) => segment.mode.id === "Alphanumeric" && segment.getLength() === token.length), "the whole token is one alphanumeric segment");
  });

  it("signs one CBOR encoding, keeping the fields in the document's order", () => {
    const payload = payloadFor(rufisque, { fields: { b: "2", a: "1", "É": "3" } });
    const token = signPayload(payload, rufisque.privateKey);
    assert.equal(signPayload({ ...payload, fields: { ...payload.fields } }, rufisque.privateKey), token, "Ed25519 is deterministic, so equal payloads give equal tokens");
    assert.deepEqual(Object.keys(readToken(token)!.payload.fields), ["b", "a", "É"]);
    assert.deepEqual(Buffer.from(fromBase32(token.split(".")[1]!)!), Buffer.from(encodeCbor(compact(payload))));
  });

  it("refuses to sign with a key other than the one the payload names, a token too long for a QR code, or a payload it cannot carry", () => {
    assert.throws(() => signPayload(payloadFor(dakar), rufisque.privateKey), /kid/);
    assert.throws(() => signPayload(payloadFor(rufisque, { fields: { note: "x".repeat(MAX_TOKEN_LENGTH) } }), rufisque.privateKey), RangeError);
    assert.throws(() => signPayload(payloadFor(rufisque, { iss: "2026-03-03T10:15:00.250Z" }), rufisque.privateKey), TypeError, "whole seconds only");
    assert.throws(() => signPayload(payloadFor(rufisque, { kid: "ABC" }), rufisque.privateKey), TypeError);
    assert.throws(() => signPayload(payloadFor(rufisque, { v: 1, mun: "rufisque", mname: "Rufisque" }), rufisque.privateKey), TypeError, "JSON tokens are no longer issued");
    assert.throws(() => signPayload(payloadFor(rufisque), "not-a-key"), TypeError);
    assert.equal(toWholeSeconds(new Date("2026-03-03T10:15:00.999Z")).toISOString(), "2026-03-03T10:15:00.000Z");
  });

  it("never verifies a token with any single character changed, anywhere", () => {
    const token = signPayload(payloadFor(rufisque), rufisque.privateKey);
    const seen = new Set<string>();
    for (let index = 0; index < token.length; index++) {
      for (const replacement of substitutes(token[index]!)) {
        const altered = token.slice(0, index) + replacement + token.slice(index + 1);
        const { status } = verifyToken(altered, keysOf(rufisque));
        seen.add(status);
        assert.ok(status === "invalid" || status === "malformed" || status === "unknown_key", `position ${index} → ${replacement}: ${status}`);
        // A changed kid names a key we do not have; with the real key in its place it must not verify.
        if (status === "unknown_key") assert.equal(verifyToken(altered, () => rufisque.publicKey).status, "invalid");
      }
    }
    // Both ways of failing really happen: some changes still parse (bad signature), some do not.
    assert.ok(seen.has("invalid") && seen.has("malformed"));
  });

  it("still verifies the JSON tokens of the certificates issued first, and nothing malformed in them", () => {
    const token = legacyToken(rufisque);
    const checked = verifyToken(token, keysOf(rufisque));
    assert.equal(checked.status, "valid");
    assert.equal(checked.payload?.mname, "Rufisque");
    assert.deepEqual(checked.payload?.fields, { Nom: "Awa Ndiaye" });
    const [, body, signature] = token.split(".") as [string, string, string];
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const base = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>;
    for (const bad of [
      `CO1.${body}`,
      `CO1.${body}==.${signature}`,
      `CO1.${body}.${signature.slice(0, -2)}`,
      `CO1.${Buffer.from("not json").toString("base64url")}.${signature}`,
      `CO1.${encode({ ...base, v: 2 })}.${signature}`,
      `CO1.${encode({ ...base, extra: "hidden" })}.${signature}`,
      `CO1.${encode({ ...base, fields: { n: 1 } })}.${signature}`,
    ]) {
      assert.deepEqual(verifyToken(bad, keysOf(rufisque)), { status: "malformed" }, bad.slice(0, 60));
    }
    const signatureTwins = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].filter(
      (char) => char !== signature.at(-1) && Buffer.from(signature.slice(0, -1) + char, "base64url").equals(Buffer.from(signature, "base64url")),
    );
    assert.ok(signatureTwins.length > 0);
    for (const twin of signatureTwins) assert.equal(verifyToken(token.slice(0, -1) + twin, keysOf(rufisque)).status, "malformed", "non-canonical base64url");
  });

  it("still verifies a token signed by a rotated-out key while its kid is known, unknown_key once it is not", () => {
    const oldKey = generateSigningKey();
    const newKey = generateSigningKey();
    const token = signPayload(payloadFor(oldKey), oldKey.privateKey);
    assert.equal(verifyToken(token, keysOf(newKey, oldKey)).status, "valid");
    const unknown = verifyToken(token, keysOf(newKey));
    assert.equal(unknown.status, "unknown_key");
    assert.equal(unknown.payload?.ref, "RUF-2026-00042-C1");
  });

  it("finds a token signed with another municipality's key under a forged kid invalid", () => {
    const bytes = encodeCbor(compact(payloadFor(rufisque)));
    const forged = `CO2.${toBase32(bytes)}.${sign(bytes, dakar)}`;
    assert.ok(readToken(forged), "the forgery is well formed");
    assert.equal(verifyToken(forged, keysOf(rufisque, dakar)).status, "invalid");
    assert.equal(verifyToken(forged, () => dakar.publicKey).status, "valid", "sanity: it is Dakar's genuine signature");
  });

  it("reads anything malformed as malformed", () => {
    const good = signPayload(payloadFor(rufisque), rufisque.privateKey);
    const [, body, signature] = good.split(".") as [string, string, string];
    const shaped = compact(payloadFor(rufisque));
    const cbor = (value: unknown) => toBase32(encodeCbor(value));
    const malformed = [
      "",
      "CO2..",
      "CO2",
      "x".repeat(10_000),
      `CO2.${"A".repeat(MAX_TOKEN_LENGTH)}.${signature}`,
      "CO2.not base32!.@@@",
      `CO3.${body}.${signature}`,
      `co2.${body}.${signature}`,
      `CO2.${body.toLowerCase()}.${signature}`,
      `CO2.${body}.${signature}.`,
      `CO2.${body}`,
      `CO2.${body}.${signature}=`,
      `CO2.${body}.${signature.slice(0, -2)}`,
      `CO2.${toBase32(Buffer.from("not cbor at all, not at all"))}.${signature}`,
      `CO2.${cbor([1, 2])}.${signature}`,
      `CO2.${cbor(null)}.${signature}`,
      `CO2.${cbor([...shaped, "extra"])}.${signature}`,
      `CO2.${cbor([Buffer.alloc(7), ...shaped.slice(1)])}.${signature}`,
      `CO2.${cbor([shaped[0], 42, ...shaped.slice(2)])}.${signature}`,
      `CO2.${cbor([shaped[0], shaped[1], -5, ...shaped.slice(3)])}.${signature}`,
      `CO2.${cbor([shaped[0], shaped[1], 1.5, ...shaped.slice(3)])}.${signature}`,
      `CO2.${cbor([...shaped.slice(0, 4), ["odd"]])}.${signature}`,
      `CO2.${cbor([...shaped.slice(0, 4), ["Nom", 1]])}.${signature}`,
      `CO2.${cbor([...shaped.slice(0, 4), ["Nom", "a", "Nom", "b"]])}.${signature}`,
      `CO2.${cbor([...shaped.slice(0, 4), { Nom: "a" }])}.${signature}`,
      // The same array with a non-minimal length (0x98 0x05): not the bytes this encoder writes.
      `CO2.${toBase32(Buffer.concat([Buffer.from([0x98, 0x05]), Buffer.from(encodeCbor(shaped)).subarray(1)]))}.${signature}`,
      // Trailing bytes after the array.
      `CO2.${toBase32(Buffer.concat([Buffer.from(encodeCbor(shaped)), Buffer.from([0x00])]))}.${signature}`,
      // As short as a file digest: never read as a payload.
      `CO2.${cbor([Buffer.alloc(8), "R", 1, "", []])}.${signature}`,
    ];
    for (const token of malformed) {
      assert.equal(readToken(token), null, token.slice(0, 80));
      assert.deepEqual(verifyToken(token, keysOf(rufisque)), { status: "malformed" }, token.slice(0, 80));
    }
    assert.equal(readToken(undefined as unknown as string), null);
  });

  it("fails loudly when the key store answers something that is not a key", () => {
    const token = signPayload(payloadFor(rufisque), rufisque.privateKey);
    assert.throws(() => verifyToken(token, () => "oops"), TypeError);
  });
});

describe("verification codes", () => {
  it("are twelve characters of Crockford's base32, sixty random bits, shown in groups of four", () => {
    const codes = new Set(Array.from({ length: 200 }, () => generateVerificationCode()));
    assert.equal(codes.size, 200);
    for (const code of codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{12}$/);
    assert.equal(VERIFICATION_CODE_LENGTH * 5, 60);
    assert.equal(formatVerificationCode("7K2MQ9XD4HTB"), "7K2M-Q9XD-4HTB");
  });

  it("read what a person types whatever its case, spaces and hyphens, and O, I, L as the digits they look like", () => {
    for (const typed of ["7K2M-Q9XD-4HTB", "7k2m q9xd 4htb", " 7K2MQ9XD4HTB ", "7K2M–Q9XD–4HTB", "7k2m-q9xd-4htb\n"]) assert.equal(normalizeVerificationCode(typed), "7K2MQ9XD4HTB", typed);
    assert.equal(normalizeVerificationCode("0OIL-1111-2222"), "001111112222");
    for (const wrong of ["", "7K2M-Q9XD-4HT", "7K2M-Q9XD-4HTBX", "7K2M-Q9XD-4HTU", "7K2M/Q9XD/4HTB", "ÉK2M-Q9XD-4HTB"]) assert.equal(normalizeVerificationCode(wrong), null, wrong);
  });
});

describe("QR codes", () => {
  it("renders an SVG", async () => {
    const svg = await qrSvg("https://example.org/verify#CO1.abc.def");
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<path/);
    assert.doesNotMatch(svg, /<script/i);
  });
});

describe("certificate PDFs", () => {
  const token = signPayload(payloadFor(rufisque), rufisque.privateKey);
  const input: CertificatePdfInput = {
    heading: { state: "République du Sénégal", motto: "Un Peuple – Un But – Une Foi" },
    municipalityName: "Commune de Rufisque",
    title: "Extrait d'acte de naissance",
    reference: "RUF-2026-00042-C1",
    issuedOn: "Délivré le 3 mars 2026",
    issuedAt: new Date("2026-03-03T10:15:00Z"),
    fields: [
      { label: "Nom du titulaire", value: "Awa Ndiaye" },
      { label: "Date de naissance", value: "17 mai 1990" },
      { label: "Lieu de naissance", value: "Rufisque" },
    ],
    bodyLines: [
      "Le présent extrait est délivré pour servir et valoir ce que de droit.",
      "",
      "Conceição, São João, Gonçalves: les accents du français et du portugais sont conservés à l'identique. ".repeat(4),
    ],
    verifyUrl: `https://cite.example.org/verify/RUF-2026-00042-C1#${token}`,
    verifyHint: "Scannez le code pour vérifier ce document",
    manualCheck: { intro: "Sans téléphone, saisissez ce code à l'adresse :", address: "cite.example.org/verify", code: "7K2M-Q9XD-4HTB" },
    signatory: { office: "L'officier d'état civil", name: "Fatou Sarr" },
    lang: "fr",
  };

  /** The pages' content streams, decompressed (what is drawn, not the text a reader sees). */
  async function pageText(bytes: Uint8Array): Promise<string> {
    const pdf = await PDFDocument.load(bytes);
    const decode = (object: PDFObject | undefined): string => {
      const resolved = object && pdf.context.lookup(object);
      if (resolved instanceof PDFArray) return resolved.asArray().map(decode).join("\n");
      return resolved instanceof PDFRawStream ? Buffer.from(decodePDFRawStream(resolved).decode()).toString("latin1") : "";
    };
    return pdf
      .getPages()
      .map((page) => decode(page.node.Contents()))
      .join("\n");
  }

  it("is an A4 PDF that carries the reference, the fields and the metadata", async () => {
    const bytes = await renderCertificatePdf(input);
    assert.equal(Buffer.from(bytes.subarray(0, 5)).toString("latin1"), "%PDF-");
    // updateMetadata: false, or loading would stamp pdf-lib's own producer and the current time.
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    assert.equal(pdf.getPageCount(), 1);
    const { width, height } = pdf.getPage(0).getSize();
    assert.deepEqual([Math.round(width), Math.round(height)], [595, 842]);
    assert.equal(pdf.getTitle(), input.title);
    assert.equal(pdf.getSubject(), input.reference);
    assert.equal(pdf.getProducer(), "Cité Ouverte");
    assert.equal(pdf.getCreationDate()?.toISOString(), "2026-03-03T10:15:00.000Z");
    assert.equal(pdf.getModificationDate()?.toISOString(), "2026-03-03T10:15:00.000Z");
    const text = pdfText(bytes);
    const shownTexts = ["RUF-2026-00042-C1", "Awa Ndiaye", "Commune de Rufisque", "République du Sénégal", "Un Peuple – Un But – Une Foi", "Délivré le 3 mars 2026", "L'officier d'état civil", "Fatou Sarr", "cite.example.org/verify", "7K2M-Q9XD-4HTB"];
    for (const shown of shownTexts) {
      assert.ok(text.includes(shown), `the page shows ${shown}`);
    }
    // Every font is in the file (PDF/A, and a printer without Helvetica would use its own widths).
    const fonts = pdfFonts(bytes);
    assert.ok(fonts.length >= 2 && fonts.every((font) => font.embedded), JSON.stringify(fonts));
    // The QR code is drawn as vector shapes: no image, so no soft mask, nothing transparent.
    assert.doesNotMatch(await pageText(bytes), /\bDo\b/);
    assert.doesNotMatch(Buffer.from(bytes).toString("latin1"), /\/SMask|\/Image|\/CA |\/ca /);
  });

  it("carries what PDF/A-2b asks beyond fonts: XMP claiming 2B and repeating the information, an sRGB output intent, a file identifier", async () => {
    const bytes = await renderCertificatePdf(input);
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    const metadata = pdf.context.lookup(pdf.catalog.get(PDFName.of("Metadata")));
    assert.ok(metadata instanceof PDFRawStream);
    assert.equal(String(metadata.dict.get(PDFName.of("Subtype"))), "/XML");
    assert.equal(metadata.dict.get(PDFName.of("Filter")), undefined, "metadata stays uncompressed");
    const xmp = Buffer.from(metadata.contents).toString("utf8");
    assert.match(xmp, /<pdfaid:part>2<\/pdfaid:part>/);
    assert.match(xmp, /<pdfaid:conformance>B<\/pdfaid:conformance>/);
    assert.match(xmp, /<rdf:li xml:lang="x-default">Extrait d'acte de naissance<\/rdf:li>/);
    assert.match(xmp, /<xmp:CreateDate>2026-03-03T10:15:00Z<\/xmp:CreateDate>/);
    assert.match(xmp, /<pdf:Producer>Cité Ouverte<\/pdf:Producer>/);

    const intents = pdf.context.lookup(pdf.catalog.get(PDFName.of("OutputIntents")), PDFArray);
    const intent = pdf.context.lookup(intents.get(0), PDFDict);
    assert.equal(String(intent.get(PDFName.of("S"))), "/GTS_PDFA1");
    const profile = pdf.context.lookup(intent.get(PDFName.of("DestOutputProfile")));
    assert.ok(profile instanceof PDFRawStream);
    assert.equal(String(profile.dict.get(PDFName.of("N"))), "3");
    const icc = Buffer.from(decodePDFRawStream(profile).decode());
    assert.deepEqual(icc, srgbIccProfile());
    assert.equal(icc.readUInt32BE(0), icc.length, "the ICC header gives its size");
    assert.equal(icc.toString("latin1", 36, 40), "acsp");
    assert.deepEqual([icc.toString("latin1", 12, 16), icc.toString("latin1", 16, 20), icc.toString("latin1", 20, 24)], ["mntr", "RGB ", "XYZ "]);

    const trailer = Buffer.from(bytes).toString("latin1").split("trailer").at(-1)!;
    const [, first, second] = /\/ID \[ ?<([0-9A-Fa-f]{32})> ?<([0-9A-Fa-f]{32})> ?\]/.exec(trailer) ?? [];
    assert.ok(first && first === second, trailer.slice(0, 200));
    const other = Buffer.from(await renderCertificatePdf({ ...input, reference: "RUF-2026-00043-C1" })).toString("latin1");
    assert.ok(!other.includes(`<${first}>`), "another document, another identifier");
  });

  it("passes qpdf --check, and its QR code, printed at 100 dpi, reads back as the token that verifies", async () => {
    const bytes = await renderCertificatePdf(input);
    const checked = qpdfCheck(bytes);
    assert.equal(checked.status, 0, checked.output);
    assert.match(checked.output, /No syntax or stream encoding errors/);
    const [read, ...others] = qrCodesOnPage(bytes, 1, 100);
    assert.equal(others.length, 0);
    assert.equal(read, input.verifyUrl);
    assert.equal(verifyToken(read!.slice(read!.indexOf("#") + 1), keysOf(rufisque)).status, "valid");
  });

  it("keeps a QR code readable at 100 dpi with eight long key fields", async () => {
    const fields = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`Champ numéro ${index + 1} du document`, `Valeur assez longue, numéro ${index + 1}, comme une adresse`]));
    const long = signPayload(payloadFor(rufisque, { fields }), rufisque.privateKey);
    const verifyUrl = `https://cite-ouverte.example.org/verify/RUF-2026-00042-C1#${long}`;
    const bytes = await renderCertificatePdf({ ...input, verifyUrl, fields: Object.entries(fields).map(([label, value]) => ({ label, value })) });
    const pdf = await PDFDocument.load(bytes);
    assert.deepEqual(qrCodesOnPage(bytes, pdf.getPageCount(), 100), [verifyUrl]);
  });

  it("is byte-identical for the same input, and differs when the issue date does", async () => {
    const first = await renderCertificatePdf(input);
    const second = await renderCertificatePdf({ ...input, fields: input.fields.map((field) => ({ ...field })) });
    assert.deepEqual(Buffer.from(first), Buffer.from(second));
    const later = await renderCertificatePdf({ ...input, issuedAt: new Date("2026-03-04T10:15:00Z") });
    assert.notDeepEqual(Buffer.from(first), Buffer.from(later));
  });

  it("has a file signature that fails when any byte is flipped, removed or added", async () => {
    const bytes = await renderCertificatePdf(input);
    const signature = signDigest(bytes, rufisque.privateKey);
    assert.equal(verifyDigest(bytes, signature, rufisque.publicKey), true);
    assert.equal(verifyDigest(bytes, signature, dakar.publicKey), false);
    // Every byte would take minutes; a few hundred spread over the whole file, ends included, reach every part.
    const step = Math.max(1, Math.floor(bytes.length / 300));
    const positions = new Set([0, 1, bytes.length - 1, bytes.length - 2]);
    for (let position = 0; position < bytes.length; position += step) positions.add(position);
    for (const position of positions) {
      const altered = Uint8Array.from(bytes);
      altered[position] = altered[position]! ^ 0x01;
      assert.equal(verifyDigest(altered, signature, rufisque.publicKey), false, `byte ${position} flipped`);
    }
    assert.equal(verifyDigest(bytes.subarray(0, -1), signature, rufisque.publicKey), false);
    assert.equal(verifyDigest(Buffer.concat([bytes, Buffer.from("\n")]), signature, rufisque.publicKey), false);
    assert.equal(verifyDigest(bytes, `${signature}A`, rufisque.publicKey), false);
    assert.equal(verifyDigest(bytes, "", rufisque.publicKey), false);
    assert.equal(verifyDigest(bytes, signature, "garbage"), false);
  });

  it("renders text outside WinAnsi with close fallbacks instead of throwing", async () => {
    const odd = "Ngoné Fall ‑ Ōsaka 😀";
    const bytes = await renderCertificatePdf({
      ...input,
      municipalityName: "Győr 😀",
      title: `${odd} — محمد`,
      fields: [{ label: "Nom", value: odd }],
      bodyLines: [`${odd} ${"Łódź Dubrovnik Đakovo İstanbul ".repeat(10)}`, "ﬁn\u00a0\u202ftest\tok\nnext"],
      signatory: { office: "Le maire ‑ 👍🏽", name: "Ōno 😀" },
      verifyHint: "Scannez ‑ vérifiez",
    });
    assert.equal((await PDFDocument.load(bytes)).getPageCount(), 1);
    const text = pdfText(bytes);
    assert.ok(text.includes("Ngoné Fall ‑ Ōsaka ?"), "é, ‑ and Ō kept (DejaVu has them), the emoji marked");
    assert.ok(text.includes(`Ngoné Fall ‑ Ōsaka ? — ?`), "Arabic, which would be drawn unjoined and backwards, is marked too");
    assert.ok(text.includes("Győr ?"));
  });

  it("keeps WinAnsi characters and folds only the others", async () => {
    const pdf = await PDFDocument.create();
    const charset = new Set((await pdf.embedFont("Helvetica")).getCharacterSet());
    assert.equal(toFontCharacters("é à ç ã õ É Ç œ € – — “ ” ß", charset), "é à ç ã õ É Ç œ € – — “ ” ß");
    assert.equal(toFontCharacters("e\u0301", charset), "é", "decomposed input is composed first");
    assert.equal(toFontCharacters("Łódź ő Ő ş ğ İ ı", charset), "Lódz o O s g I i");
    assert.equal(toFontCharacters("a‑b\u2212c", charset), "a-b-c");
    assert.equal(toFontCharacters("x 😀😀 y محمد z", charset), "x ? y ? z");
    assert.equal(toFontCharacters("👍🏽 ok ❤️", charset), "? ok ?");
    assert.equal(toFontCharacters("ﬁ", charset), "fi");
  });

  it("flows a long body onto further pages, with the QR code on the last", async () => {
    const bytes = await renderCertificatePdf({ ...input, bodyLines: Array.from({ length: 80 }, (_, index) => `Paragraphe ${index + 1} du document.`) });
    const pdf = await PDFDocument.load(bytes);
    assert.ok(pdf.getPageCount() >= 2);
    assert.ok(pdfText(bytes).includes(`RUF-2026-00042-C1 · ${pdf.getPageCount()}/${pdf.getPageCount()}`));
  });
});
