import { Html } from "@kitajs/html";
import { LOCALE_NAMES, LOCALES } from "../../../core/i18n/index.js";
import { MUNICIPAL_ROLES, ROLE_LABEL_KEYS } from "../../../core/auth/roles.js";
import { ActionButton, Breadcrumbs, ErrorSummary, Field, FileField, Form, SelectField, Table } from "../../../core/views/components.js";
import type { StoredFile } from "../../../core/files/index.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { contrastRatio, inkFor, LIGHT_INK } from "../../../core/tenancy/brand.js";
import { MunicipalMark, NETWORK_COLOR } from "./identity.js";
import type { MemberRow, NewsRow, OfficialRow, PageRow, PublicationStatus } from "../store.js";

const STATUS_LABEL_KEYS: Record<PublicationStatus, string> = { draft: "portal.status.draft", published: "portal.status.published" };
const STAFF_ROLES = MUNICIPAL_ROLES.filter((role) => role !== "citizen");

function adminCrumbs(ctx: ViewContext, municipality: Municipality, label?: string) {
  const items: { href?: string; label: string }[] = [
    { href: `/${municipality.slug}/`, label: municipality.name },
    { href: `/${municipality.slug}/admin`, label: ctx.t("portal.admin.title") },
  ];
  if (label) items.push({ label });
  return <Breadcrumbs ctx={ctx} items={items} />;
}

function languageOptions() {
  return LOCALES.map((locale) => ({ value: locale, label: LOCALE_NAMES[locale] }));
}

export function DashboardPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  gatewayConfigured: boolean;
  can: { content: boolean; members: boolean; officials: boolean; identity: boolean };
  counts: { drafts: number; published: number; citizens: number };
}): JSX.Element {
  const { ctx, municipality, can } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("portal.admin.title")}>
      {adminCrumbs(ctx, municipality)}
      <h1 safe>{t("portal.admin.title")}</h1>
      {!props.gatewayConfigured && can.members ? (
        <p class="notice" role="note" safe>
          {t("portal.admin.no_gateway")}
        </p>
      ) : (
        ""
      )}
      <p safe>{t("portal.admin.counts", props.counts)}</p>
      <ul>
        {can.content ? (
          <>
            <li>
              <a href={`/${municipality.slug}/admin/news`} safe>
                {t("portal.admin.news")}
              </a>
            </li>
            <li>
              <a href={`/${municipality.slug}/admin/pages`} safe>
                {t("portal.admin.pages")}
              </a>
            </li>
            <li>
              <a href={`/${municipality.slug}/admin/data`} safe>
                {t("portal.admin.data")}
              </a>
            </li>
          </>
        ) : (
          ""
        )}
        {can.identity ? (
          <li>
            <a href={`/${municipality.slug}/admin/identity`} safe>
              {t("portal.admin.identity")}
            </a>
          </li>
        ) : (
          ""
        )}
        {can.officials ? (
          <li>
            <a href={`/${municipality.slug}/admin/officials`} safe>
              {t("portal.admin.officials")}
            </a>
          </li>
        ) : (
          ""
        )}
        {can.members ? (
          <li>
            <a href={`/${municipality.slug}/admin/members`} safe>
              {t("portal.admin.members")}
            </a>
          </li>
        ) : (
          ""
        )}
        {ctx.adminNav.map((entry) => (
          <li>
            <a href={entry.href} safe>
              {t(entry.labelKey)}
            </a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

/** The back-office list of news items or pages: each with its state and its edit and publish actions. */
function PublicationListPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  heading: string;
  newLabel: string;
  base: string;
  items: { id: string; title: string; status: PublicationStatus; updated_at: Date; publicUrl: string }[];
}): JSX.Element {
  const { ctx, municipality, base } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={props.heading}>
      {adminCrumbs(ctx, municipality, props.heading)}
      <h1 safe>{props.heading}</h1>
      <p>
        <a class="button" href={`${base}/new`} safe>
          {props.newLabel}
        </a>
      </p>
      <Table
        caption={props.heading}
        headers={[t("portal.field.title"), t("portal.field.status"), t("portal.field.updated"), t("portal.field.actions")]}
        rows={props.items.map((item) => [
          <a href={item.publicUrl} safe>
            {item.title}
          </a>,
          <span class="tag" safe>
            {t(STATUS_LABEL_KEYS[item.status])}
          </span>,
          <span safe>{ctx.fmt.dateTime(item.updated_at, municipality.time_zone)}</span>,
          <ul class="inline">
            <li>
              <a href={`${base}/${item.id}/edit`} safe>
                {t("portal.action.edit")}
              </a>
            </li>
            <li>
              {item.status === "draft" ? (
                <ActionButton ctx={ctx} action={`${base}/${item.id}/publish`} label={t("portal.action.publish")} />
              ) : (
                <ActionButton ctx={ctx} action={`${base}/${item.id}/unpublish`} label={t("portal.action.unpublish")} secondary />
              )}
            </li>
          </ul>,
        ])}
      />
    </Layout>
  );
}

