import type { FieldError } from "../../../core/http/errors.js";
import { ActionButton, Breadcrumbs, ErrorSummary, Field, Form, Paragraphs, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { collectFiles, hasFileFields, summariseAnswers, type FormValues } from "../form-definition.js";
import type { ProcedureCategory } from "../schema.js";
import { stateKey, verifyPath } from "../service.js";
import type { CertificateRow, DossierEventRow, DossierListItem, DossierMessageRow, DossierRow, DossierState, ProcedureRow, ProcedureStats } from "../store.js";
import { DossierFields } from "./form-fields.js";

const CATEGORY_KEYS: Record<ProcedureCategory, string> = {
  civil_status: "eservices.category.civil_status",
  residence: "eservices.category.residence",
  legalisation: "eservices.category.legalisation",
  urbanism: "eservices.category.urbanism",
  land: "eservices.category.land",
  travel: "eservices.category.travel",
  other: "eservices.category.other",
};
export const categoryKey = (category: ProcedureCategory) => CATEGORY_KEYS[category];

export function crumbs(ctx: ViewContext, municipality: Municipality, label?: string) {
  const items: { href?: string; label: string }[] = [
    { href: `/${municipality.slug}/`, label: municipality.name },
    { href: `/${municipality.slug}/services`, label: ctx.t("eservices.title") },
  ];
  if (label) items.push({ label });
  return <Breadcrumbs ctx={ctx} items={items} />;
}

export function fee(ctx: ViewContext, municipality: Municipality, amount: number): string {
  return amount === 0 ? ctx.t("eservices.procedure.free") : ctx.fmt.money(amount, municipality.currency);
}

export function StateBadge(props: { ctx: ViewContext; state: DossierState; correction?: boolean }): JSX.Element {
  return (
    <span class={`badge state-${props.state}`} safe>
      {props.correction ? props.ctx.t("eservices.state.correction_requested") : props.ctx.t(stateKey(props.state))}
    </span>
  );
}

export function ProceduresPage(props: { ctx: ViewContext; municipality: Municipality; procedures: ProcedureRow[]; stats: ProcedureStats[] }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  const categories = [...new Set(props.procedures.map((procedure) => procedure.category))];
  return (
    <Layout ctx={ctx} title={t("eservices.title")} description={t("eservices.intro", { municipality: municipality.name })}>
      {crumbs(ctx, municipality)}
      <h1 safe>{t("eservices.title")}</h1>
      <p safe>{t("eservices.intro", { municipality: municipality.name })}</p>
      <p>
        <a href={`/${municipality.slug}/suivi`} safe>
          {t("eservices.follow.link")}
        </a>
        {ctx.actor ? (
          <>
            {" · "}
            <a href={`/${municipality.slug}/dossiers`} safe>
              {t("eservices.mine.title")}
            </a>
          </>
        ) : (
          ""
        )}
      </p>
      {props.procedures.length === 0 ? <p safe>{t("eservices.none")}</p> : ""}
      {categories.map((category) => (
        <section>
          <h2 safe>{t(categoryKey(category))}</h2>
          <ul class="cards">
            {props.procedures
              .filter((procedure) => procedure.category === category)
              .map((procedure) => (
                <li>
                  <a href={`/${municipality.slug}/services/${procedure.slug}`} safe>
                    {procedure.title}
                  </a>
                  <p class="meta" safe>
                    {t("eservices.procedure.summary", { days: procedure.processing_days, fee: fee(ctx, municipality, procedure.fee_amount) })}
                  </p>
                </li>
              ))}
          </ul>
        </section>
      ))}
      {props.procedures.length === 0 ? (
        // Statistics of nothing would read as a service nobody uses: say why there are none.
        <p safe>{t("eservices.stats.none")}</p>
      ) : (
        <>
          <StatsTable ctx={ctx} stats={props.stats} />
          <p>
            <a href={`/${municipality.slug}/services/stats.csv`} safe>
              {t("eservices.stats.download")}
            </a>
          </p>
        </>
      )}
    </Layout>
  );
}

export function StatsTable(props: { ctx: ViewContext; stats: ProcedureStats[] }): JSX.Element {
  const { t, fmt } = props.ctx;
  if (props.stats.length === 0) return "";
  return (
    <Table
      caption={t("eservices.stats.title")}
      headers={[t("eservices.stats.procedure"), t("eservices.stats.submitted"), t("eservices.stats.open"), t("eservices.stats.median"), t("eservices.stats.within")]}
      rows={props.stats.map((row) => [
        <span safe>{row.title}</span>,
        <span safe>{fmt.number(row.submitted)}</span>,
        <span safe>{fmt.number(row.open)}</span>,
        <span safe>{row.median_days === null ? "—" : t("eservices.stats.days", { count: Math.round(row.median_days * 10) / 10 })}</span>,
        <span>{row.decided > 0 ? `${fmt.number(Math.round((row.within_legal_time / row.decided) * 100))} %` : "—"}</span>,
      ])}
    />
  );
}

export function ProcedurePage(props: { ctx: ViewContext; municipality: Municipality; procedure: ProcedureRow; stats: ProcedureStats | undefined }): JSX.Element {
  const { ctx, municipality, procedure } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={procedure.title} description={procedure.description.slice(0, 160)}>
      {crumbs(ctx, municipality, procedure.title)}
      <h1 safe>{procedure.title}</h1>
      {procedure.status !== "published" ? <p class="notice" safe>{t("eservices.procedure.not_open")}</p> : ""}
      <Paragraphs text={procedure.description} />
      <dl class="facts">
        <div>
          <dt safe>{t("eservices.procedure.fee")}</dt>
          <dd safe>{fee(ctx, municipality, procedure.fee_amount)}</dd>
        </div>
        {procedure.fee_payment ? (
          <div>
            <dt safe>{t("eservices.procedure.payment")}</dt>
            <dd safe>{procedure.fee_payment}</dd>
          </div>
        ) : (
          ""
        )}
        <div>
          <dt safe>{t("eservices.procedure.processing")}</dt>
          <dd safe>{t("eservices.stats.days", { count: procedure.processing_days })}</dd>
        </div>
        {props.stats && props.stats.median_days !== null ? (
          <div>
            <dt safe>{t("eservices.stats.median")}</dt>
            <dd safe>{t("eservices.stats.days", { count: Math.round(props.stats.median_days * 10) / 10 })}</dd>
          </div>
        ) : (
          ""
        )}
      </dl>
      {procedure.documents.length > 0 ? (
        <section>
          <h2 safe>{t("eservices.procedure.documents")}</h2>
          <ul>
            {procedure.documents.map((document) => (
              <li safe>{document}</li>
            ))}
          </ul>
        </section>
      ) : (
        ""
      )}
      {procedure.status === "published" ? (
        ctx.actor ? (
          <ActionButton ctx={ctx} action={`/${municipality.slug}/services/${procedure.slug}/start`} label={t("eservices.procedure.start")} />
        ) : (
          <p>
            <a class="button" href={`/account/signin?next=${encodeURIComponent(`/${municipality.slug}/services/${procedure.slug}`)}`} safe>
              {t("eservices.procedure.signin_to_start")}
            </a>
          </p>
        )
      ) : (
        ""
      )}
      <p class="meta" safe>
        {t("eservices.procedure.counter_hint")}
      </p>
    </Layout>
  );
}

