import { Html } from "@kitajs/html";
import { Breadcrumbs, Pagination, Paragraphs } from "../../../core/views/components.js";
import type { ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import { COUNTRY_LABEL_KEYS, type Municipality } from "../../../core/tenancy/index.js";
import type { NewsRow, OfficialRow, PageRow } from "../store.js";
import type { StoredFile } from "../../../core/files/index.js";
import type { ModuleFigure, OpenNowItem } from "../../../core/modules.js";
import { MunicipalMark, NetworkMap } from "./identity.js";

function countryName(ctx: ViewContext, code: string): string {
  return ctx.t(COUNTRY_LABEL_KEYS[code] ?? "country.other");
}

/** A live figure as the front pages show it: the number large, its counted label under it. */
function Figures(props: { ctx: ViewContext; figures: ModuleFigure[] }): JSX.Element {
  const { ctx } = props;
  return (
    <ul class="figures">
      {props.figures.map((figure) => (
        <li data-figure={figure.key}>
          <strong safe>{ctx.fmt.number(figure.value)}</strong> <span safe>{ctx.t(figure.labelKey, { count: figure.value })}</span>
        </li>
      ))}
    </ul>
  );
}

/** How many news items the network's home page shows, all municipalities together. */
export const NETWORK_NEWS_SHOWN = 4;

export function NetworkHomePage(props: { ctx: ViewContext; municipalities: Municipality[]; figures: ModuleFigure[]; news: NewsRow[] }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const byCountry = new Map<string, Municipality[]>();
  for (const municipality of props.municipalities) {
    byCountry.set(municipality.country_code, [...(byCountry.get(municipality.country_code) ?? []), municipality]);
  }
  const byId = new Map(props.municipalities.map((m) => [m.id, m]));
  const countries = [...byCountry.keys()].sort((a, b) => countryName(ctx, a).localeCompare(countryName(ctx, b), ctx.locale));
  // Participation and procedures belong to each municipality: those two lead to the list of them.
  const ways = [
    { href: "/data", title: "portal.network.way.data", text: "portal.network.way.data_text" },
    { href: "#communes", title: "portal.network.way.participation", text: "portal.network.way.participation_text" },
    { href: "#communes", title: "portal.network.way.services", text: "portal.network.way.services_text" },
    { href: "#programme", title: "portal.network.way.programme", text: "portal.network.way.programme_text" },
  ];
  return (
    <Layout ctx={ctx} title={t("portal.network.title")} description={ctx.network?.description}>
      <h1 safe>{ctx.network?.name ?? t("site.name")}</h1>
      <p class="lead" safe>
        {t("portal.network.intro")}
      </p>
      <Figures ctx={ctx} figures={props.figures} />
      <section aria-labelledby="ways">
        <h2 id="ways" safe>
          {t("portal.network.ways")}
        </h2>
        <ul class="cards ways">
          {ways.map((way) => (
            <li>
              <h3>
                <a href={way.href} safe>
                  {t(way.title)}
                </a>
              </h3>
              <p safe>{t(way.text)}</p>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="communes">
        <h2 id="communes" safe>
          {t("portal.network.title")}
        </h2>
        <p safe>{t("portal.network.summary", { count: props.municipalities.length, municipalities: props.municipalities.length, countries: countries.length })}</p>
        <div class="atlas">
          <NetworkMap municipalities={props.municipalities} countryName={(code) => countryName(ctx, code)} />
          <div>
            {countries.map((code) => (
              <>
                <h3 safe>{countryName(ctx, code)}</h3>
                <ul class="towns">
                  {(byCountry.get(code) ?? []).map((municipality) => (
                    <li>
                      <a href={`/${municipality.slug}/`} safe>
                        {municipality.name}
                      </a>{" "}
                      <span class="meta" safe>
                        {municipality.region}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            ))}
          </div>
        </div>
      </section>
      <section aria-labelledby="latest-news">
        <h2 id="latest-news" safe>
          {t("portal.home.latest_news")}
        </h2>
        {props.news.length === 0 ? (
          <p safe>{t("portal.news.none")}</p>
        ) : (
          <ul class="cards">
            {props.news.map((item) => {
              const municipality = byId.get(item.municipality_id);
              if (!municipality) return "";
              return (
                <li>
                  <h3>
                    <a href={`/${municipality.slug}/news/${item.id}`} lang={item.language} safe>
                      {item.title}
                    </a>
                  </h3>
                  <p class="meta">
                    <span safe>{municipality.name}</span>
                    {" · "}
                    <time datetime={item.published_at?.toISOString()}>
                      {item.published_at ? ctx.fmt.date(item.published_at, municipality.time_zone) : ""}
                    </time>
                  </p>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section aria-labelledby="programme">
        <h2 id="programme" safe>
          {t("portal.network.programme")}
        </h2>
        {ctx.network?.description ? <p safe>{ctx.network.description}</p> : ""}
        <p safe>{t("portal.network.programme_text")}</p>
        <p>
          <a href="https://log.africtivistes.org" rel="noopener" safe>
            {t("portal.network.programme_link")}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/** Item titles are h3 under the home page's "latest news" h2, and h2 on the news index. */
function NewsList(props: { ctx: ViewContext; municipality: Municipality; news: NewsRow[]; topLevel?: boolean }): JSX.Element {
  const Heading = props.topLevel ? "h2" : "h3";
  const { ctx, municipality } = props;
  if (props.news.length === 0) return <p safe>{ctx.t("portal.news.none")}</p>;
  return (
    <ul class="cards">
      {props.news.map((item) => (
        <li>
          <Heading>
            <a href={`/${municipality.slug}/news/${item.id}`} safe>
              {item.title}
            </a>
          </Heading>
          <p class="meta">
            <time datetime={item.published_at?.toISOString()}>
              {item.published_at ? ctx.fmt.date(item.published_at, municipality.time_zone) : ""}
            </time>
          </p>
          {item.summary ? <p safe>{item.summary}</p> : ""}
        </li>
      ))}
    </ul>
  );
}

export function MunicipalityHomePage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  officials: OfficialRow[];
  news: NewsRow[];
  pages: PageRow[];
  openNow: OpenNowItem[];
  figures: ModuleFigure[];
}): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("portal.home.title")} description={municipality.description}>
      <div class="identity">
        <MunicipalMark municipality={municipality} label={t("portal.identity.mark_of", { name: municipality.name })} />
        <div>
          <h1 safe>{municipality.name}</h1>
          {municipality.description ? <p safe>{municipality.description}</p> : ""}
        </div>
      </div>
      <dl class="facts">
        <div>
          <dt safe>{t("portal.home.country")}</dt>
          <dd safe>{countryName(ctx, municipality.country_code)}</dd>
        </div>
        <div>
          <dt safe>{t("portal.home.region")}</dt>
          <dd safe>{municipality.region}</dd>
        </div>
        {municipality.population ? (
          <div>
            <dt safe>{t("portal.home.population")}</dt>
            <dd safe>{ctx.fmt.number(municipality.population)}</dd>
          </div>
        ) : (
          ""
        )}
      </dl>
      <section aria-labelledby="open-now">
        <h2 id="open-now" safe>
          {t("portal.home.open_now")}
        </h2>
        {props.openNow.length === 0 ? (
          <p safe>{t("portal.home.nothing_open")}</p>
        ) : (
          <ul class="open-now">
            {props.openNow.map((item) => (
              <li>
                <span class="tag" safe>
                  {t(item.kindKey)}
                </span>{" "}
                <a href={item.href} safe>
                  {item.title}
                </a>
                {item.when ? (
                  <>
                    {" "}
                    <span class="meta" safe>
                      {t(item.when.key, { date: (item.when.dateOnly ? ctx.fmt.date : ctx.fmt.dateTime)(item.when.at, municipality.time_zone) })}
                    </span>
                  </>
                ) : (
                  ""
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="key-figures">
        <h2 id="key-figures" safe>
          {t("portal.home.key_figures")}
        </h2>
        <Figures ctx={ctx} figures={props.figures} />
      </section>
      <section aria-labelledby="services">
        <h2 id="services" safe>
          {t("portal.home.services")}
        </h2>
        <ul>
          {ctx.nav.map((entry) => (
            <li>
              <a href={entry.href} safe>
                {t(entry.labelKey)}
              </a>
            </li>
          ))}
          {props.pages.map((page) => (
            <li>
              <a href={`/${municipality.slug}/pages/${page.slug}`} safe>
                {page.title}
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="latest-news">
        <h2 id="latest-news" safe>
          {t("portal.home.latest_news")}
        </h2>
        <NewsList ctx={ctx} municipality={municipality} news={props.news} />
        <p>
          <a href={`/${municipality.slug}/news`} safe>
            {t("portal.home.all_news")}
          </a>
        </p>
      </section>
      <section aria-labelledby="officials">
        <h2 id="officials" safe>
          {t("portal.home.officials")}
        </h2>
        {props.officials.length === 0 ? (
          <p safe>{t("portal.home.no_officials")}</p>
        ) : (
          <ul>
            {props.officials.map((official) => (
              <li>
                <strong safe>{official.name}</strong>
                {Html.escapeHtml(` — ${official.title}`)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}

export function NewsIndexPage(props: { ctx: ViewContext; municipality: Municipality; news: NewsRow[]; page: number; hasNext: boolean }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("portal.news.title")}>
      <Breadcrumbs ctx={ctx} items={[{ href: `/${municipality.slug}/`, label: municipality.name }, { label: t("portal.news.title") }]} />
      <h1 safe>{t("portal.news.title")}</h1>
      <NewsList ctx={ctx} municipality={municipality} news={props.news} topLevel />
      <Pagination ctx={ctx} page={props.page} hasNext={props.hasNext} href={(page) => `/${municipality.slug}/news?page=${page}`} />
    </Layout>
  );
}

function Attachment(props: { ctx: ViewContext; municipality: Municipality; file: StoredFile; alt: string }): JSX.Element {
  const { ctx, municipality, file } = props;
  const href = `/${municipality.slug}/files/${file.id}`;
  if (file.media_type.startsWith("image/")) {
    return (
      <figure>
        <img src={href} alt={props.alt} loading="lazy" />
      </figure>
    );
  }
  const kilobytes = Math.max(1, Math.round(file.size_bytes / 1024));
  return (
    <p>
      <a href={href} safe>
        {ctx.t("portal.news.download", { name: file.original_name, size: ctx.fmt.number(kilobytes) })}
      </a>
    </p>
  );
}

export function NewsItemPage(props: { ctx: ViewContext; municipality: Municipality; news: NewsRow; attachment?: StoredFile | undefined }): JSX.Element {
  const { ctx, municipality, news } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={news.title} description={news.summary}>
      <Breadcrumbs
        ctx={ctx}
        items={[{ href: `/${municipality.slug}/`, label: municipality.name }, { href: `/${municipality.slug}/news`, label: t("portal.news.title") }, { label: news.title }]}
      />
      <article lang={news.language}>
        <h1 safe>{news.title}</h1>
        {news.status === "draft" ? <p class="notice" safe>{t("portal.news.draft_preview")}</p> : ""}
        <p class="meta">
          {news.published_at ? (
            <time datetime={news.published_at.toISOString()} safe>
              {t("portal.news.published_on", { date: ctx.fmt.date(news.published_at, municipality.time_zone) })}
            </time>
          ) : (
            ""
          )}
        </p>
        {news.summary ? (
          <p>
            <strong safe>{news.summary}</strong>
          </p>
        ) : (
          ""
        )}
        <Paragraphs text={news.body} />
        {props.attachment ? <Attachment ctx={ctx} municipality={municipality} file={props.attachment} alt={news.title} /> : ""}
      </article>
    </Layout>
  );
}

export function PagesIndexPage(props: { ctx: ViewContext; municipality: Municipality; pages: PageRow[] }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("portal.pages.title")}>
      <Breadcrumbs ctx={ctx} items={[{ href: `/${municipality.slug}/`, label: municipality.name }, { label: t("portal.pages.title") }]} />
      <h1 safe>{t("portal.pages.title")}</h1>
      {props.pages.length === 0 ? <p safe>{t("portal.pages.none")}</p> : ""}
      <ul>
        {props.pages.map((page) => (
          <li>
            <a href={`/${municipality.slug}/pages/${page.slug}`} safe>
              {page.title}
            </a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function StaticPage(props: { ctx: ViewContext; municipality: Municipality; page: PageRow }): JSX.Element {
  const { ctx, municipality, page } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={page.title}>
      <Breadcrumbs ctx={ctx} items={[{ href: `/${municipality.slug}/`, label: municipality.name }, { href: `/${municipality.slug}/pages`, label: t("portal.pages.title") }, { label: page.title }]} />
      <article lang={page.language}>
        <h1 safe>{page.title}</h1>
        {page.status === "draft" ? <p class="notice" safe>{t("portal.news.draft_preview")}</p> : ""}
        <Paragraphs text={page.body} />
        <p class="meta" safe>
          {t("portal.pages.updated_on", { date: ctx.fmt.date(page.updated_at, municipality.time_zone) })}
        </p>
      </article>
    </Layout>
  );
}
