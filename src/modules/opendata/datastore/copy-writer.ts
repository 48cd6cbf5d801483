/**
 * The rows COPY reads, written as bytes into a growing buffer and handed over in chunks: a large
 * file is converted without a JavaScript string per value, which is where the time went (ADR 0007).
 */

import { WINDOWS_1252_AS_UTF8 } from "./windows-1252.js";

const QUOTE = 0x22;

export class CopyWriter {
  private buffer: Buffer;
  length = 0;

  constructor(private readonly capacity = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }

  /** A value known to be ASCII: a converted number, date or boolean. */
  ascii(text: string): void {
    this.ensure(text.length);
    this.length += this.buffer.write(text, this.length, "latin1");
  }

  /** A non-negative integer in decimal digits. */
  integer(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.ensure(digits);
    let rest = value;
    for (let at = this.length + digits - 1; at >= this.length; at--) {
      this.buffer[at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.length += digits;
  }

  /** Bytes already in the form COPY reads (digits, signs, points). */
  bytes(source: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    const buffer = this.buffer;
    let at = this.length;
    for (let index = start; index < end; index++) buffer[at++] = source[index]!;
    this.length = at;
  }

  /** A number written with a decimal comma, read with a point. */
  decimal(source: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    const buffer = this.buffer;
    let at = this.length;
    for (let index = start; index < end; index++) {
      const value = source[index]!;
      buffer[at++] = value === 0x2c ? 0x2e : value;
    }
    this.length = at;
  }

  /** A calendar day as ISO 8601 (yyyy-mm-dd), for years of four digits. */
  isoDate(year: number, month: number, day: number): void {
    this.ensure(10);
    const buffer = this.buffer;
    const at = this.length;
    buffer[at] = 0x30 + Math.floor(year / 1000);
    buffer[at + 1] = 0x30 + (Math.floor(year / 100) % 10);
    buffer[at + 2] = 0x30 + (Math.floor(year / 10) % 10);
    buffer[at + 3] = 0x30 + (year % 10);
    buffer[at + 4] = 0x2d;
    buffer[at + 5] = 0x30 + Math.floor(month / 10);
    buffer[at + 6] = 0x30 + (month % 10);
    buffer[at + 7] = 0x2d;
    buffer[at + 8] = 0x30 + Math.floor(day / 10);
    buffer[at + 9] = 0x30 + (day % 10);
    this.length = at + 10;
  }

  /** Text as a quoted CSV value: always quoted, so that an empty text is not read as NULL. */
  quotedText(text: string): void {
    const escaped = text.includes('"') ? text.replace(/"/g, '""') : text;
    this.ensure(escaped.length * 3 + 2);
    this.buffer[this.length++] = QUOTE;
    this.length += this.buffer.write(escaped, this.length, "utf8");
    this.buffer[this.length++] = QUOTE;
  }

  /**
   * Bytes of a text as a quoted CSV value, quotes doubled; Windows-1252 bytes are written as
   * UTF-8, the database's encoding.
   */
  quotedBytes(source: Uint8Array, start: number, end: number, windows1252: boolean): void {
    // At most three bytes out for each byte in (a Windows-1252 letter), two for a quote.
    this.ensure((end - start) * 3 + 2);
    const buffer = this.buffer;
    let at = this.length;
    buffer[at++] = QUOTE;
    for (let index = start; index < end; index++) {
      const value = source[index]!;
      if (value === QUOTE) {
        buffer[at++] = QUOTE;
        buffer[at++] = QUOTE;
      } else if (value < 0x80 || !windows1252) {
        buffer[at++] = value;
      } else {
        const utf8 = WINDOWS_1252_AS_UTF8[value - 0x80]!;
        for (let k = 0; k < utf8.length; k++) buffer[at++] = utf8[k]!;
      }
    }
    buffer[at++] = QUOTE;
    this.length = at;
  }

  /** Forgets what was written after `length` (a row found blank once written). */
  truncate(length: number): void {
    this.length = length;
  }

  /** What was written, handed over; the writer starts again empty. */
  take(): Buffer {
    const chunk = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(this.capacity);
    this.length = 0;
    return chunk;
  }
}