export function MyDossiersPage(props: { ctx: ViewContext; municipality: Municipality; dossiers: DossierListItem[] }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("eservices.mine.title")}>
      {crumbs(ctx, municipality, t("eservices.mine.title"))}
      <h1 safe>{t("eservices.mine.title")}</h1>
      {props.dossiers.length === 0 ? (
        <p safe>{t("eservices.mine.none")}</p>
      ) : (
        // Four columns of long words do not fit a phone: the table scrolls in its box, never the page.
        <div class="scroll">
          <Table
            caption={t("eservices.mine.title")}
            headers={[t("eservices.dossier.reference"), t("eservices.stats.procedure"), t("eservices.dossier.state"), t("eservices.dossier.updated")]}
            rows={props.dossiers.map((dossier) => [
              dossier.state === "draft" ? (
                // A draft has no reference yet: what the person can do with it instead.
                <span class="inline">
                  <a href={`/${municipality.slug}/dossiers/${dossier.id}`} safe>
                    {t("eservices.mine.continue")}
                  </a>{" "}
                  <a href={`/${municipality.slug}/dossiers/${dossier.id}/delete`} safe>
                    {t("eservices.mine.delete")}
                  </a>
                </span>
              ) : (
                <a href={`/${municipality.slug}/dossiers/${dossier.id}`} safe>
                  {dossier.reference ?? ""}
                </a>
              ),
              <span safe>{dossier.procedure_title}</span>,
              <StateBadge ctx={ctx} state={dossier.state} correction={dossier.correction_requested} />,
              <span safe>{ctx.fmt.date(dossier.updated_at, municipality.time_zone)}</span>,
            ])}
          />
        </div>
      )}
      <p>
        <a href={`/${municipality.slug}/dossiers/mine.json`} safe>
          {t("eservices.mine.export")}
        </a>
      </p>
    </Layout>
  );
}

