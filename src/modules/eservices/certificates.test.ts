import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { PDFArray, PDFDocument, PDFRawStream, decodePDFRawStream, type PDFObject } from "pdf-lib";
import {
  MAX_TOKEN_LENGTH,
  generateSigningKey,
  kidOf,
  qrSvg,
  readToken,
  renderCertificatePdf,
  sha256Hex,
  signDigest,
  signPayload,
  toWinAnsi,
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
    v: 1,
    kid: key.kid,
    ref: "RUF-2026-00042-C1",
    mun: "rufisque",
    mname: "Rufisque",
    proc: "Extrait d'acte de naissance",
    iss: "2026-03-03T10:15:00.000Z",
    fields: { "Nom du titulaire": "Awa Ndiaye", "Date de naissance": "1990-05-17" },
    ...overrides,
  };
}

const keysOf = (...keys: SigningKey[]) => (kid: string) => keys.find((key) => key.kid === kid)?.publicKey;

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A few ways one character can change: its neighbours in the alphabet (one bit or so apart),
 * a far character and the separator. All 64 everywhere would take a quarter of a minute.
 */
function substitutes(char: string): string[] {
  const at = BASE64URL.indexOf(char);
  const near = at < 0 ? ["A", "z"] : [BASE64URL[(at + 1) % 64]!, BASE64URL[(at + 63) % 64]!, BASE64URL[(at + 32) % 64]!];
  return [...near, "."].filter((other) => other !== char);
}

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

