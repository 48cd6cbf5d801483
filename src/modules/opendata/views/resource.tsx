import { Breadcrumbs, ErrorSummary, FileField, Form, Pagination, TableScroll } from "../../../core/views/components.js";
import type { FieldType } from "../datastore/infer.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import type { DatastoreTable } from "../datastore/store.js";
import type { QualityIssue } from "../datastore/infer.js";
import type { DatasetRow, ResourceRow } from "../store.js";

export interface PreviewParams {
  q: string;
  filterField: string;
  filterValue: string;
  sort: string;
  direction: "asc" | "desc";
  page: number;
  chartX: string;
  chartY: string;
  /** Empty until chosen: a line over dates, bars over labels. */
  chartKind: "bar" | "line" | "";
}

export const PREVIEW_ROWS = 20;

const TYPE_LABEL_KEYS = {
  integer: "opendata.datastore.type.integer",
  number: "opendata.datastore.type.number",
  date: "opendata.datastore.type.date",
  boolean: "opendata.datastore.type.boolean",
  string: "opendata.datastore.type.string",
} as const;

const ISSUE_KEYS: Record<QualityIssue["kind"], string> = {
  blank_header: "opendata.datastore.issue.blank_header",
  duplicate_header: "opendata.datastore.issue.duplicate_header",
  wrong_field_count: "opendata.datastore.issue.wrong_field_count",
  type_mismatch: "opendata.datastore.issue.type_mismatch",
};

export function previewQuery(params: PreviewParams, overrides: Partial<PreviewParams> = {}): string {
  const merged = { ...params, ...overrides };
  const search = new URLSearchParams();
  if (merged.q) search.set("q", merged.q);
  if (merged.filterField && merged.filterValue) {
    search.set("filter", merged.filterField);
    search.set("value", merged.filterValue);
  }
  if (merged.sort) {
    search.set("sort", merged.sort);
    search.set("dir", merged.direction);
  }
  if (merged.page > 1) search.set("page", String(merged.page));
  const text = search.toString();
  return text ? `?${text}` : "";
}

function cellText(ctx: ViewContext, value: unknown, type: keyof typeof TYPE_LABEL_KEYS): string {
  if (value === null || value === undefined) return "";
  if (type === "number" || type === "integer") return ctx.fmt.number(Number(value));
  if (type === "boolean") return ctx.t(value ? "opendata.datastore.true" : "opendata.datastore.false");
  // A day as the reader writes it ("15 mars 2025"); exports keep ISO dates for programs.
  if (type === "date") {
    const day = dayOf(value);
    if (day) return ctx.fmt.date(day, "UTC");
  }
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value);
}