/** What happened to a dossier, as the citizen may see it (internal notes are not shown here). */
export function History(props: { ctx: ViewContext; municipality: Municipality; events: DossierEventRow[]; staff?: boolean; withoutText?: boolean }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  if (props.events.length === 0) return "";
  return (
    <ol class="history">
      {props.events.map((event) => (
        <li class={event.internal ? "internal" : undefined}>
          <span class="meta" safe>
            {`${ctx.fmt.dateTime(event.created_at, props.municipality.time_zone)}${props.staff && event.actor_name ? ` — ${event.actor_name}` : ""}`}
          </span>{" "}
          <strong safe>
            {event.kind === "reassigned"
              ? t("eservices.history.reassigned", { name: event.body })
              : event.kind === "note"
              ? t("eservices.history.note")
              : event.kind === "correction_answered"
                ? t("eservices.history.correction_answered")
                : event.from_state === "under_instruction" && event.to_state === "submitted"
                  ? t("eservices.history.correction_requested")
                  : t(stateKey(event.to_state ?? "submitted"))}
          </strong>
          {event.body && event.kind !== "reassigned" && !props.withoutText ? <Paragraphs text={event.body} /> : ""}
        </li>
      ))}
    </ol>
  );
}

export function Certificates(props: { ctx: ViewContext; municipality: Municipality; dossierId: string; certificates: CertificateRow[]; download: boolean }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  if (props.certificates.length === 0) return "";
  return (
    <section>
      <h2 safe>{t("eservices.certificate.title")}</h2>
      <ul>
        {props.certificates.map((certificate) => (
          <li>
            {props.download ? (
              <a href={`/${municipality.slug}/dossiers/${props.dossierId}/certificates/${certificate.number}.pdf`} safe>
                {t("eservices.certificate.download", { number: certificate.number })}
              </a>
            ) : (
              <span safe>{certificate.number}</span>
            )}{" "}
            {certificate.revoked_at ? <strong safe>{t("eservices.certificate.revoked_on", { date: ctx.fmt.date(certificate.revoked_at, municipality.time_zone) })}</strong> : ""}{" "}
            <a href={verifyPath(certificate.number)} safe>
              {t("eservices.certificate.verify_link")}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `withoutText`: for a lookup by reference and phone, which shows states and dates, never what anyone wrote. */
export function DossierFacts(props: { ctx: ViewContext; municipality: Municipality; procedure: ProcedureRow; dossier: DossierRow; withoutText?: boolean }): JSX.Element {
  const { ctx, municipality, dossier } = props;
  const { t } = ctx;
  return (
    <dl class="facts">
      <div>
        <dt safe>{t("eservices.dossier.state")}</dt>
        <dd>
          <StateBadge ctx={ctx} state={dossier.state} correction={dossier.correction_requested} />
        </dd>
      </div>
      {dossier.reference ? (
        <div>
          <dt safe>{t("eservices.dossier.reference")}</dt>
          <dd safe>{dossier.reference}</dd>
        </div>
      ) : (
        ""
      )}
      {dossier.submitted_at ? (
        <div>
          <dt safe>{t("eservices.dossier.submitted_at")}</dt>
          <dd safe>{ctx.fmt.date(dossier.submitted_at, municipality.time_zone)}</dd>
        </div>
      ) : (
        ""
      )}
      {dossier.due_on && (dossier.state === "submitted" || dossier.state === "under_instruction") ? (
        <div>
          <dt safe>{t("eservices.dossier.due_on")}</dt>
          <dd safe>{ctx.fmt.date(new Date(`${dossier.due_on}T12:00:00Z`), "UTC")}</dd>
        </div>
      ) : (
        ""
      )}
      {dossier.decided_at ? (
        <div>
          <dt safe>{t("eservices.dossier.decided_at")}</dt>
          <dd safe>{ctx.fmt.date(dossier.decided_at, municipality.time_zone)}</dd>
        </div>
      ) : (
        ""
      )}
      {dossier.decision_reason && !props.withoutText ? (
        <div>
          <dt safe>{t("eservices.dossier.reason")}</dt>
          <dd safe>{dossier.decision_reason}</dd>
        </div>
      ) : (
        ""
      )}
    </dl>
  );
}

export function AnswersSummary(props: { ctx: ViewContext; procedure: ProcedureRow; dossier: DossierRow; fileHref?: (fileId: string) => string }): JSX.Element {
  const { ctx } = props;
  const sections = summariseAnswers(props.procedure.form, props.dossier.answers, ctx.t, ctx.fmt);
  const files = collectFiles(props.dossier.answers);
  return (
    <section>
      <h2 safe>{ctx.t("eservices.dossier.answers")}</h2>
      {sections.map((section) => (
        <>
          <h3 safe>{section.title}</h3>
          <dl class="facts">
            {section.items.map((item) => (
              <div>
                <dt safe>{item.label}</dt>
                <dd safe>{item.value}</dd>
              </div>
            ))}
          </dl>
        </>
      ))}
      {props.fileHref && files.length > 0 ? (
        <ul>
          {files.map((file) => (
            <li>
              <a href={props.fileHref!(file.fileId)} safe>
                {file.name}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        ""
      )}
    </section>
  );
}

/** The longest message of a dossier's thread, in characters (the table says the same). */
export const MESSAGE_MAX = 2000;

/**
 * The messages between the applicant and the municipality, oldest first, and the form to write
 * one. The applicant sees "the municipality" for agents; staff see their colleague's name.
 */
export function Thread(props: { ctx: ViewContext; municipality: Municipality; messages: DossierMessageRow[]; action: string | undefined; form: FormState; staff?: boolean }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  const author = (message: DossierMessageRow) =>
    message.author_role === "applicant"
      ? props.staff
        ? t("eservices.messages.from_applicant_named", { name: message.author_name ?? t("eservices.messages.applicant") })
        : t("eservices.messages.from_you")
      : props.staff
        ? t("eservices.messages.from_agent_named", { name: message.author_name ?? t("eservices.messages.agent") })
        : t("eservices.messages.from_municipality", { municipality: municipality.name });
  return (
    <section id="messages">
      <h2 safe>{t("eservices.messages.title")}</h2>
      {props.messages.length === 0 ? (
        <p class="meta" safe>
          {t("eservices.messages.none")}
        </p>
      ) : (
        <ol class="history thread">
          {props.messages.map((message) => (
            <li class={`from-${message.author_role}`}>
              <strong safe>{author(message)}</strong>{" "}
              <span class="meta">
                <time datetime={message.created_at.toISOString()} safe>
                  {ctx.fmt.dateTime(message.created_at, municipality.time_zone)}
                </time>
              </span>
              <Paragraphs text={message.body} />
            </li>
          ))}
        </ol>
      )}
      {props.action ? (
        <>
          <ErrorSummary ctx={ctx} form={props.form} />
          <Form ctx={ctx} action={props.action} form={props.form} label={t("eservices.messages.title")}>
            <Field ctx={ctx} form={props.form} name="thread_message" label={t("eservices.messages.write")} hint={t("eservices.messages.hint", { max: MESSAGE_MAX })} multiline rows={3} maxlength={MESSAGE_MAX} required />
            <button type="submit" safe>
              {t("eservices.messages.send")}
            </button>
          </Form>
        </>
      ) : (
        ""
      )}
    </section>
  );
}

/** Asks before deleting a draft: the only way to it is this form, which works without JavaScript. */
export function DeleteDraftPage(props: { ctx: ViewContext; municipality: Municipality; procedure: ProcedureRow; dossier: DossierRow }): JSX.Element {
  const { ctx, municipality, procedure, dossier } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/dossiers/${dossier.id}`;
  return (
    <Layout ctx={ctx} title={t("eservices.delete.title")}>
      {crumbs(ctx, municipality, t("eservices.delete.title"))}
      <h1 safe>{t("eservices.delete.title")}</h1>
      <p safe>{t("eservices.delete.question", { procedure: procedure.title, date: ctx.fmt.date(dossier.updated_at, municipality.time_zone) })}</p>
      <p safe>{t("eservices.delete.consequence")}</p>
      <div class="actions">
        <ActionButton ctx={ctx} action={`${base}/delete`} label={t("eservices.delete.confirm")} fields={{ confirm: "yes" }} />{" "}
        <a href={base} safe>
          {t("eservices.delete.cancel")}
        </a>
      </div>
    </Layout>
  );
}

/** Every file the answers point at, in repeated blocks too. */
export function ApplicantDossierPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  procedure: ProcedureRow;
  dossier: DossierRow;
  events: DossierEventRow[];
  certificates: CertificateRow[];
  editable: boolean;
  values?: FormValues | undefined;
  errors?: Record<string, FieldError> | undefined;
  add?: string | undefined;
  messageForm: FormState;
  messages: DossierMessageRow[];
  canWrite: boolean;
  /** Only the applicant's own draft: not one an agent filed for someone. */
  canDelete: boolean;
  threadForm: FormState;
}): JSX.Element {
  const { ctx, municipality, procedure, dossier } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/dossiers/${dossier.id}`;
  const errorForm: FormState = { values: {}, errors: props.errors ?? {} };
  const lastCorrection = [...props.events].reverse().find((event) => event.from_state === "under_instruction" && event.to_state === "submitted");
  const add = props.add ?? (ctx.path.match(/[?&]add=([a-z0-9_]+)/)?.[1] || undefined);
  return (
    <Layout ctx={ctx} title={`${procedure.title}${dossier.reference ? ` — ${dossier.reference}` : ""}`}>
      {crumbs(ctx, municipality, dossier.reference ?? procedure.title)}
      <h1 safe>{procedure.title}</h1>
      <DossierFacts ctx={ctx} municipality={municipality} procedure={procedure} dossier={dossier} />
      {dossier.correction_requested && lastCorrection ? (
        <div class="notice" role="status">
          <p>
            <strong safe>{t("eservices.dossier.correction_asked")}</strong>
          </p>
          <Paragraphs text={lastCorrection.body} />
        </div>
      ) : (
        ""
      )}
      <Certificates ctx={ctx} municipality={municipality} dossierId={dossier.id} certificates={props.certificates} download={true} />
      {props.editable ? (
        <>
          <ErrorSummary ctx={ctx} form={errorForm} />
          <Form ctx={ctx} action={base} form={errorForm} multipart={hasFileFields(procedure.form)} label={procedure.title}>
            <p class="meta" safe>
              {t("eservices.dossier.draft_hint")}
            </p>
            <DossierFields ctx={ctx} def={procedure.form} answers={dossier.answers} values={props.values} errors={props.errors} add={add} />
            {dossier.correction_requested ? <Field ctx={ctx} form={props.messageForm} name="message" label={t("eservices.dossier.correction_message")} multiline rows={3} maxlength={2000} /> : ""}
            <p class="actions">
              <button type="submit" class="secondary" safe>
                {t("eservices.dossier.save")}
              </button>{" "}
              <button type="submit" formaction={`${base}/submit`} safe>
                {dossier.correction_requested ? t("eservices.dossier.send_corrections") : t("eservices.dossier.submit")}
              </button>
            </p>
          </Form>
          {dossier.state === "draft" && props.canDelete ? (
            <p>
              <a href={`${base}/delete`} safe>
                {t("eservices.delete.link")}
              </a>
            </p>
          ) : (
            ""
          )}
        </>
      ) : (
        <AnswersSummary ctx={ctx} procedure={procedure} dossier={dossier} fileHref={(fileId) => `${base}/files/${fileId}`} />
      )}
      {dossier.state === "draft" ? "" : <Thread ctx={ctx} municipality={municipality} messages={props.messages} action={props.canWrite ? `${base}/messages` : undefined} form={props.threadForm} />}
      <section id="history">
        <h2 safe>{t("eservices.dossier.history")}</h2>
        <History ctx={ctx} municipality={municipality} events={props.events} />
      </section>
    </Layout>
  );
}

export function FollowPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  form: FormState;
  found?: { dossier: DossierRow; procedure: ProcedureRow; events: DossierEventRow[]; certificates: CertificateRow[] };
}): JSX.Element {
  const { ctx, municipality, found } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("eservices.follow.title")}>
      {crumbs(ctx, municipality, t("eservices.follow.title"))}
      <h1 safe>{t("eservices.follow.title")}</h1>
      {found ? (
        <section aria-live="polite">
          <h2 safe>
            {found.procedure.title} — {found.dossier.reference ?? ""}
          </h2>
          <DossierFacts ctx={ctx} municipality={municipality} procedure={found.procedure} dossier={found.dossier} withoutText />
          <Certificates ctx={ctx} municipality={municipality} dossierId={found.dossier.id} certificates={found.certificates} download={false} />
          <History ctx={ctx} municipality={municipality} events={found.events} withoutText />
          <p safe>{t("eservices.follow.messages_elsewhere")}</p>
        </section>
      ) : (
        <p safe>{t("eservices.follow.intro")}</p>
      )}
      <ErrorSummary ctx={ctx} form={props.form} />
      <Form ctx={ctx} action={`/${municipality.slug}/suivi`} form={props.form} label={t("eservices.follow.title")}>
        <Field ctx={ctx} form={props.form} name="reference" label={t("eservices.dossier.reference")} hint={t("eservices.follow.reference_hint")} required maxlength={30} autocomplete="off" />
        <Field ctx={ctx} form={props.form} name="phone" type="tel" label={t("eservices.follow.phone")} required maxlength={30} autocomplete="tel" />
        <button type="submit" safe>
          {t("eservices.follow.submit")}
        </button>
      </Form>
    </Layout>
  );
}
