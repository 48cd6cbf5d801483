import { Html } from "@kitajs/html";
import { ActionButton, Breadcrumbs, ErrorSummary, Field, Form, SelectField } from "../views/components.js";
import type { FormState, ViewContext } from "../views/context.js";
import { Layout } from "../views/layout.js";
import { COUNTRY_LABEL_KEYS, type Municipality } from "../tenancy/index.js";
import type { AccountLinkGroup } from "../modules.js";
import { ROLE_LABEL_KEYS, type Actor } from "./roles.js";

function countryOptions(ctx: ViewContext) {
  return Object.entries(COUNTRY_LABEL_KEYS).map(([code, key]) => ({ value: code, label: ctx.t(key) }));
}

export function SignUpPage(props: { ctx: ViewContext; form: FormState }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("auth.signup.title")}>
      <h1 safe>{t("auth.signup.title")}</h1>
      <p safe>{t("auth.signup.intro")}</p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action="/account/signup" form={form}>
        <input type="hidden" name="m" value={form.values.m ?? ""} />
        <input type="hidden" name="next" value={form.values.next ?? ""} />
        <Field ctx={ctx} form={form} name="name" label={t("auth.field.name")} autocomplete="name" required maxlength={120} />
        <Field ctx={ctx} form={form} name="identifier" label={t("auth.field.identifier")} hint={t("auth.field.identifier_hint")} autocomplete="username" required />
        <SelectField ctx={ctx} form={form} name="country" label={t("auth.field.country")} hint={t("auth.field.country_hint")} options={countryOptions(ctx)} />
        <Field ctx={ctx} form={form} name="password" type="password" label={t("auth.field.password")} hint={t("auth.field.password_hint")} autocomplete="new-password" required />
        <div>
          <button type="submit" safe>
            {t("auth.signup.submit")}
          </button>
        </div>
      </Form>
      <p>
        <a href="/account/signin" safe>
          {t("auth.signup.have_account")}
        </a>
      </p>
    </Layout>
  );
}

export function SignInPage(props: { ctx: ViewContext; form: FormState }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("auth.signin.title")}>
      <h1 safe>{t("auth.signin.title")}</h1>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action="/account/signin" form={form}>
        <input type="hidden" name="next" value={form.values.next ?? ""} />
        <Field ctx={ctx} form={form} name="identifier" label={t("auth.field.identifier")} hint={t("auth.field.identifier_hint")} autocomplete="username" required />
        <SelectField ctx={ctx} form={form} name="country" label={t("auth.field.country")} hint={t("auth.field.country_hint")} options={countryOptions(ctx)} />
        <Field ctx={ctx} form={form} name="password" type="password" label={t("auth.field.password")} autocomplete="current-password" required />
        <div>
          <button type="submit" safe>
            {t("auth.signin.submit")}
          </button>
        </div>
      </Form>
      <ul>
        <li>
          <a href="/account/reset" safe>
            {t("auth.signin.forgot")}
          </a>
        </li>
        <li>
          <a href="/account/signup" safe>
            {t("auth.signin.create_account")}
          </a>
        </li>
      </ul>
    </Layout>
  );
}

export function ResetRequestPage(props: { ctx: ViewContext; form: FormState }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("auth.reset.title")}>
      <h1 safe>{t("auth.reset.title")}</h1>
      <p safe>{t("auth.reset.intro")}</p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action="/account/reset" form={form}>
        <Field ctx={ctx} form={form} name="identifier" label={t("auth.field.identifier")} hint={t("auth.field.identifier_hint")} autocomplete="username" required />
        <SelectField ctx={ctx} form={form} name="country" label={t("auth.field.country")} options={countryOptions(ctx)} />
        <div>
          <button type="submit" safe>
            {t("auth.reset.submit")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}

export function ResetConfirmPage(props: { ctx: ViewContext; form: FormState }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("auth.reset_confirm.title")}>
      <h1 safe>{t("auth.reset_confirm.title")}</h1>
      <p safe>{t("auth.reset_confirm.intro")}</p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action="/account/reset/confirm" form={form}>
        <Field ctx={ctx} form={form} name="identifier" label={t("auth.field.identifier")} autocomplete="username" required />
        <SelectField ctx={ctx} form={form} name="country" label={t("auth.field.country")} options={countryOptions(ctx)} />
        <Field ctx={ctx} form={form} name="code" label={t("auth.field.code")} autocomplete="one-time-code" required maxlength={6} />
        <Field ctx={ctx} form={form} name="password" type="password" label={t("auth.field.new_password")} hint={t("auth.field.password_hint")} autocomplete="new-password" required />
        <div>
          <button type="submit" safe>
            {t("auth.reset_confirm.submit")}
          </button>
        </div>
      </Form>
    </Layout>
  );
}

/**
 * Where the code sent to the number (or address) is entered. Signed in, the code alone, with a
 * button for a new one; otherwise with the identifier and password chosen at sign-up.
 */
