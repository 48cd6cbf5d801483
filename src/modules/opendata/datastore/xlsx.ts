import type ExcelJS from "exceljs";
import { MAX_COLUMNS, UnreadableFileError } from "./parse.js";
import { TextRecords, type SourceRow, type TableSource } from "./source.js";
import { checkXlsxBounds } from "./zip-bounds.js";

/** Loaded by the first spreadsheet, not at every start: exceljs takes over a second to load on a small machine. */
async function loadExcelJs(): Promise<typeof ExcelJS> {
  return (await import("exceljs")).default;
}

/** Text of a cell as the CSV reader would have seen it: numbers with a point, dates as ISO days. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return value;
  if (typeof value === "object") {
    if ("result" in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ("richText" in value) return (value as ExcelJS.CellRichTextValue).richText.map((part) => part.text).join("");
    if ("text" in value) return String((value as ExcelJS.CellHyperlinkValue).text);
    if ("error" in value) return "";
  }
  return String(value);
}

/**
 * Reads the first worksheet that holds data; the others are named in the report. A workbook that
 * would unpack beyond XLSX_LIMITS is refused before it is read (see zip-bounds.ts).
 */
export async function readXlsx(data: Buffer): Promise<TableSource> {
  await checkXlsxBounds(data);
  const workbook = new (await loadExcelJs()).Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new UnreadableFileError("opendata.datastore.error.syntax", { detail: String((error as Error).message).slice(0, 200) });
  }
  const sheets = workbook.worksheets.filter((sheet) => sheet.actualRowCount > 0);
  const sheet = sheets[0];
  if (!sheet) throw new UnreadableFileError("opendata.datastore.error.empty");
  // Counted once: exceljs counts the columns by going through every row each time it is asked.
  const width = sheet.columnCount;
  if (width > MAX_COLUMNS) throw new UnreadableFileError("opendata.datastore.error.too_many_columns", { count: width, max: MAX_COLUMNS });
  const rows: SourceRow[] = [];
  let headers: string[] | undefined;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = Array.from({ length: width }, (_, index) => cellText(row.getCell(index + 1).value));
    if (!headers) headers = values.map((value) => value.trim());
    else rows.push({ line: rowNumber, values });
  });
  return { encoding: "xlsx", delimiter: "", headers: headers ?? [], records: () => new TextRecords(rows), otherSheets: sheets.slice(1).map((other) => other.name) };
}

/** Rows as a workbook; text stays text, so a cell written "=…" is shown, never computed. */
export async function toXlsx(sheetName: string, fields: { name: string; title: string; type: string }[], records: Record<string, unknown>[]): Promise<Buffer> {
  const workbook = new (await loadExcelJs()).Workbook();
  const sheet = workbook.addWorksheet(sheetName.replace(/[[\]*?/\\:]/g, " ").slice(0, 31) || "data");
  sheet.addRow(fields.map((field) => field.title));
  for (const record of records) {
    sheet.addRow(fields.map((field) => {
      const value = record[field.name];
      if (value === null || value === undefined) return null;
      if (field.type === "date" && typeof value === "string") return new Date(`${value}T00:00:00Z`);
      return value as ExcelJS.CellValue;
    }));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
