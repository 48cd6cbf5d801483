import type { CopyWriter } from "./copy-writer.js";
import { convert, type FieldType } from "./infer.js";

/**
 * A table being read, whatever the file: its headers, then its records one at a time through a
 * cursor that can be asked for each value as text (for inference and reports) or to write it
 * straight into the rows COPY reads (for loading).
 */
export interface TableSource {
  encoding: string;
  delimiter: string;
  headers: string[];
  /** A cursor on the first record after the headers; each call starts again from there. */
  records(): RecordCursor;
  /** Sheets of a workbook other than the one read. */
  otherSheets?: string[];
}

export interface RecordCursor {
  /** Moves to the next record; false once there is none. */
  next(): boolean;
  /** The line of the file the current record starts on. */
  readonly line: number;
  /** How many values the current record has. */
  readonly width: number;
  /** Whether the value is empty or only spaces. */
  blank(index: number): boolean;
  text(index: number): string;
  /**
   * Writes the value in the form COPY reads for the type (ISO dates, a point as decimal mark,
   * text quoted); nothing is written for a blank value or one that does not fit the type.
   */
  put(index: number, type: FieldType, out: CopyWriter): Put;
}

/** What `put` did with a value. */
export type Put = typeof BLANK | typeof WRITTEN | typeof MISFIT;
export const BLANK = 0;
export const WRITTEN = 1;
export const MISFIT = 2;

/** A data row with the line it started on in the file. */
export interface SourceRow {
  line: number;
  values: string[];
}

/** Records already read as text, as a workbook's rows are. */
export class TextRecords implements RecordCursor {
  private index = -1;
  private current: SourceRow = { line: 0, values: [] };

  constructor(private readonly rows: readonly SourceRow[]) {}

  next(): boolean {
    this.index++;
    if (this.index >= this.rows.length) return false;
    this.current = this.rows[this.index]!;
    return true;
  }

  get line(): number {
    return this.current.line;
  }

  get width(): number {
    return this.current.values.length;
  }

  blank(index: number): boolean {
    return this.current.values[index]!.trim() === "";
  }

  text(index: number): string {
    return this.current.values[index]!;
  }

  put(index: number, type: FieldType, out: CopyWriter): Put {
    return this.blank(index) ? BLANK : putText(this.current.values[index]!, type, out);
  }
}

/** Writes a value that is not blank, read as text, in the form COPY reads for the type. */
export function putText(value: string, type: FieldType, out: CopyWriter): Put {
  if (type === "string") {
    out.quotedText(value);
    return WRITTEN;
  }
  const converted = convert(value, type);
  if (converted === null) return MISFIT;
  out.ascii(converted);
  return WRITTEN;
}
