/**
 * Windows-1252, the encoding of French Excel exports. Node's TextDecoder reads the label as
 * Latin-1, which turns the bytes 0x80–0x9F (€, ’, œ, …, the apostrophes and dashes Word types)
 * into invisible control characters; those 32 bytes are mapped here as the WHATWG table has them.
 */

// 0x80 to 0x9F; the five bytes the encoding leaves undefined read as the same control characters.
const HIGH_CONTROLS = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";

export function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString("latin1").replace(/[\u0080-\u009f]/g, (char) => HIGH_CONTROLS[char.charCodeAt(0) - 0x80]!);
}

/** UTF-8 bytes of each byte from 0x80 up. */
export const WINDOWS_1252_AS_UTF8: readonly Buffer[] = Array.from({ length: 128 }, (_, index) =>
  Buffer.from(index < 32 ? HIGH_CONTROLS[index]! : String.fromCharCode(0x80 + index), "utf8"),
);