export function AdminNewsListPage(props: { ctx: ViewContext; municipality: Municipality; news: NewsRow[] }): JSX.Element {
  const { ctx, municipality } = props;
  return (
    <PublicationListPage
      ctx={ctx}
      municipality={municipality}
      heading={ctx.t("portal.admin.news")}
      newLabel={ctx.t("portal.admin.news_new")}
      base={`/${municipality.slug}/admin/news`}
      items={props.news.map((item) => ({ ...item, publicUrl: `/${municipality.slug}/news/${item.id}` }))}
    />
  );
}

export function NewsFormPage(props: { ctx: ViewContext; municipality: Municipality; form: FormState; newsId?: string; attachment?: StoredFile | undefined }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  const title = props.newsId ? t("portal.admin.news_edit") : t("portal.admin.news_new");
  const action = props.newsId ? `/${municipality.slug}/admin/news/${props.newsId}` : `/${municipality.slug}/admin/news`;
  return (
    <Layout ctx={ctx} title={title}>
      {adminCrumbs(ctx, municipality, title)}
      <h1 safe>{title}</h1>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={action} form={form} multipart>
        <Field ctx={ctx} form={form} name="title" label={t("portal.field.title")} required maxlength={200} />
        <Field ctx={ctx} form={form} name="summary" label={t("portal.field.summary")} hint={t("portal.field.summary_hint")} maxlength={500} />
        <Field ctx={ctx} form={form} name="body" label={t("portal.field.body")} hint={t("portal.field.body_hint")} multiline rows={14} required />
        <SelectField ctx={ctx} form={form} name="language" label={t("portal.field.language")} options={languageOptions()} />
        {props.attachment ? (
          <p>
            {Html.escapeHtml(t("portal.field.current_attachment"))}{" "}
            <a href={`/${municipality.slug}/files/${props.attachment.id}`} safe>
              {props.attachment.original_name}
            </a>
            <label>
              <input type="checkbox" name="remove_attachment" id="f-remove_attachment" /> <span safe>{t("portal.field.remove_attachment")}</span>
            </label>
          </p>
        ) : (
          ""
        )}
        <FileField
          ctx={ctx}
          form={form}
          name="attachment"
          label={t("portal.field.attachment")}
          hint={t("portal.field.attachment_hint", { size: Math.round(ctx.uploadLimitBytes / (1024 * 1024)) })}
          accept="application/pdf,image/png,image/jpeg,image/gif,image/webp"
        />
        <div>
          <button type="submit" safe>
            {t("portal.action.save")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}

export function AdminPagesListPage(props: { ctx: ViewContext; municipality: Municipality; pages: PageRow[] }): JSX.Element {
  const { ctx, municipality } = props;
  return (
    <PublicationListPage
      ctx={ctx}
      municipality={municipality}
      heading={ctx.t("portal.admin.pages")}
      newLabel={ctx.t("portal.admin.page_new")}
      base={`/${municipality.slug}/admin/pages`}
      items={props.pages.map((page) => ({ ...page, publicUrl: `/${municipality.slug}/pages/${page.slug}` }))}
    />
  );
}

export function PageFormPage(props: { ctx: ViewContext; municipality: Municipality; form: FormState; pageId?: string }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  const title = props.pageId ? t("portal.admin.page_edit") : t("portal.admin.page_new");
  const action = props.pageId ? `/${municipality.slug}/admin/pages/${props.pageId}` : `/${municipality.slug}/admin/pages`;
  return (
    <Layout ctx={ctx} title={title}>
      {adminCrumbs(ctx, municipality, title)}
      <h1 safe>{title}</h1>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={action} form={form}>
        <Field ctx={ctx} form={form} name="title" label={t("portal.field.title")} required maxlength={200} />
        <Field ctx={ctx} form={form} name="slug" label={t("portal.field.slug")} hint={t("portal.field.slug_hint")} required maxlength={80} />
        <Field ctx={ctx} form={form} name="body" label={t("portal.field.body")} hint={t("portal.field.body_hint")} multiline rows={14} required />
        <SelectField ctx={ctx} form={form} name="language" label={t("portal.field.language")} options={languageOptions()} />
        <div>
          <button type="submit" safe>
            {t("portal.action.save")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}

export function OfficialsPage(props: { ctx: ViewContext; municipality: Municipality; officials: OfficialRow[]; form: FormState }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/officials`;
  return (
    <Layout ctx={ctx} title={t("portal.admin.officials")}>
      {adminCrumbs(ctx, municipality, t("portal.admin.officials"))}
      <h1 safe>{t("portal.admin.officials")}</h1>
      <Table
        caption={t("portal.admin.officials")}
        headers={[t("portal.field.name"), t("portal.field.official_title"), t("portal.field.actions")]}
        rows={props.officials.map((official) => [
          <span safe>{official.name}</span>,
          <span safe>{official.title}</span>,
          <ActionButton ctx={ctx} action={`${base}/${official.id}/delete`} label={t("portal.action.remove")} secondary />,
        ])}
      />
      <h2 safe>{t("portal.admin.official_add")}</h2>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={base} form={form}>
        <Field ctx={ctx} form={form} name="name" label={t("portal.field.name")} required maxlength={120} />
        <Field ctx={ctx} form={form} name="title" label={t("portal.field.official_title")} hint={t("portal.field.official_title_hint")} required maxlength={120} />
        <Field ctx={ctx} form={form} name="position" type="number" label={t("portal.field.position")} hint={t("portal.field.position_hint")} />
        <div>
          <button type="submit" safe>
            {t("portal.action.add")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}

export function MembersPage(props: { ctx: ViewContext; municipality: Municipality; members: MemberRow[]; form: FormState }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/members`;
  return (
    <Layout ctx={ctx} title={t("portal.admin.members")}>
      {adminCrumbs(ctx, municipality, t("portal.admin.members"))}
      <h1 safe>{t("portal.admin.members")}</h1>
      <Table
        caption={t("portal.admin.members")}
        headers={[t("portal.field.name"), t("portal.field.contact"), t("portal.field.roles")]}
        rows={props.members.map((member) => [
          <span safe>{member.name}</span>,
          <span safe>{member.phone ?? member.email ?? ""}</span>,
          <ul class="inline">
            {member.roles.map((role) => (
              <li>
                {Html.escapeHtml(t(ROLE_LABEL_KEYS[role]))}{" "}
                <ActionButton
                  ctx={ctx}
                  action={`${base}/revoke`}
                  label={t("portal.action.revoke_role", { role: t(ROLE_LABEL_KEYS[role]) })}
                  secondary
                  fields={{ user_id: member.user_id, role }}
                />
              </li>
            ))}
          </ul>,
        ])}
      />
      <h2 safe>{t("portal.admin.member_grant")}</h2>
      <p safe>{t("portal.admin.member_grant_intro")}</p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={base} form={form}>
        <Field ctx={ctx} form={form} name="identifier" label={t("auth.field.identifier")} hint={t("auth.field.identifier_hint")} required />
        <SelectField ctx={ctx} form={form} name="role" label={t("portal.field.role")} options={STAFF_ROLES.map((role) => ({ value: role, label: t(ROLE_LABEL_KEYS[role]) }))} />
        <div>
          <button type="submit" safe>
            {t("portal.action.grant")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}

/** The municipality's identity: its colour, shown on its mark and header band, with the text colour it implies. */
export function IdentityPage(props: { ctx: ViewContext; municipality: Municipality; form: FormState }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  const color = municipality.brand_color ?? NETWORK_COLOR;
  const ink = inkFor(color);
  return (
    <Layout ctx={ctx} title={t("portal.admin.identity")}>
      {adminCrumbs(ctx, municipality, t("portal.admin.identity"))}
      <h1 safe>{t("portal.admin.identity")}</h1>
      <p safe>{t("portal.identity.intro")}</p>
      <div class="identity">
        <MunicipalMark municipality={municipality} label={t("portal.identity.mark_of", { name: municipality.name })} />
        <p data-ink={ink} safe>
          {t(ink === LIGHT_INK ? "portal.identity.ink_light" : "portal.identity.ink_dark", {
            color,
            ratio: ctx.fmt.number(Math.floor(contrastRatio(color, ink) * 10) / 10),
          })}
        </p>
      </div>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={`/${municipality.slug}/admin/identity`} form={form}>
        <Field ctx={ctx} form={form} name="brand_color" type="color" label={t("portal.field.brand_color")} hint={t("portal.field.brand_color_hint")} />
        <label>
          <input type="checkbox" name="reset_color" id="f-reset_color" /> <span safe>{t("portal.field.reset_color")}</span>
        </label>
        <div>
          <button type="submit" safe>
            {t("portal.action.save")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}