/** A date column's value (a Date, or the ISO day the database sends) as midnight UTC of that day. */
export function dayOf(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const day = new Date(`${value.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? undefined : day;
}

export function IssueList(props: { ctx: ViewContext; table: DatastoreTable }): JSX.Element {
  const { ctx, table } = props;
  const { t } = ctx;
  const report = table.report;
  return (
    <details>
      <summary safe>{t("opendata.datastore.report_summary", { rows: report.rows, count: report.issueCount, encoding: report.encoding })}</summary>
      <ul>
        {report.issues.map((issue) => (
          <li safe>
            {t(ISSUE_KEYS[issue.kind], { line: issue.line, column: issue.column ?? "", value: issue.kind === "wrong_field_count" ? Number(issue.value) : (issue.value ?? ""), expected: String(issue.expected ?? "") })}
          </li>
        ))}
      </ul>
      {report.issueCount > report.issues.length ? <p safe>{t("opendata.datastore.more_issues", { count: report.issueCount - report.issues.length })}</p> : ""}
      {report.otherSheets?.length ? <p safe>{t("opendata.datastore.other_sheets", { sheets: report.otherSheets.join(", ") })}</p> : ""}
    </details>
  );
}

export function ResourcePage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  dataset: DatasetRow;
  resource: ResourceRow;
  table: DatastoreTable | undefined;
  rows: Record<string, unknown>[];
  total: number;
  params: PreviewParams;
  canManage: boolean;
  replaceForm?: FormState;
  /** The chart's own size, so that its image keeps its proportions. */
  chartSize?: { width: string; height: string } | undefined;
}): JSX.Element {
  const { ctx, municipality, dataset, resource, table, params } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/data/${dataset.slug}/resources/${resource.id}`;
  const fields = table?.table_schema.fields ?? [];
  const pages = Math.max(1, Math.ceil(props.total / PREVIEW_ROWS));
  return (
    <Layout ctx={ctx} title={`${resource.name} · ${dataset.title}`}>
      <Breadcrumbs
        ctx={ctx}
        items={[
          { href: `/${municipality.slug}/data`, label: t("opendata.portal.title") },
          { href: `/${municipality.slug}/data/${dataset.slug}`, label: dataset.title },
          { label: resource.name },
        ]}
      />
      <h1 safe>{resource.name}</h1>
      {resource.description ? <p safe>{resource.description}</p> : ""}
      <p>
        <a class="button" href={`${base}/download`} safe>
          {t("opendata.datastore.download_original", { format: resource.format })}
        </a>
      </p>
      {table ? (
        <>
          <h2 safe>{t("opendata.datastore.preview")}</h2>
          <form method="get" action={base} class="stack" role="search">
            <div>
              <label for="f-q" safe>
                {t("opendata.datastore.search")}
              </label>
              <input type="search" id="f-q" name="q" value={params.q} />
            </div>
            <div>
              <label for="f-filter" safe>
                {t("opendata.datastore.filter_field")}
              </label>
              <select id="f-filter" name="filter">
                <option value="" safe>
                  {t("opendata.datastore.no_filter")}
                </option>
                {fields.map((field) => (
                  <option value={field.name} selected={params.filterField === field.name} safe>
                    {field.title}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-value" safe>
                {t("opendata.datastore.filter_value")}
              </label>
              <input id="f-value" name="value" value={params.filterValue} />
            </div>
            <div>
              <button type="submit" safe>
                {t("opendata.search.submit")}
              </button>
            </div>
          </form>
          <p safe>{t("opendata.datastore.count", { count: props.total })}</p>
          <ul class="inline">
            <li>
              <a href={`${base}/rows.csv${previewQuery(params, { page: 1 })}`} safe>
                {t("opendata.datastore.download_rows", { format: "CSV" })}
              </a>
            </li>
            <li>
              <a href={`${base}/rows.json${previewQuery(params, { page: 1 })}`} safe>
                {t("opendata.datastore.download_rows", { format: "JSON" })}
              </a>
            </li>
            <li>
              <a href={`${base}/rows.xlsx${previewQuery(params, { page: 1 })}`} safe>
                {t("opendata.datastore.download_rows", { format: "XLSX" })}
              </a>
            </li>
          </ul>
          <TableScroll label={resource.name}>
            <table>
              <caption class="sr" safe>
                {resource.name}
              </caption>
              <thead>
                <tr>
                  {fields.map((field) => {
                    const sorted = params.sort === field.name;
                    const next = sorted && params.direction === "asc" ? "desc" : "asc";
                    return (
                      <th scope="col" aria-sort={sorted ? (params.direction === "asc" ? "ascending" : "descending") : undefined}>
                        <a href={`${base}${previewQuery(params, { sort: field.name, direction: next, page: 1 })}`} safe>
                          {`${field.title}${sorted ? (params.direction === "asc" ? " ▲" : " ▼") : ""}`}
                        </a>
                        <span class="hint" safe>
                          {t(TYPE_LABEL_KEYS[field.type])}
                        </span>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {props.rows.map((row) => (
                  <tr>
                    {fields.map((field) => (
                      <td safe>{cellText(ctx, row[field.name], field.type)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pagination ctx={ctx} page={params.page} hasNext={params.page < pages} href={(page) => `${base}${previewQuery(params, { page })}`} />
          <h2 safe>{t("opendata.chart.heading")}</h2>
          <form method="get" action={base} class="stack">
            <div>
              <label for="f-x" safe>
                {t("opendata.chart.x")}
              </label>
              <select id="f-x" name="x">
                {fields.map((field) => (
                  <option value={field.name} selected={params.chartX === field.name} safe>
                    {field.title}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-y" safe>
                {t("opendata.chart.y")}
              </label>
              <select id="f-y" name="y">
                {fields
                  .filter((field) => field.type === "integer" || field.type === "number")
                  .map((field) => (
                    <option value={field.name} selected={params.chartY === field.name} safe>
                      {field.title}
                    </option>
                  ))}
              </select>
            </div>
            <div>
              <label for="f-kind" safe>
                {t("opendata.chart.kind")}
              </label>
              <select id="f-kind" name="kind">
                <option value="bar" selected={params.chartKind === "bar"} safe>
                  {t("opendata.chart.bar")}
                </option>
                <option value="line" selected={params.chartKind === "line"} safe>
                  {t("opendata.chart.line")}
                </option>
              </select>
            </div>
            <div>
              <button type="submit" safe>
                {t("opendata.chart.draw")}
              </button>
            </div>
          </form>
          {params.chartX && params.chartY ? (
            <figure>
              <img
                src={`${base}/chart.svg?${new URLSearchParams({ x: params.chartX, y: params.chartY, kind: params.chartKind }).toString()}`}
                alt={t("opendata.chart.alt", {
                  y: fields.find((field) => field.name === params.chartY)?.title ?? params.chartY,
                  x: fields.find((field) => field.name === params.chartX)?.title ?? params.chartX,
                })}
                width={props.chartSize?.width ?? "640"}
                height={props.chartSize?.height ?? "320"}
              />
            </figure>
          ) : (
            ""
          )}
          {props.canManage ? <IssueList ctx={ctx} table={table} /> : ""}
          {props.canManage && resource.file_id ? (
            <section aria-labelledby="schema">
              <h2 id="schema" safe>
                {t("opendata.datastore.schema")}
              </h2>
              <p safe>{t("opendata.datastore.schema_intro")}</p>
              <Form ctx={ctx} action={`/${municipality.slug}/admin/data/${dataset.id}/resources/${resource.id}/schema`}>
                {fields.map((field) => (
                  <div>
                    <label for={`f-type_${field.name}`} safe>
                      {`${field.title} (${field.name})`}
                    </label>
                    <select id={`f-type_${field.name}`} name={`type_${field.name}`}>
                      {(Object.keys(TYPE_LABEL_KEYS) as FieldType[]).map((type) => (
                        <option value={type} selected={field.type === type} safe>
                          {t(TYPE_LABEL_KEYS[type])}
                        </option>
                      ))}
                    </select>
                  </div>
                ))}
                <div>
                  <button type="submit" safe>
                    {t("opendata.datastore.schema_submit")}
                  </button>
                </div>
              </Form>
            </section>
          ) : (
            ""
          )}
        </>
      ) : (
        ""
      )}
      {props.canManage && resource.file_id ? (
        <section aria-labelledby="replace">
          <h2 id="replace" safe>
            {t("opendata.datastore.replace")}
          </h2>
          <p safe>{t("opendata.datastore.replace_intro")}</p>
          <ErrorSummary ctx={ctx} form={props.replaceForm} />
          <Form ctx={ctx} action={`/${municipality.slug}/admin/data/${dataset.id}/resources/${resource.id}/replace`} form={props.replaceForm} multipart>
            <FileField ctx={ctx} form={props.replaceForm} name="file" label={t("opendata.field.file")} accept=".csv,.xlsx,.json,.geojson,.pdf,.zip" />
            <div>
              <button type="submit" safe>
                {t("opendata.datastore.replace_submit")}
              </button>
            </div>
          </Form>
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}
