import { Html } from "@kitajs/html";
import { Breadcrumbs, Pagination, Paragraphs } from "../../../core/views/components.js";
import type { ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { ExportEntry } from "../../../core/modules.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import type { DatasetRow, ResourceRow, SearchResult, VersionRow } from "../store.js";
import { FREQUENCIES, LICENCES, THEMES, type Frequency, type Licence, type Theme } from "../vocabulary.js";

export interface SearchParams {
  q: string;
  themes: string[];
  tags: string[];
  formats: string[];
  licences: string[];
  municipalities: string[];
  sort: "relevance" | "updated" | "title";
  page: number;
}

export const PAGE_SIZE = 20;

/** How each recorded change is named in the version history. */
const CHANGE_LABEL_KEYS: Record<string, string> = {
  status: "opendata.change.published",
  resources: "opendata.dataset.resources",
  slug: "portal.field.slug",
  title: "portal.field.title",
  description: "opendata.field.description",
  themes: "opendata.field.themes",
  tags: "opendata.field.tags",
  licence: "opendata.field.licence",
  frequency: "opendata.field.frequency",
  spatial: "opendata.field.spatial",
  temporal_start: "opendata.field.temporal_start",
  temporal_end: "opendata.field.temporal_end",
  contact_name: "opendata.field.contact_name",
  contact_email: "opendata.field.contact_email",
  language: "portal.field.language",
};

const SORT_LABEL_KEYS = { relevance: "opendata.sort.relevance", updated: "opendata.sort.updated", title: "opendata.sort.title" } as const;

function queryString(params: SearchParams, page: number): string {
  const search = new URLSearchParams();
  if (params.q) search.set("q", params.q);
  for (const [name, values] of [["theme", params.themes], ["tag", params.tags], ["format", params.formats], ["licence", params.licences], ["municipality", params.municipalities]] as const) {
    for (const value of values) search.append(name, value);
  }
  if (params.sort !== "relevance") search.set("sort", params.sort);
  if (page > 1) search.set("page", String(page));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The search form's id: the filters sit after the results, outside it, and join it by this name. */
const SEARCH_FORM = "data-search";

function Facet(props: { ctx: ViewContext; name: string; legend: string; counts: Record<string, number>; selected: string[]; label: (value: string) => string }): JSX.Element {
  const values = Object.entries(props.counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const selectedOnly = props.selected.filter((value) => !(value in props.counts));
  if (values.length === 0 && selectedOnly.length === 0) return "";
  return (
    <fieldset>
      <legend safe>{props.legend}</legend>
      {[...values, ...selectedOnly.map((value) => [value, 0] as [string, number])].map(([value, count]) => (
        <label>
          <input type="checkbox" name={props.name} value={value} checked={props.selected.includes(value)} form={SEARCH_FORM} />{" "}
          <span safe>{`${props.label(value)} (${props.ctx.fmt.number(count)})`}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function themeLabel(ctx: ViewContext, code: string): string {
  return code in THEMES ? ctx.t(THEMES[code as Theme].labelKey) : code;
}

export function licenceTitle(id: string): string {
  return id in LICENCES ? LICENCES[id as Licence].title : id;
}

export function SearchPage(props: {
  ctx: ViewContext;
  municipality: Municipality | null;
  params: SearchParams;
  result: SearchResult;
  names: Record<string, string>;
  exports: ExportEntry[];
}): JSX.Element {
  const { ctx, municipality, params, result } = props;
  const { t } = ctx;
  const base = municipality ? `/${municipality.slug}/data` : "/data";
  const title = municipality ? t("opendata.portal.title") : t("opendata.network.title");
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const active = params.themes.length + params.tags.length + params.formats.length + params.licences.length + params.municipalities.length;
  const catalogue = municipality ? `/${municipality.slug}/catalog` : "/catalog";
  const alternates = [
    { href: `${catalogue}.ttl`, type: "text/turtle", title: t("opendata.exports.catalog") },
    { href: `${catalogue}.jsonld`, type: "application/ld+json", title: t("opendata.exports.catalog") },
  ];
  return (
    <Layout ctx={ctx} title={title} alternates={alternates}>
      <Breadcrumbs ctx={ctx} items={[municipality ? { href: `/${municipality.slug}/`, label: municipality.name } : { href: "/", label: t("nav.home") }, { label: title }]} />
      <h1 safe>{title}</h1>
      {/* Results first: on a phone the filters come after them, folded; on a wide screen they
          stand beside them. They belong to the search form through their form attribute. */}
      <div class="catalogue">
        <div>
          <form method="get" action={base} role="search" id={SEARCH_FORM} class="stack">
            <div>
              <label for="f-q" safe>
                {t("opendata.search.label")}
              </label>
              <input type="search" id="f-q" name="q" value={params.q} />
            </div>
            <div>
              <button type="submit" safe>
                {t("opendata.search.submit")}
              </button>
            </div>
          </form>
          <h2 safe>{t("opendata.search.count", { count: result.total })}</h2>
          <ul class="cards">
            {result.rows.map((dataset) => (
              <li>
                <h3>
                  <a href={`/${dataset.municipality_slug}/data/${dataset.slug}`} safe>
                    {dataset.title}
                  </a>
                </h3>
                <p class="meta" safe>
                  {`${dataset.municipality_name} · ${dataset.formats.join(", ")}`}
                </p>
                <p safe>{dataset.description.length > 200 ? `${dataset.description.slice(0, 200)}…` : dataset.description}</p>
              </li>
            ))}
          </ul>
          <Pagination ctx={ctx} page={params.page} hasNext={params.page < pages} href={(page) => `${base}${queryString(params, page)}`} />
        </div>
        <details class="filters wide-open">
          <summary safe>{active > 0 ? `${t("opendata.filters.title")} (${t("opendata.filters.active", { count: active })})` : t("opendata.filters.title")}</summary>
          <div class="stack">
            <div>
              <label for="f-sort" safe>
                {t("opendata.search.sort")}
              </label>
              <select id="f-sort" name="sort" form={SEARCH_FORM}>
                {(Object.keys(SORT_LABEL_KEYS) as (keyof typeof SORT_LABEL_KEYS)[]).map((sort) => (
                  <option value={sort} selected={params.sort === sort} safe>
                    {t(SORT_LABEL_KEYS[sort])}
                  </option>
                ))}
              </select>
            </div>
            {municipality ? (
              ""
            ) : (
              <Facet ctx={ctx} name="municipality" legend={t("opendata.facet.municipality")} counts={result.facets.municipalities} selected={params.municipalities} label={(slug) => props.names[slug] ?? slug} />
            )}
            <Facet ctx={ctx} name="theme" legend={t("opendata.facet.theme")} counts={result.facets.themes} selected={params.themes} label={(code) => themeLabel(ctx, code)} />
            <Facet ctx={ctx} name="tag" legend={t("opendata.facet.tag")} counts={result.facets.tags} selected={params.tags} label={(tag) => tag} />
            <Facet ctx={ctx} name="format" legend={t("opendata.facet.format")} counts={result.facets.formats} selected={params.formats} label={(format) => format} />
            <Facet ctx={ctx} name="licence" legend={t("opendata.facet.licence")} counts={result.facets.licences} selected={params.licences} label={licenceTitle} />
            <div>
              <button type="submit" form={SEARCH_FORM} safe>
                {t("opendata.filters.apply")}
              </button>
            </div>
          </div>
        </details>
      </div>
      {municipality && props.exports.length > 0 ? (
        <section aria-labelledby="exports">
          <h2 id="exports" safe>
            {t("opendata.exports.heading")}
          </h2>
          <ul>
            {props.exports.map((entry) => (
              <li>
                <a href={entry.path} safe>
                  {entry.itemTitle === undefined ? t(entry.titleKey) : t("opendata.exports.item", { export: t(entry.titleKey), item: entry.itemTitle })}
                </a>{" "}
                <span class="meta" safe>
                  {`(${entry.format})`}
                </span>
              </li>
            ))}
          </ul>
          <p>
            <a href={`/api/v1/${municipality.slug}/exports`} safe>
              {t("opendata.exports.api")}
            </a>
          </p>
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}

function sizeText(ctx: ViewContext, bytes: number | null): string {
  if (bytes === null) return "";
  return bytes < 1024 * 1024 ? ctx.t("opendata.size.kb", { size: ctx.fmt.number(Math.max(1, Math.round(bytes / 1024))) }) : ctx.t("opendata.size.mb", { size: ctx.fmt.number(Math.round(bytes / 104857.6) / 10) });
}

export function DatasetPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  dataset: DatasetRow;
  resources: ResourceRow[];
  versions: VersionRow[];
  /** Resources loaded in the datastore, which can be previewed and filtered. */
  tabular: Set<string>;
}): JSX.Element {
  const { ctx, municipality, dataset } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/data/${dataset.slug}`;
  const frequencyKey = FREQUENCIES[dataset.frequency as Frequency]?.labelKey ?? "opendata.frequency.irregular";
  const licence = LICENCES[dataset.licence as Licence];
  return (
    <Layout
      ctx={ctx}
      title={dataset.title}
      description={dataset.description.slice(0, 200)}
      alternates={[{ href: `${base}/datapackage.json`, type: "application/json", title: t("opendata.exports.datapackage") }]}
    >
      <Breadcrumbs ctx={ctx} items={[{ href: `/${municipality.slug}/`, label: municipality.name }, { href: `/${municipality.slug}/data`, label: t("opendata.portal.title") }, { label: dataset.title }]} />
      <article lang={dataset.language}>
        <h1 safe>{dataset.title}</h1>
        {dataset.status === "draft" ? <p class="notice" safe>{t("opendata.dataset.draft_preview")}</p> : ""}
        <Paragraphs text={dataset.description} />
      </article>
      <h2 safe>{t("opendata.dataset.resources")}</h2>
      {props.resources.length === 0 ? <p safe>{t("opendata.dataset.no_resources")}</p> : ""}
      <ul>
        {props.resources.map((resource) => (
          <li>
            <a href={`${base}/resources/${resource.id}/download`} safe>
              {`${resource.name} (${resource.format}${resource.size_bytes !== null ? `, ${sizeText(ctx, resource.size_bytes)}` : ""})`}
            </a>
            {props.tabular.has(resource.id) ? (
              <>
                {" · "}
                <a href={`${base}/resources/${resource.id}`} safe>
                  {t("opendata.datastore.preview_link")}
                </a>
              </>
            ) : (
              ""
            )}
            {resource.description ? <p safe>{resource.description}</p> : ""}
          </li>
        ))}
      </ul>
      <h2 safe>{t("opendata.dataset.information")}</h2>
      <dl>
        <dt safe>{t("opendata.field.licence")}</dt>
        <dd>
          {licence ? (
            <a href={licence.url} rel="license">
              {licence.title}
            </a>
          ) : (
            Html.escapeHtml(dataset.licence)
          )}
        </dd>
        <dt safe>{t("opendata.field.frequency")}</dt>
        <dd safe>{t(frequencyKey)}</dd>
        {dataset.themes.length > 0 ? (
          <>
            <dt safe>{t("opendata.field.themes")}</dt>
            <dd safe>{dataset.themes.map((code) => themeLabel(ctx, code)).join(", ")}</dd>
          </>
        ) : (
          ""
        )}
        {dataset.tags.length > 0 ? (
          <>
            <dt safe>{t("opendata.field.tags")}</dt>
            <dd safe>{dataset.tags.join(", ")}</dd>
          </>
        ) : (
          ""
        )}
        {dataset.spatial ? (
          <>
            <dt safe>{t("opendata.field.spatial")}</dt>
            <dd safe>{dataset.spatial}</dd>
          </>
        ) : (
          ""
        )}
        {dataset.temporal_start || dataset.temporal_end ? (
          <>
            <dt safe>{t("opendata.field.temporal")}</dt>
            <dd safe>{`${dataset.temporal_start ?? "…"} – ${dataset.temporal_end ?? "…"}`}</dd>
          </>
        ) : (
          ""
        )}
        {dataset.contact_name || dataset.contact_email ? (
          <>
            <dt safe>{t("opendata.field.contact")}</dt>
            <dd safe>{[dataset.contact_name, dataset.contact_email].filter(Boolean).join(" · ")}</dd>
          </>
        ) : (
          ""
        )}
        <dt safe>{t("opendata.field.updated")}</dt>
        <dd safe>{ctx.fmt.date(dataset.updated_at, municipality.time_zone)}</dd>
      </dl>
      {props.versions.length > 0 ? (
        <>
          <h2 safe>{t("opendata.dataset.history")}</h2>
          <ul>
            {props.versions.map((version) => (
              <li safe>
                {t("opendata.dataset.version_line", {
                  version: version.version,
                  date: ctx.fmt.dateTime(new Date(version.published_at), municipality.time_zone),
                  who: version.published_by_name ?? "—",
                  changed: version.changed.map((field) => (CHANGE_LABEL_KEYS[field] ? t(CHANGE_LABEL_KEYS[field]) : field).toLowerCase()).join(", "),
                })}
              </li>
            ))}
          </ul>
        </>
      ) : (
        ""
      )}
    </Layout>
  );
}
