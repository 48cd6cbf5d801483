/**
 * What PDF/A-2b asks of a document beyond its drawing: XMP metadata that repeats the document
 * information, an output intent with an ICC profile for its DeviceRGB colours, and a file
 * identifier in the trailer. (Embedded fonts, the other half, need @pdf-lib/fontkit: see
 * certificates.ts.)
 */
import { createHash } from "node:crypto";
import { PDFDocument, PDFHexString, PDFName, PDFString } from "pdf-lib";

// ——— sRGB ICC profile ———
// Generated rather than copied: the profiles Debian ships (Ghostscript's) are under the AGPL,
// and an sRGB matrix/TRC profile is a few published numbers (IEC 61966-2-1, D50-adapted with
// Bradford as ICC v2 asks), so it can be written here without anyone's licence.

const D50 = [0.9642, 1.0, 0.8249];
const PRIMARIES = {
  rXYZ: [0.4360747, 0.2225045, 0.0139322],
  gXYZ: [0.3850649, 0.7168786, 0.0971045],
  bXYZ: [0.1430804, 0.0606169, 0.7141733],
};
/** The profile's own name, as PDF/A's OutputConditionIdentifier and the ICC registry name sRGB. */
export const SRGB_DESCRIPTION = "sRGB IEC61966-2.1";

function s15Fixed16(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => out.writeInt32BE(Math.round(value * 65536), index * 4));
  return out;
}

const xyzTag = (values: number[]) => Buffer.concat([Buffer.from("XYZ \0\0\0\0", "latin1"), s15Fixed16(values)]);

function textDescriptionTag(text: string): Buffer {
  const ascii = Buffer.from(`${text}\0`, "latin1");
  const head = Buffer.alloc(12);
  head.write("desc", 0, "latin1");
  head.writeUInt32BE(ascii.length, 8);
  // Unicode language and count (0), ScriptCode code and count (0), then its 67-byte field.
  return Buffer.concat([head, ascii, Buffer.alloc(4 + 4 + 2 + 1 + 67)]);
}

const textTag = (text: string) => Buffer.concat([Buffer.from("text\0\0\0\0", "latin1"), Buffer.from(`${text}\0`, "latin1")]);

/** The sRGB transfer curve sampled at 1024 points. */
function srgbCurveTag(): Buffer {
  const points = 1024;
  const out = Buffer.alloc(12 + points * 2);
  out.write("curv", 0, "latin1");
  out.writeUInt32BE(points, 8);
  for (let index = 0; index < points; index++) {
    const x = index / (points - 1);
    const y = x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    out.writeUInt16BE(Math.round(y * 65535), 12 + index * 2);
  }
  return out;
}

const pad4 = (buffer: Buffer) => (buffer.length % 4 === 0 ? buffer : Buffer.concat([buffer, Buffer.alloc(4 - (buffer.length % 4))]));

/** An ICC v2.1 display profile for sRGB: the same bytes every time. */
export function srgbIccProfile(): Buffer {
  const curve = srgbCurveTag();
  // The three TRC tags share one curve, as the specification allows.
  const tags: [string, Buffer][] = [
    ["desc", textDescriptionTag(SRGB_DESCRIPTION)],
    ["cprt", textTag("No copyright, use freely")],
    ["wtpt", xyzTag(D50)],
    ["rXYZ", xyzTag(PRIMARIES.rXYZ)],
    ["gXYZ", xyzTag(PRIMARIES.gXYZ)],
    ["bXYZ", xyzTag(PRIMARIES.bXYZ)],
    ["rTRC", curve],
    ["gTRC", curve],
    ["bTRC", curve],
  ];
  const tableSize = 4 + tags.length * 12;
  const table = Buffer.alloc(tableSize);
  table.writeUInt32BE(tags.length, 0);
  const data: Buffer[] = [];
  const placed = new Map<Buffer, number>();
  let offset = 128 + tableSize;
  tags.forEach(([signature, body], index) => {
    let at = placed.get(body);
    if (at === undefined) {
      at = offset;
      placed.set(body, at);
      const padded = pad4(body);
      data.push(padded);
      offset += padded.length;
    }
    table.write(signature, 4 + index * 12, "latin1");
    table.writeUInt32BE(at, 8 + index * 12);
    table.writeUInt32BE(body.length, 12 + index * 12);
  });
  const header = Buffer.alloc(128);
  header.writeUInt32BE(offset, 0);
  header.writeUInt32BE(0x02100000, 8);
  header.write("mntr", 12, "latin1");
  header.write("RGB ", 16, "latin1");
  header.write("XYZ ", 20, "latin1");
  // Creation date: fixed, so the profile (and every PDF carrying it) is deterministic.
  [2026, 12, 15, 0, 0, 0].forEach((value, index) => header.writeUInt16BE(value, 24 + index * 2));
  header.write("acsp", 36, "latin1");
  s15Fixed16(D50).copy(header, 68);
  return Buffer.concat([header, table, ...data]);
}

// ——— XMP ———

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** XMP dates as the document information's: to the second, in UTC. */
const xmpDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export interface ArchiveMetadata {
  title: string;
  author: string;
  subject: string;
  producer: string;
  creator: string;
  created: Date;
  lang: string | undefined;
}

/** The XMP packet: the document information repeated (PDF/A wants both to agree) and the PDF/A-2b claim. */
export function xmpPacket(meta: ArchiveMetadata): string {
  const lang = xml(meta.lang ?? "x-default");
  return `<?xpacket begin="\u{feff}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xml(meta.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>${xml(meta.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xml(meta.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>${lang}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>${xmpDate(meta.created)}</xmp:CreateDate>
   <xmp:ModifyDate>${xmpDate(meta.created)}</xmp:ModifyDate>
   <xmp:MetadataDate>${xmpDate(meta.created)}</xmp:MetadataDate>
   <xmp:CreatorTool>${xml(meta.creator)}</xmp:CreatorTool>
   <pdf:Producer>${xml(meta.producer)}</pdf:Producer>
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

/**
 * Adds the XMP metadata, the sRGB output intent and a file identifier derived from `identity`
 * (the same document, the same identifier: rendering stays deterministic).
 */
export function addArchiveParts(pdf: PDFDocument, meta: ArchiveMetadata, identity: string): void {
  const { context, catalog } = pdf;
  // Uncompressed, as PDF/A wants metadata readable by tools that do not parse PDF.
  const metadata = context.stream(Buffer.from(xmpPacket(meta), "utf8"), { Type: "Metadata", Subtype: "XML" });
  catalog.set(PDFName.of("Metadata"), context.register(metadata));
  const profile = context.register(context.flateStream(srgbIccProfile(), { N: 3 }));
  const intent = context.obj({
    Type: "OutputIntent",
    S: "GTS_PDFA1",
    OutputConditionIdentifier: PDFString.of(SRGB_DESCRIPTION),
    Info: PDFString.of(SRGB_DESCRIPTION),
    RegistryName: PDFString.of("http://www.color.org"),
    DestOutputProfile: profile,
  });
  catalog.set(PDFName.of("OutputIntents"), context.obj([context.register(intent)]));
  const id = PDFHexString.of(createHash("sha256").update(identity).digest("hex").slice(0, 32));
  context.trailerInfo.ID = context.obj([id, id]);
}
