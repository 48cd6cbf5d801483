import { toCsv } from "../../core/export/csv.js";
import type { ProcedureStats } from "./store.js";

/**
 * Statistics per procedure as open data: volumes and delays only, never a person. The header
 * names are stable (machine-read), in English like the other exports' field names.
 */
export function statsCsv(stats: ProcedureStats[]): string {
  const header = ["procedure", "title", "legal_processing_days", "submitted", "open", "accepted", "refused", "closed_without_follow_up", "decided", "median_processing_days", "decided_within_legal_time", "share_within_legal_time"];
  const rows = stats.map((row) => [
    row.slug,
    row.title,
    row.processing_days,
    row.submitted,
    row.open,
    row.accepted,
    row.refused,
    row.closed,
    row.decided,
    row.median_days === null ? null : Math.round(row.median_days * 10) / 10,
    row.within_legal_time,
    row.decided > 0 ? Math.round((row.within_legal_time / row.decided) * 1000) / 1000 : null,
  ]);
  return toCsv(header, rows);
}
