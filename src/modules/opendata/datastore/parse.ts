import { isUtf8 } from "node:buffer";
import type { CopyWriter } from "./copy-writer.js";
import { FALSE_WORDS, isCalendarDay, TRUE_WORDS, type FieldType } from "./infer.js";
import { BLANK, putText, WRITTEN, type Put, type RecordCursor, type TableSource } from "./source.js";
import { decodeWindows1252 } from "./windows-1252.js";

/**
 * Reading a CSV as municipalities produce them: exported from Excel in French (semicolons,
 * decimal commas, Windows-1252), from LibreOffice in UTF-8, with or without a BOM, with Windows,
 * Unix or old Mac line endings.
 *
 * The file is read as bytes, not decoded into one string: each record's values are located by
 * their offsets, and a value is only turned into a JavaScript string when something needs it as
 * text (inference, a report, a shape the fast paths do not know). Loading then copies bytes from
 * the file into the rows COPY reads (ADR 0007).
 */

export const MAX_COLUMNS = 500;

export class UnreadableFileError extends Error {
  constructor(readonly reasonKey: string, readonly params: Record<string, string | number> = {}) {
    super(reasonKey);
  }
}

type Encoding = "utf-8" | "windows-1252";

/** UTF-8 when the bytes are valid UTF-8, else Windows-1252 (which covers Latin-1's letters). */
export function detectEncoding(data: Buffer): { encoding: Encoding; start: number } {
  const start = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  return { encoding: isUtf8(data.subarray(start)) ? "utf-8" : "windows-1252", start };
}

function decodeBytes(data: Buffer, start: number, end: number, encoding: Encoding): string {
  return encoding === "utf-8" ? data.toString("utf8", start, end) : decodeWindows1252(data.subarray(start, end));
}

const DELIMITERS = [",", ";", "\t", "|"] as const;