describe("certificate tokens", () => {
  it("round-trips: a signed token reads back and verifies", () => {
    const payload = payloadFor(rufisque);
    const token = signPayload(payload, rufisque.privateKey);
    assert.match(token, /^CO1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    const read = readToken(token);
    assert.ok(read);
    assert.deepEqual(read.payload, payload);
    assert.equal(read.signature.length, 64);
    assert.deepEqual(verifyToken(token, keysOf(rufisque)), { status: "valid", payload });
  });

  it("signs canonical JSON: fixed key order, sorted fields, whatever order they were given in", () => {
    const payload = payloadFor(rufisque, { fields: { b: "2", a: "1", "É": "3" } });
    const shuffled = { fields: { "É": "3", a: "1", b: "2" }, iss: payload.iss, proc: payload.proc, mname: payload.mname, mun: payload.mun, ref: payload.ref, kid: payload.kid, v: 1 as const };
    const token = signPayload(payload, rufisque.privateKey);
    assert.equal(signPayload(shuffled, rufisque.privateKey), token, "Ed25519 is deterministic, so equal JSON gives equal tokens");
    const json = Buffer.from(token.split(".")[1]!, "base64url").toString("utf8");
    assert.equal(
      json,
      `{"v":1,"kid":"${rufisque.kid}","ref":"RUF-2026-00042-C1","mun":"rufisque","mname":"Rufisque","proc":"Extrait d'acte de naissance","iss":"2026-03-03T10:15:00.000Z","fields":{"a":"1","b":"2","É":"3"}}`,
    );
  });

  it("refuses to sign with a key other than the one the payload names, or a token too long for a QR code", () => {
    assert.throws(() => signPayload(payloadFor(dakar), rufisque.privateKey), /kid/);
    assert.throws(() => signPayload(payloadFor(rufisque, { fields: { note: "x".repeat(MAX_TOKEN_LENGTH) } }), rufisque.privateKey), RangeError);
    assert.throws(() => signPayload({ ...payloadFor(rufisque), v: 2 } as unknown as CertificatePayload, rufisque.privateKey), TypeError);
    assert.throws(() => signPayload(payloadFor(rufisque), "not-a-key"), TypeError);
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

  it("rejects the non-canonical base64url that decodes to the same bytes (a changed last character)", () => {
    const token = signPayload(payloadFor(rufisque), rufisque.privateKey);
    const signature = token.split(".")[2]!;
    const last = signature.at(-1)!;
    // 64 bytes use 4 of the last character's 6 bits: these characters decode to the very same signature.
    const twins = [...BASE64URL].filter(
      (char) => char !== last && Buffer.from(signature.slice(0, -1) + char, "base64url").equals(Buffer.from(signature, "base64url")),
    );
    assert.ok(twins.length > 0);
    for (const twin of twins) assert.equal(verifyToken(token.slice(0, -1) + twin, keysOf(rufisque)).status, "malformed");
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
    const payload = payloadFor(rufisque, { kid: rufisque.kid });
    const bytes = Buffer.from(JSON.stringify(payload), "utf8");
    const signature = ed25519.sign(bytes, Buffer.from(dakar.privateKey, "base64url"));
    const forged = `CO1.${bytes.toString("base64url")}.${Buffer.from(signature).toString("base64url")}`;
    assert.ok(readToken(forged), "the forgery is well formed");
    assert.equal(verifyToken(forged, keysOf(rufisque, dakar)).status, "invalid");
    assert.equal(verifyToken(forged, () => dakar.publicKey).status, "valid", "sanity: it is Dakar's genuine signature");
  });

  it("reads anything malformed as malformed", () => {
    const good = signPayload(payloadFor(rufisque), rufisque.privateKey);
    const [, body, signature] = good.split(".") as [string, string, string];
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const malformed = [
      "",
      "CO1..",
      "CO1",
      "x".repeat(10_000),
      `CO1.${"A".repeat(MAX_TOKEN_LENGTH)}.${signature}`,
      "CO1.not base64!.@@@",
      `CO2.${body}.${signature}`,
      `co1.${body}.${signature}`,
      `CO1.${body}.${signature}.`,
      `CO1.${body}`,
      `CO1.${body}.${signature}=`,
      `CO1.${body}==.${signature}`,
      `CO1.${body}.${signature.slice(0, -2)}`,
      `CO1.${Buffer.from("not json").toString("base64url")}.${signature}`,
      `CO1.${Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString("base64url")}.${signature}`,
      `CO1.${encode([1, 2])}.${signature}`,
      `CO1.${encode(null)}.${signature}`,
      `CO1.${encode({ ...payloadFor(rufisque), v: 2 })}.${signature}`,
      `CO1.${encode({ ...payloadFor(rufisque), kid: "ABC" })}.${signature}`,
      `CO1.${encode({ ...payloadFor(rufisque), extra: "hidden" })}.${signature}`,
      `CO1.${encode({ ...payloadFor(rufisque), fields: { n: 1 } })}.${signature}`,
      `CO1.${encode({ ...payloadFor(rufisque), fields: ["a"] })}.${signature}`,
      `CO1.${encode({ ...payloadFor(rufisque), ref: 42 })}.${signature}`,
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
    municipalityName: "Commune de Rufisque",
    country: "République du Sénégal",
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
    verifyUrl: `https://rufisque.example.org/verify#${token}`,
    verifyHint: "Scannez le code pour vérifier ce document",
    signatoryLine: "L'officier d'état civil",
    lang: "fr",
  };

  /** The page's drawn text, decompressed: WinAnsi bytes in hex strings as pdf-lib writes them. */
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
  const hex = (text: string) => `<${Buffer.from(text, "latin1").toString("hex").toUpperCase()}>`;

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
    const text = await pageText(bytes);
    for (const shown of ["RUF-2026-00042-C1", "Awa Ndiaye", "Commune de Rufisque", "République du Sénégal", "Délivré le 3 mars 2026", "L'officier d'état civil"]) {
      assert.ok(text.includes(hex(shown)), `the page shows ${shown}`);
    }
    assert.match(text, /\bDo\b/, "the QR code image is drawn");
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
      signatoryLine: "Le maire ‑ 👍🏽",
      verifyHint: "Scannez ‑ vérifiez",
    });
    assert.equal((await PDFDocument.load(bytes)).getPageCount(), 1);
    const text = await pageText(bytes);
    assert.ok(text.includes(hex("Ngoné Fall - Osaka ?")), "é kept, ‑ and Ō folded, the emoji marked");
    assert.ok(text.includes(hex("Gyor ?")));
  });

  it("keeps WinAnsi characters and folds only the others", async () => {
    const pdf = await PDFDocument.create();
    const charset = new Set((await pdf.embedFont("Helvetica")).getCharacterSet());
    assert.equal(toWinAnsi("é à ç ã õ É Ç œ € – — “ ” ß", charset), "é à ç ã õ É Ç œ € – — “ ” ß");
    assert.equal(toWinAnsi("e\u0301", charset), "é", "decomposed input is composed first");
    assert.equal(toWinAnsi("Łódź ő Ő ş ğ İ ı", charset), "Lódz o O s g I i");
    assert.equal(toWinAnsi("a‑b\u2212c", charset), "a-b-c");
    assert.equal(toWinAnsi("x 😀😀 y محمد z", charset), "x ? y ? z");
    assert.equal(toWinAnsi("👍🏽 ok ❤️", charset), "? ok ?");
    assert.equal(toWinAnsi("ﬁ", charset), "fi");
  });

  it("flows a long body onto further pages, with the QR code on the last", async () => {
    const bytes = await renderCertificatePdf({ ...input, bodyLines: Array.from({ length: 80 }, (_, index) => `Paragraphe ${index + 1} du document.`) });
    const pdf = await PDFDocument.load(bytes);
    assert.ok(pdf.getPageCount() >= 2);
    const text = await pageText(bytes);
    assert.ok(text.includes(hex(`RUF-2026-00042-C1 · ${pdf.getPageCount()}/${pdf.getPageCount()}`)));
  });
});