export function ConfirmPage(props: { ctx: ViewContext; form: FormState; forAccount: boolean }): JSX.Element {
  const { ctx, form } = props;
  const { t } = ctx;
  const actor = props.forAccount ? ctx.actor : null;
  const next = form.values.next ?? "";
  if (actor?.confirmed) {
    return (
      <Layout ctx={ctx} title={t("auth.confirm.title")}>
        <h1 safe>{t("auth.confirm.title")}</h1>
        <p safe>{t("auth.confirm.already")}</p>
        <p>
          <a href={next && next !== "/" ? next : "/account"} safe>
            {t("auth.confirm.continue")}
          </a>
        </p>
      </Layout>
    );
  }
  return (
    <Layout ctx={ctx} title={t("auth.confirm.title")}>
      <h1 safe>{t("auth.confirm.title")}</h1>
      <p safe>{actor ? t("auth.confirm.intro_signed_in") : t("auth.confirm.intro")}</p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action="/account/confirm" form={form}>
        <input type="hidden" name="next" value={next} />
        {actor ? (
          ""
        ) : (
          <>
            <Field ctx={ctx} form={form} name="identifier" label={t("auth.field.identifier")} autocomplete="username" required />
            <SelectField ctx={ctx} form={form} name="country" label={t("auth.field.country")} options={countryOptions(ctx)} />
            <Field ctx={ctx} form={form} name="password" type="password" label={t("auth.field.password")} autocomplete="current-password" required />
          </>
        )}
        <Field ctx={ctx} form={form} name="code" label={t("auth.field.code")} autocomplete="one-time-code" required maxlength={6} />
        <div>
          <button type="submit" safe>
            {t("auth.confirm.submit")}
          </button>
        </div>
      </Form>
      {actor ? (
        <p>
          <ActionButton ctx={ctx} action="/account/confirm/code" label={t("auth.confirm.resend")} secondary fields={{ next }} />
        </p>
      ) : (
        <p>
          <a href={`/account/signin?next=${encodeURIComponent("/account/confirm")}`} safe>
            {t("auth.confirm.no_code")}
          </a>
        </p>
      )}
    </Layout>
  );
}

/** The roles worth telling someone about: staff and network ones. Being a resident is not a role to list. */
function staffRoles(actor: Actor) {
  return { municipal: actor.municipalRoles.filter((grant) => grant.role !== "citizen"), network: actor.networkRoles };
}

export function AccountPage(props: { ctx: ViewContext; actor: Actor; municipalities: Municipality[]; groups: AccountLinkGroup[]; passwordForm: FormState }): JSX.Element {
  const { ctx, actor, passwordForm } = props;
  const { t } = ctx;
  const byId = new Map(props.municipalities.map((m) => [m.id, m]));
  const roles = staffRoles(actor);
  return (
    <Layout ctx={ctx} title={t("auth.account.title")}>
      <Breadcrumbs ctx={ctx} items={[{ href: "/", label: t("nav.home") }, { label: t("auth.account.title") }]} />
      <h1 safe>{t("auth.account.title")}</h1>
      <dl>
        <dt safe>{t("auth.field.name")}</dt>
        <dd safe>{actor.name}</dd>
        {actor.phone ? (
          <>
            <dt safe>{t("auth.field.phone")}</dt>
            <dd safe>{actor.phone}</dd>
          </>
        ) : (
          ""
        )}
        {actor.email ? (
          <>
            <dt safe>{t("auth.field.email")}</dt>
            <dd safe>{actor.email}</dd>
          </>
        ) : (
          ""
        )}
      </dl>
      {actor.confirmed ? (
        ""
      ) : (
        <p>
          {Html.escapeHtml(`${t("auth.account.unconfirmed")} `)}
          <a href="/account/confirm" safe>
            {t("auth.confirm.link")}
          </a>
        </p>
      )}
      {props.groups.map((group) => (
        <section aria-labelledby={`account-${group.id.replace(/\W/g, "-")}`} data-group={group.id}>
          <h2 id={`account-${group.id.replace(/\W/g, "-")}`} safe>
            {t(group.titleKey)}
          </h2>
          <ul>
            {group.links.map((link) => (
              <li>
                <a href={link.href} safe>
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <h2 id="password" safe>
        {t("auth.account.password")}
      </h2>
      <ErrorSummary ctx={ctx} form={passwordForm} />
      <Form ctx={ctx} action="/account/password" form={passwordForm} label={t("auth.account.password")}>
        <Field ctx={ctx} form={passwordForm} name="current_password" type="password" label={t("auth.field.current_password")} autocomplete="current-password" required />
        <Field ctx={ctx} form={passwordForm} name="password" type="password" label={t("auth.field.new_password")} hint={t("auth.field.password_hint")} autocomplete="new-password" required />
        <Field ctx={ctx} form={passwordForm} name="password_confirmation" type="password" label={t("auth.field.password_confirmation")} autocomplete="new-password" required />
        <p class="hint" safe>
          {t("auth.account.password_sessions")}
        </p>
        <div>
          <button type="submit" safe>
            {t("auth.account.password_submit")}
          </button>
        </div>
      </Form>
      <p>
        <a href="/account/reset" safe>
          {t("auth.account.password_forgotten")}
        </a>
      </p>
      {roles.municipal.length === 0 && roles.network.length === 0 ? (
        ""
      ) : (
        <>
          <h2 safe>{t("auth.account.roles")}</h2>
          <ul>
            {roles.network.map((role) => (
              <li safe>{`${t(ROLE_LABEL_KEYS[role])} · ${t("auth.account.network")}`}</li>
            ))}
            {roles.municipal.map((grant) => {
              const municipality = byId.get(grant.municipalityId);
              return municipality ? (
                <li>
                  {Html.escapeHtml(`${t(ROLE_LABEL_KEYS[grant.role])} · `)}
                  <a href={`/${municipality.slug}/`} safe>
                    {municipality.name}
                  </a>
                </li>
              ) : (
                ""
              );
            })}
          </ul>
        </>
      )}
    </Layout>
  );
}