/** The delimiter that splits the first lines into the same, largest number of fields. */
export function sniffDelimiter(text: string): string {
  const lines = text.slice(0, 64 * 1024).split(/\r\n|\n|\r/).filter((line) => line.trim() !== "").slice(0, 10);
  let best: { delimiter: string; score: number } = { delimiter: ",", score: 0 };
  for (const delimiter of DELIMITERS) {
    const counts = lines.map((line) => line.replace(/"[^"]*"/g, "").split(delimiter).length - 1);
    if (counts.length === 0 || counts[0] === 0) continue;
    const consistent = counts.filter((count) => count === counts[0]).length;
    const score = counts[0]! * consistent;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** The value was written in quotes: its span excludes them. */
const QUOTED = 1;
/** The quoted value holds doubled quotes. */
const ESCAPED = 2;
/** Text follows the closing quote (`"ab"c`): the value is read as written, quotes included. */
const MALFORMED = 4;

const isDigit = (value: number) => value >= 0x30 && value <= 0x39;
const isSpace = (value: number) => value === 0x20 || (value >= 0x09 && value <= 0x0d);

interface CsvLayout {
  data: Buffer;
  encoding: Encoding;
  delimiter: number;
  /** LF, or CR in a file with no LF at all (old Mac exports). */
  lineBreak: number;
}

/**
 * Records of a CSV read in place: RFC 4180 quoting (a value in quotes may hold delimiters, line
 * breaks and doubled quotes), lines that are empty skipped, a CR before a LF ignored.
 */
class CsvRecords implements RecordCursor {
  line = 0;
  width = 0;
  private starts = new Uint32Array(64);
  private ends = new Uint32Array(64);
  private flags = new Uint8Array(64);

  constructor(private readonly layout: CsvLayout, public position: number, public nextLine: number) {}

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Uint32Array(size);
    const ends = new Uint32Array(size);
    const flags = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    flags.set(this.flags);
    this.starts = starts;
    this.ends = ends;
    this.flags = flags;
  }

  private countBreaks(start: number, end: number): number {
    const { data, lineBreak } = this.layout;
    let count = 0;
    for (let at = start; at < end; at++) if (data[at] === lineBreak) count++;
    return count;
  }

  next(): boolean {
    const { data, delimiter, lineBreak } = this.layout;
    const length = data.length;
    let at = this.position;
    // Empty lines are not records.
    for (;;) {
      if (at < length && data[at] === lineBreak) at++;
      else if (lineBreak === LF && data[at] === CR && data[at + 1] === LF) at += 2;
      else break;
      this.nextLine++;
    }
    if (at >= length) {
      this.position = length;
      return false;
    }
    this.line = this.nextLine;
    let width = 0;
    for (;;) {
      if (width === this.starts.length) this.grow();
      let start = at;
      let end: number;
      let flag = 0;
      if (data[at] === QUOTE) {
        let from = at + 1;
        for (;;) {
          const close = data.indexOf(QUOTE, from);
          if (close === -1) {
            // An unterminated quote runs to the end of the file, as spreadsheets read it.
            start = at + 1;
            end = length;
            flag |= QUOTED;
            at = length;
            break;
          }
          if (data[close + 1] === QUOTE) {
            flag |= ESCAPED;
            from = close + 2;
            continue;
          }
          start = at + 1;
          end = close;
          flag |= QUOTED;
          at = close + 1;
          break;
        }
        this.nextLine += this.countBreaks(start, end);
        if (lineBreak === LF && data[at] === CR && data[at + 1] === LF) at++;
        if (at < length && data[at] !== delimiter && data[at] !== lineBreak) {
          flag = MALFORMED;
          start = start - 1;
          while (at < length && data[at] !== delimiter && data[at] !== lineBreak) at++;
          end = lineBreak === LF && data[at - 1] === CR && data[at] === LF ? at - 1 : at;
        }
      } else {
        while (at < length) {
          const value = data[at];
          if (value === delimiter || value === lineBreak) break;
          at++;
        }
        end = lineBreak === LF && at > start && data[at - 1] === CR && (at === length || data[at] === LF) ? at - 1 : at;
      }
      this.starts[width] = start;
      this.ends[width] = end;
      this.flags[width] = flag;
      width++;
      if (at >= length) break;
      if (data[at] === delimiter) {
        at++;
        continue;
      }
      at++;
      this.nextLine++;
      break;
    }
    this.width = width;
    this.position = at;
    return true;
  }

  blank(index: number): boolean {
    const { data } = this.layout;
    const end = this.ends[index]!;
    for (let at = this.starts[index]!; at < end; at++) {
      const value = data[at]!;
      if (value >= 0x80) return this.text(index).trim() === "";
      if (!isSpace(value)) return false;
    }
    return true;
  }

  text(index: number): string {
    const text = decodeBytes(this.layout.data, this.starts[index]!, this.ends[index]!, this.layout.encoding);
    return this.flags[index]! & ESCAPED ? text.replace(/""/g, '"') : text;
  }

  put(index: number, type: FieldType, out: CopyWriter): Put {
    const { data, encoding } = this.layout;
    const start = this.starts[index]!;
    const end = this.ends[index]!;
    if (start === end) return BLANK;
    // A value that starts with a letter, digit or sign is not blank; others are checked.
    const first = data[start]!;
    if ((first <= 0x20 || first >= 0x80) && this.blank(index)) return BLANK;
    if ((this.flags[index]! & (ESCAPED | MALFORMED)) === 0) {
      // The shapes nearly all values have, checked on the bytes; anything else goes the long way.
      switch (type) {
        case "string":
          out.quotedBytes(data, start, end, encoding === "windows-1252");
          return WRITTEN;
        case "integer":
          if (plainNumber(data, start, end, false)) {
            out.bytes(data, start, end);
            return WRITTEN;
          }
          break;
        case "number":
          if (plainNumber(data, start, end, true)) {
            out.decimal(data, start, end);
            return WRITTEN;
          }
          break;
        case "date":
          if (writeDate(data, start, end, out)) return WRITTEN;
          break;
        case "boolean":
          if (writeBoolean(data, start, end, out)) return WRITTEN;
          break;
      }
    }
    return putText(this.text(index), type, out);
  }
}

/** `[+-]?\d{1,15}`, and with `decimals` an optional `[.,]\d{1,15}` after it. */
function plainNumber(data: Uint8Array, start: number, end: number, decimals: boolean): boolean {
  let at = start;
  if (data[at] === 0x2b || data[at] === 0x2d) at++;
  const integerStart = at;
  while (at < end && isDigit(data[at]!)) at++;
  const integerDigits = at - integerStart;
  if (integerDigits === 0 || integerDigits > 15) return false;
  if (at === end) return true;
  if (!decimals || (data[at] !== 0x2c && data[at] !== 0x2e)) return false;
  const fractionStart = ++at;
  while (at < end && isDigit(data[at]!)) at++;
  return at === end && at > fractionStart && at - fractionStart <= 15;
}

/** The number written in the digits between `from` and `to`, or -1 if one is not a digit. */
function digitsAt(data: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let at = from; at < to; at++) {
    const digit = data[at]! - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const isDateSeparator = (value: number | undefined) => value === 0x2f || value === 0x2e || value === 0x2d;

/** Reads `d{1,2}[/.-]d{1,2}[/.-]dddd` or `dddd-dd-dd` and writes the ISO day; false for anything else. */
function writeDate(data: Uint8Array, start: number, end: number, out: CopyWriter): boolean {
  let year: number;
  let month: number;
  let day: number;
  if (end - start === 10 && data[start + 4] === 0x2d && data[start + 7] === 0x2d) {
    year = digitsAt(data, start, start + 4);
    month = digitsAt(data, start + 5, start + 7);
    day = digitsAt(data, start + 8, start + 10);
  } else {
    const first = isDateSeparator(data[start + 1]) ? start + 1 : start + 2;
    const second = isDateSeparator(data[first + 2]) ? first + 2 : first + 3;
    if (!isDateSeparator(data[first]) || !isDateSeparator(data[second]) || end - second !== 5) return false;
    day = digitsAt(data, start, first);
    month = digitsAt(data, first + 1, second);
    year = digitsAt(data, second + 1, end);
  }
  if (year < 0 || month < 0 || day < 0 || !isCalendarDay(year, month, day)) return false;
  out.isoDate(year, month, day);
  return true;
}

/** The ASCII words read as booleans, as bytes; the others ("não") take the long way. */
const BOOLEAN_WORDS: { bytes: Buffer; written: Buffer }[] = [...TRUE_WORDS, ...FALSE_WORDS]
  .filter((word) => /^[a-z0-9]+$/.test(word))
  .map((word) => ({ bytes: Buffer.from(word, "latin1"), written: Buffer.from(TRUE_WORDS.has(word) ? "true" : "false", "latin1") }));

/** Whether the bytes spell the word, in any case. */
function spells(data: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let index = 0; index < word.length; index++) {
    const value = data[start + index]!;
    const lower = value >= 0x41 && value <= 0x5a ? value | 0x20 : value;
    if (lower !== word[index]) return false;
  }
  return true;
}

function writeBoolean(data: Uint8Array, start: number, end: number, out: CopyWriter): boolean {
  for (const word of BOOLEAN_WORDS) {
    if (!spells(data, start, end, word.bytes)) continue;
    out.bytes(word.written, 0, word.written.length);
    return true;
  }
  return false;
}

export function readCsv(data: Buffer): TableSource {
  const { encoding, start } = detectEncoding(data);
  const head = decodeBytes(data, start, Math.min(data.length, start + 64 * 1024), encoding);
  if (data.subarray(start).every(isSpace)) throw new UnreadableFileError("opendata.datastore.error.empty");
  const delimiter = sniffDelimiter(head);
  const lineBreak = data.indexOf(LF, start) === -1 && data.indexOf(CR, start) !== -1 ? CR : LF;
  const layout: CsvLayout = { data, encoding, delimiter: delimiter.charCodeAt(0), lineBreak };
  // The header is the first record that is not blank.
  const cursor = new CsvRecords(layout, start, 1);
  let headers: string[] = [];
  while (headers.length === 0 && cursor.next()) {
    const values = Array.from({ length: cursor.width }, (_, index) => cursor.text(index));
    if (values.some((value) => value.trim() !== "")) headers = values;
  }
  if (headers.length === 0) throw new UnreadableFileError("opendata.datastore.error.empty");
  if (headers.length > MAX_COLUMNS) throw new UnreadableFileError("opendata.datastore.error.too_many_columns", { count: headers.length, max: MAX_COLUMNS });
  const { position, nextLine } = cursor;
  return {
    encoding,
    delimiter,
    headers: headers.map((value) => value.trim()),
    records: () => new CsvRecords(layout, position, nextLine),
  };
}
