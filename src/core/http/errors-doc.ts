import { loadCatalogues, messageSketch } from "../i18n/index.js";
import { ERRORS, type ReasonCatalogue } from "./errors.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ");

/**
 * docs/errors.md, written from the code so that it cannot fall behind it: the general codes and
 * every catalogue of reasons. `scripts/errors-doc.ts` writes it; test/reasons.test.ts compares.
 */
export function renderErrorsDoc(catalogues: { owner: string; reasons: ReasonCatalogue }[]): string {
  const catalogue = loadCatalogues().en;
  // A message with plural forms is documented by its `other` form, placeholders as `{name}`.
  const en = (key: string) => {
    const text = catalogue.get(key);
    return text === undefined ? key : messageSketch(text);
  };
  const lines = [
    "# Errors and reason codes",
    "",
    "<!-- Generated from src/core/http/errors.ts and every reasons.ts by `node --import tsx scripts/errors-doc.ts`;",
    "     test/reasons.test.ts fails when this file is out of date. Edit the code, not this file. -->",
    "",
    "Every refusal carries a stable, machine-readable general `code` (with its HTTP status); a refusal",
    "by one of the platform's rules also carries a `reason`, a code unique across the platform. Codes",
    "never change meaning; messages may be reworded at any time, so clients and tests read codes.",
    "",
    "Where they appear:",
    "",
    "- **JSON** (`application/problem+json`): `{ type, title, detail?, status, code, reason?, errors }`;",
    "  `errors` maps a field to its message in the request's language.",
    "- **HTML error page**: the message element carries `data-code=\"CODE\"` and, when a rule refused,",
    "  `data-reason=\"REASON\"`.",
    "- **A form sent back with errors** (400): each item of the error summary carries",
    "  `data-error=\"message.key\"` and, when a rule refused the value, `data-reason=\"CODE\"`; a",
    "  field's own error carries `data-error` too. A reason that names a field (an address already",
    "  taken) is that field's error on a form, and a 409 with `errors.<field>` in JSON.",
    "- **An error flash** after a redirect carries `data-reason` when a rule refused.",
    "",
    "## General codes",
    "",
    "| Code | Status | Message key | English message | What to do |",
    "| --- | --- | --- | --- | --- |",
    ...Object.entries(ERRORS).map(([code, error]) => `| \`${code}\` | ${error.status} | \`${error.messageKey}\` | ${cell(en(error.messageKey))} | ${cell(error.remedy)} |`),
    "",
    "## Reasons",
    "",
    "A reason comes with `CONFLICT` (409) in JSON and on an error page, or as a field's error on a form",
    "sent back (400); *What to do* names any other status.",
  ];
  for (const catalogue of catalogues) {
    lines.push(
      "",
      `### ${catalogue.owner}`,
      "",
      "| Reason | Message key | English message | What to do |",
      "| --- | --- | --- | --- |",
      ...Object.values(catalogue.reasons).map((reason) => `| \`${reason.code}\` | \`${reason.messageKey}\` | ${cell(en(reason.messageKey))} | ${cell(reason.remedy)} |`),
    );
  }
  return `${lines.join("\n")}\n`;
}
