import { Html } from "@kitajs/html";
import type { PropsWithChildren } from "@kitajs/html";
import { DEFAULT_LOCALE, LOCALE_NAMES, LOCALES, type Locale } from "../i18n/index.js";
import { COUNTRY_LABEL_KEYS } from "../tenancy/index.js";
import { ActionButton } from "./components.js";
import type { ViewContext } from "./context.js";
import { DARK_INK, inkFor } from "../tenancy/brand.js";
import { CRITICAL_CSS } from "./styles.js";

// A constant written by us, not user input: the scanner trusts names starting with "safe".
const safeCriticalCss = CRITICAL_CSS;

/**
 * The address of this page in a language: `?lang=` set (or, with `explicit` false, left out for
 * the default language, whose address is the page's own), the rest of the query kept.
 */
export function pageInLanguage(path: string, locale: Locale, explicit = true): string {
  const [pathname, query = ""] = path.split("?", 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.delete("lang");
  if (explicit || locale !== DEFAULT_LOCALE) params.set("lang", locale);
  const search = params.toString();
  return search ? `${pathname}?${search}` : pathname;
}

/** og:locale is language_TERRITORY: the municipality's country, else the language's usual one. */
const OG_TERRITORY: Record<Locale, string> = { fr: "FR", pt: "PT", en: "GB" };

/** A machine-readable version of the page (DCAT, a Data Package), offered to clients and crawlers. */
export interface Alternate {
  href: string;
  type: string;
  title?: string;
}

export function Layout(
  props: PropsWithChildren<{
    ctx: ViewContext;
    title: string;
    description?: string;
    /** Machine-readable versions of what the page shows. */
    alternates?: Alternate[];
    /** `article` for a news item; a page is a `website`. */
    ogType?: "website" | "article";
    /** An error page: not to be indexed, and no other address to name. */
    noindex?: boolean;
  }>,
): JSX.Element {
  const { ctx } = props;
  const { t, municipality, network, actor } = ctx;
  const siteName = municipality?.name ?? network?.name ?? t("site.name");
  const absolute = (path: string) => `${ctx.publicUrl}${path}`;
  const canonical = absolute(pageInLanguage(ctx.path, ctx.locale, false));
  const territory = municipality?.country_code ?? null;
  const ogLocale = (locale: Locale) => `${locale}_${territory ?? OG_TERRITORY[locale]}`;
  const home = municipality ? `/${municipality.slug}/` : "/";
  const next = encodeURIComponent(ctx.path);
  // The municipality's colour is drawn by an SVG behind the header: the CSP admits no inline
  // style, and a presentation attribute is not one. Text turns black on a light colour.
  const band = municipality?.brand_color ?? null;
  const headerClass = band ? (inkFor(band) === DARK_INK ? "site branded ink-dark" : "site branded") : "site";
  return (
    <>
      {"<!doctype html>"}
      <html lang={ctx.locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${props.title} · ${siteName}`}</title>
          {props.description ? <meta name="description" content={props.description} /> : ""}
          {props.noindex ? (
            <meta name="robots" content="noindex" />
          ) : (
            <>
              <link rel="canonical" href={canonical} />
              {LOCALES.map((locale) => (
                <link rel="alternate" hreflang={locale} href={absolute(pageInLanguage(ctx.path, locale, false))} />
              ))}
              <link rel="alternate" hreflang="x-default" href={absolute(pageInLanguage(ctx.path, DEFAULT_LOCALE, false))} />
              {/* Attributes get only their quotes escaped: a title's markup is escaped here, as in <title>. */}
              <meta property="og:title" content={Html.escapeHtml(props.title)} />
              {props.description ? <meta property="og:description" content={Html.escapeHtml(props.description)} /> : ""}
              <meta property="og:url" content={canonical} />
              <meta property="og:type" content={props.ogType ?? "website"} />
              <meta property="og:locale" content={ogLocale(ctx.locale)} />
              {LOCALES.filter((locale) => locale !== ctx.locale).map((locale) => (
                <meta property="og:locale:alternate" content={ogLocale(locale)} />
              ))}
              <meta property="og:site_name" content={Html.escapeHtml(siteName)} />
            </>
          )}
          {(props.alternates ?? []).map((alternate) => (
            <link rel="alternate" type={alternate.type} href={alternate.href} title={alternate.title} />
          ))}
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link rel="apple-touch-icon" href="/apple-touch-icon.png" />
          <style>{safeCriticalCss}</style>
          <script src="/assets/offline.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main" safe>
            {t("nav.skip_to_content")}
          </a>
          <p
            id="outbox-status"
            class="flash"
            role="status"
            hidden
            data-sent={t("offline.sent", { count: "{count}" })}
            data-refused={t("offline.refused_banner", { count: "{count}" })}
            data-refused-link={t("offline.refused_link")}
          ></p>
          <header class={headerClass}>
            {band ? (
              <svg class="band" aria-hidden="true" focusable="false" viewBox="0 0 1 1" preserveAspectRatio="none">
                <rect width="1" height="1" fill={band} />
              </svg>
            ) : (
              ""
            )}
            {/* One short row on a phone: who this is, and the menu, which opens without script
                (<details>); on a wide screen the stylesheet lays its entries out in the row. */}
            <div class="wrap bar">
              <a class="brand" href={home}>
                {Html.escapeHtml(siteName)}
                {municipality ? (
                  <small safe>{`${municipality.region}, ${t(COUNTRY_LABEL_KEYS[municipality.country_code] ?? "country.other")}`}</small>
                ) : (
                  <small safe>{t("site.tagline")}</small>
                )}
              </a>
              <details class="menu wide-open">
                <summary safe>{t("nav.menu")}</summary>
                <nav class="main" aria-label={t("nav.main")}>
                  <ul>
                    <li>
                      <a href={home} safe>
                        {t("nav.home")}
                      </a>
                    </li>
                    {ctx.nav.map((entry) => (
                      <li>
                        <a href={entry.href} safe>
                          {t(entry.labelKey)}
                        </a>
                      </li>
                    ))}
                    {ctx.canAdminister && municipality ? (
                      <li>
                        <a href={`/${municipality.slug}/admin`} safe>
                          {t("nav.admin")}
                        </a>
                      </li>
                    ) : (
                      ""
                    )}
                    {ctx.canAdministerNetwork && !municipality ? (
                      <li>
                        <a href="/admin/municipalities" safe>
                          {t("nav.network_admin")}
                        </a>
                      </li>
                    ) : (
                      ""
                    )}
                    <li>
                      <a href="#lang" safe>
                        {t("nav.language")}
                      </a>
                    </li>
                    {actor ? (
                      <>
                        <li>
                          <a href="/account" safe>
                            {t("nav.account")}
                          </a>
                        </li>
                        <li>
                          <ActionButton ctx={ctx} action="/account/signout" label={t("nav.signout")} secondary />
                        </li>
                      </>
                    ) : (
                      <li>
                        <a href={`/account/signin?next=${next}`} safe>
                          {t("nav.signin")}
                        </a>
                      </li>
                    )}
                  </ul>
                </nav>
              </details>
            </div>
          </header>
          <main id="main" class="wrap" tabindex="-1">
            {ctx.flash ? (
              <p class={`flash ${ctx.flash.kind}`} role="status" data-reason={ctx.flash.reason} safe>
                {t(ctx.flash.key)}
              </p>
            ) : (
              ""
            )}
            {props.children}
          </main>
          <footer class="site">
            <div class="wrap">
              {/* Plain links: each language has its own address, which needs no form, token or cookie. */}
              <nav id="lang" class="langs" aria-label={t("nav.language")}>
                <ul>
                  {LOCALES.map((locale) => (
                    <li>
                      <a href={pageInLanguage(ctx.path, locale)} hreflang={locale} lang={locale} aria-current={locale === ctx.locale ? "true" : undefined} safe>
                        {LOCALE_NAMES[locale]}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <p>
                {municipality ? (
                  <a href="/" safe>
                    {network?.name ?? t("site.name")}
                  </a>
                ) : (
                  ""
                )}{" "}
                <span safe>{t("site.footer")}</span>{" "}
                <a href={municipality ? `/${municipality.slug}/audit/checkpoints` : "/audit/checkpoints"} safe>
                  {t("audit.checkpoints.link")}
                </a>
              </p>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}

/** The general code and the refusing rule's code stay on the message, for scripts and tests (docs/errors.md). */
export function ErrorPage(props: { ctx: ViewContext; status: number; message: string; code?: string | undefined; reason?: string | undefined }): JSX.Element {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t("error.title", { status: props.status })} noindex>
      <h1 safe>{t("error.title", { status: props.status })}</h1>
      <p data-code={props.code} data-reason={props.reason} safe>
        {props.message}
      </p>
      {props.status === 403 && props.ctx.actor && !props.ctx.actor.confirmed ? (
        // Refused because the number is not proven yet: the way to prove it, right here.
        <p>
          <a href="/account/confirm" safe>
            {t("auth.confirm.link")}
          </a>
        </p>
      ) : (
        ""
      )}
      <p>
        <a href={props.ctx.municipality ? `/${props.ctx.municipality.slug}/` : "/"} safe>
          {t("error.back_home")}
        </a>
      </p>
    </Layout>
  );
}

/** Why the server refused a form kept offline, as the service worker classifies its answer. */
const REFUSAL_KEYS = {
  invalid: "offline.reason.invalid",
  session: "offline.reason.session",
  forbidden: "offline.reason.forbidden",
  conflict: "offline.reason.conflict",
  too_large: "offline.reason.too_large",
  refused: "offline.reason.refused",
} as const;

/**
 * What the service worker shows without a connection: a page not kept, or a form kept to send
 * later. With `outbox`, the forms the server refused when they were replayed: offline.js lists
 * them from the worker, with these strings, since the page itself is kept for use offline.
 */
export function OfflinePage(props: { ctx: ViewContext; queued: boolean; outbox?: boolean }): JSX.Element {
  const { t } = props.ctx;
  if (props.outbox) {
    return (
      <Layout ctx={props.ctx} title={t("offline.outbox_title")}>
        <h1 safe>{t("offline.outbox_title")}</h1>
        <div
          id="outbox"
          data-reason-invalid={t(REFUSAL_KEYS.invalid)}
          data-reason-session={t(REFUSAL_KEYS.session)}
          data-reason-forbidden={t(REFUSAL_KEYS.forbidden)}
          data-reason-conflict={t(REFUSAL_KEYS.conflict)}
          data-reason-too-large={t(REFUSAL_KEYS.too_large)}
          data-reason-refused={t(REFUSAL_KEYS.refused)}
          data-item={t("offline.item", { title: "{title}", date: "{date}" })}
          data-untitled={t("offline.untitled")}
          data-server-said={t("offline.server_said", { message: "{message}" })}
          data-open={t("offline.open")}
          data-retry={t("offline.retry")}
          data-discard={t("offline.discard")}
          data-opened={t("offline.opened", { reason: "{reason}" })}
        >
          <p id="outbox-intro" hidden safe>
            {t("offline.outbox_intro")}
          </p>
          <p id="outbox-empty" safe>
            {t("offline.outbox_empty")}
          </p>
          <p id="outbox-waiting" hidden data-text={t("offline.outbox_waiting", { count: "{count}" })}></p>
          <ul id="outbox-list"></ul>
        </div>
        <p safe>{t("offline.hint")}</p>
      </Layout>
    );
  }
  return (
    <Layout ctx={props.ctx} title={t("offline.title")}>
      <h1 safe>{t("offline.title")}</h1>
      <p safe>{props.queued ? t("offline.queued") : t("offline.page_not_kept")}</p>
      <p safe>{t("offline.hint")}</p>
    </Layout>
  );
}
