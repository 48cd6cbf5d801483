import type { FieldError } from "../../../core/http/errors.js";
import { ErrorSummary, Field, Form, Pagination, SelectField, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { hasFileFields, type FormValues } from "../form-definition.js";
import { TRANSITIONS, type DossierAction } from "../service.js";
import type { CertificateRow, Colleague, DossierEventRow, DossierListItem, DossierMessageRow, DossierRow, DossierState, ProcedureRow, QueueSort } from "../store.js";
import { adminCrumbs } from "./admin-procedures.js";
import { DossierFields } from "./form-fields.js";
import { AnswersSummary, DossierFacts, History, StateBadge, Thread } from "./public.js";

export const QUEUE_SORTS: readonly QueueSort[] = ["urgency", "submitted", "reference", "state", "due"];

export interface QueueParams {
  procedure: string;
  state: DossierState | "open" | "all";
  overdue: boolean;
  mine: boolean;
  /** A reference or part of a name; empty for none. */
  q: string;
  sort: QueueSort;
  dir: "asc" | "desc";
  page: number;
}

const SORT_KEYS: Record<QueueSort, string> = {
  urgency: "eservices.queue.sort_urgency",
  submitted: "eservices.dossier.submitted_at",
  reference: "eservices.dossier.reference",
  state: "eservices.dossier.state",
  due: "eservices.dossier.due_on",
};

const ACTION_KEYS: Record<DossierAction, string> = {
  submit: "eservices.action.submit",
  take: "eservices.action.take",
  request_correction: "eservices.action.request_correction",
  accept: "eservices.action.accept",
  refuse: "eservices.action.refuse",
  close: "eservices.action.close",
  reopen: "eservices.action.reopen",
};

const STATE_FILTERS: { value: QueueParams["state"]; key: string }[] = [
  { value: "open", key: "eservices.queue.open" },
  { value: "submitted", key: "eservices.state.submitted" },
  { value: "under_instruction", key: "eservices.state.under_instruction" },
  { value: "accepted", key: "eservices.state.accepted" },
  { value: "refused", key: "eservices.state.refused" },
  { value: "closed_without_follow_up", key: "eservices.state.closed_without_follow_up" },
  { value: "all", key: "eservices.queue.all" },
];

function queueHref(base: string, params: QueueParams, page: number): string {
  const query = new URLSearchParams();
  if (params.procedure) query.set("procedure", params.procedure);
  if (params.state !== "open") query.set("state", params.state);
  if (params.overdue) query.set("overdue", "1");
  if (params.mine) query.set("mine", "1");
  if (params.q) query.set("q", params.q);
  if (params.sort !== "urgency") query.set("sort", params.sort);
  if (params.dir === "desc") query.set("dir", "desc");
  if (page > 1) query.set("page", String(page));
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

export function QueuePage(props: { ctx: ViewContext; municipality: Municipality; procedures: ProcedureRow[]; params: QueueParams; rows: DossierListItem[]; total: number; pageSize: number }): JSX.Element {
  const { ctx, municipality, params } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/dossiers`;
  const filterForm: FormState = { values: { procedure: params.procedure, state: params.state, q: params.q, sort: params.sort, dir: params.dir }, errors: {} };
  return (
    <Layout ctx={ctx} title={t("eservices.queue.title")}>
      {adminCrumbs(ctx, municipality, [{ label: t("eservices.queue.title") }])}
      <h1 safe>{t("eservices.queue.title")}</h1>
      <form method="get" action={base} class="filters" aria-label={t("eservices.queue.filter")}>
        <Field ctx={ctx} form={filterForm} name="q" label={t("eservices.queue.search")} hint={t("eservices.queue.search_hint")} maxlength={80} autocomplete="off" />
        <SelectField
          ctx={ctx}
          form={filterForm}
          name="procedure"
          label={t("eservices.stats.procedure")}
          options={[{ value: "", label: t("eservices.queue.all_procedures") }, ...props.procedures.map((procedure) => ({ value: procedure.slug, label: procedure.title }))]}
        />
        <SelectField ctx={ctx} form={filterForm} name="state" label={t("eservices.dossier.state")} options={STATE_FILTERS.map((filter) => ({ value: filter.value, label: t(filter.key) }))} />
        <label>
          <input type="checkbox" name="overdue" value="1" checked={params.overdue} /> <span safe>{t("eservices.queue.overdue_only")}</span>
        </label>
        <label>
          <input type="checkbox" name="mine" value="1" checked={params.mine} /> <span safe>{t("eservices.queue.mine_only")}</span>
        </label>
        <SelectField ctx={ctx} form={filterForm} name="sort" label={t("eservices.queue.sort")} options={QUEUE_SORTS.map((sort) => ({ value: sort, label: t(SORT_KEYS[sort]) }))} />
        <SelectField
          ctx={ctx}
          form={filterForm}
          name="dir"
          label={t("eservices.queue.direction")}
          options={[
            { value: "asc", label: t("eservices.queue.ascending") },
            { value: "desc", label: t("eservices.queue.descending") },
          ]}
        />
        <button type="submit" safe>
          {t("eservices.queue.filter")}
        </button>
      </form>
      <p>
        <span safe>{t("eservices.queue.count", { count: props.total })}</span>{" "}
        <a href={`/${municipality.slug}/admin/counter`} safe>
          {t("eservices.counter.title")}
        </a>
      </p>
      {props.rows.length > 0 ? (
        // Six columns do not fit a phone: the table scrolls in its box, never the page.
        <div class="scroll">
          <Table
            caption={t("eservices.queue.title")}
            headers={[t("eservices.dossier.reference"), t("eservices.stats.procedure"), t("eservices.dossier.applicant"), t("eservices.dossier.state"), t("eservices.dossier.due_on"), t("eservices.dossier.instructor")]}
            rows={props.rows.map((row) => [
              <a href={`${base}/${row.id}`} safe>
                {row.reference ?? ""}
              </a>,
              <span safe>{row.procedure_title}</span>,
              <span safe>{row.applicant_name}</span>,
              <StateBadge ctx={ctx} state={row.state} correction={row.correction_requested} />,
              row.due_on ? (
                <span class={row.overdue ? "overdue" : undefined}>
                  <span safe>{ctx.fmt.date(new Date(`${row.due_on}T12:00:00Z`), "UTC")}</span>
                  {row.overdue ? <strong safe>{` — ${t("eservices.queue.overdue")}`}</strong> : ""}
                </span>
              ) : (
                <span>—</span>
              ),
              <span safe>{row.instructor_name ?? "—"}</span>,
            ])}
          />
        </div>
      ) : (
        <p safe>{t("eservices.queue.empty")}</p>
      )}
      <Pagination ctx={ctx} page={params.page} hasNext={params.page * props.pageSize < props.total} href={(page) => queueHref(base, params, page)} />
    </Layout>
  );
}

export function InstructionPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  procedure: ProcedureRow;
  dossier: DossierRow;
  events: DossierEventRow[];
  certificates: CertificateRow[];
  accesses: { actor_name: string | null; action: string; at: Date }[];
  actions: DossierAction[];
  today: string;
  canRevoke: boolean;
  failedAction?: string | undefined;
  actionForm: FormState;
  noteForm: FormState;
  messages: DossierMessageRow[];
  threadForm: FormState;
  /** The agents this dossier may be handed to (empty once it is decided). */
  colleagues: Colleague[];
  reassignForm: FormState;
}): JSX.Element {
  const { ctx, municipality, procedure, dossier } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/dossiers/${dossier.id}`;
  const overdue = (dossier.state === "submitted" || dossier.state === "under_instruction") && !!dossier.due_on && dossier.due_on < props.today;
  return (
    <Layout ctx={ctx} title={`${dossier.reference ?? ""} — ${procedure.title}`}>
      {adminCrumbs(ctx, municipality, [{ href: `/${municipality.slug}/admin/dossiers`, label: t("eservices.queue.title") }, { label: dossier.reference ?? "" }])}
      <h1 safe>
        {dossier.reference ?? ""} — {procedure.title}
      </h1>
      {overdue ? <p class="notice" safe>{t("eservices.queue.overdue_notice")}</p> : ""}
      {dossier.correction_requested ? <p class="notice" safe>{t("eservices.queue.waiting_correction")}</p> : ""}
      <DossierFacts ctx={ctx} municipality={municipality} procedure={procedure} dossier={dossier} />
      <section>
        <h2 safe>{t("eservices.dossier.applicant")}</h2>
        <dl class="facts">
          <div>
            <dt safe>{t("eservices.counter.name")}</dt>
            <dd safe>{dossier.applicant_name}</dd>
          </div>
          {dossier.applicant_phone ? (
            <div>
              <dt safe>{t("eservices.counter.phone")}</dt>
              <dd safe>{dossier.applicant_phone}</dd>
            </div>
          ) : (
            ""
          )}
          {dossier.applicant_email ? (
            <div>
              <dt safe>{t("eservices.counter.email")}</dt>
              <dd safe>{dossier.applicant_email}</dd>
            </div>
          ) : (
            ""
          )}
          <div>
            <dt safe>{t("eservices.dossier.channel")}</dt>
            <dd safe>{dossier.channel === "counter" ? t("eservices.dossier.channel_counter") : t("eservices.dossier.channel_web")}</dd>
          </div>
        </dl>
      </section>
      <AnswersSummary ctx={ctx} procedure={procedure} dossier={dossier} fileHref={(fileId) => `/${municipality.slug}/dossiers/${dossier.id}/files/${fileId}`} />
      {props.certificates.length > 0 ? (
        <section>
          <h2 safe>{t("eservices.certificate.title")}</h2>
          <ul>
            {props.certificates.map((certificate) => (
              <li>
                <a href={`/${municipality.slug}/dossiers/${dossier.id}/certificates/${certificate.number}.pdf`} safe>
                  {t("eservices.certificate.download", { number: certificate.number })}
                </a>{" "}
                {certificate.revoked_at ? (
                  <strong safe>{t("eservices.certificate.revoked_on", { date: ctx.fmt.date(certificate.revoked_at, municipality.time_zone) })}</strong>
                ) : props.canRevoke ? (
                  <Form ctx={ctx} action={`${base}/certificates/${certificate.number}/revoke`} form={props.failedAction === "revoke" ? props.actionForm : undefined} class="inline" label={t("eservices.certificate.revoke")}>
                    <Field ctx={ctx} form={props.failedAction === "revoke" ? props.actionForm : undefined} name="reason" label={t("eservices.certificate.revoke_reason")} required maxlength={1000} />
                    <button type="submit" class="secondary" safe>
                      {t("eservices.certificate.revoke")}
                    </button>
                  </Form>
                ) : (
                  ""
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : (
        ""
      )}
      {props.actions.length > 0 ? (
        <section>
          <h2 safe>{t("eservices.dossier.decide")}</h2>
          {props.actions.map((action) => {
            const form = props.failedAction === action ? props.actionForm : undefined;
            return (
              <>
                <ErrorSummary ctx={ctx} form={form} />
                <Form ctx={ctx} action={`${base}/${action}`} form={form} label={t(ACTION_KEYS[action])}>
                  {action !== "take" && action !== "reopen" ? (
                    <Field
                      ctx={ctx}
                      form={form}
                      name="message"
                      label={TRANSITIONS[action].needsMessage ? t("eservices.dossier.message_required") : t("eservices.dossier.message_optional")}
                      multiline
                      rows={3}
                      maxlength={5000}
                      required={TRANSITIONS[action].needsMessage}
                    />
                  ) : (
                    ""
                  )}
                  <button type="submit" class={action === "accept" || action === "take" ? undefined : "secondary"} safe>
                    {t(ACTION_KEYS[action])}
                  </button>
                </Form>
              </>
            );
          })}
        </section>
      ) : (
        ""
      )}
      {props.colleagues.length > 0 || Object.keys(props.reassignForm.errors).length > 0 ? (
        <section id="reassign">
          <h2 safe>{t("eservices.reassign.title")}</h2>
          <ErrorSummary ctx={ctx} form={props.reassignForm} />
          <Form ctx={ctx} action={`${base}/reassign`} form={props.reassignForm} label={t("eservices.reassign.title")}>
            <SelectField
              ctx={ctx}
              form={props.reassignForm}
              name="assignee"
              label={t("eservices.reassign.colleague")}
              hint={t("eservices.reassign.hint")}
              options={[{ value: "", label: "—" }, ...props.colleagues.map((colleague) => ({ value: colleague.id, label: colleague.name }))]}
            />
            <button type="submit" class="secondary" safe>
              {t("eservices.reassign.submit")}
            </button>
          </Form>
        </section>
      ) : (
        ""
      )}
      <Thread ctx={ctx} municipality={municipality} messages={props.messages} action={`${base}/messages`} form={props.threadForm} staff />
      <section id="history">
        <h2 safe>{t("eservices.dossier.history")}</h2>
        <History ctx={ctx} municipality={municipality} events={props.events} staff />
        <ErrorSummary ctx={ctx} form={props.noteForm} />
        <Form ctx={ctx} action={`${base}/notes`} form={props.noteForm} label={t("eservices.dossier.add_note")}>
          <Field ctx={ctx} form={props.noteForm} name="note" label={t("eservices.dossier.note")} hint={t("eservices.dossier.note_hint")} multiline rows={3} maxlength={5000} required />
          <button type="submit" class="secondary" safe>
            {t("eservices.dossier.add_note")}
          </button>
        </Form>
      </section>
      <details>
        <summary safe>{t("eservices.dossier.accesses")}</summary>
        <ul>
          {props.accesses.map((access) => (
            <li safe>{`${ctx.fmt.dateTime(access.at, municipality.time_zone)} — ${access.actor_name ?? t("eservices.dossier.someone")} (${access.action})`}</li>
          ))}
        </ul>
      </details>
    </Layout>
  );
}

export function CounterFilingPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  procedures: ProcedureRow[];
  procedure: ProcedureRow | undefined;
  applicantForm: FormState;
  values?: FormValues;
  errors?: Record<string, FieldError>;
  add?: string | undefined;
}): JSX.Element {
  const { ctx, municipality, procedure } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/counter`;
  const allErrors: FormState = { values: props.applicantForm.values, errors: { ...props.applicantForm.errors, ...(props.errors ?? {}) } };
  return (
    <Layout ctx={ctx} title={t("eservices.counter.title")}>
      {adminCrumbs(ctx, municipality, [{ label: t("eservices.counter.title") }])}
      <h1 safe>{t("eservices.counter.title")}</h1>
      <p safe>{t("eservices.counter.intro")}</p>
      <form method="get" action={base} class="filters" aria-label={t("eservices.counter.choose")}>
        <SelectField
          ctx={ctx}
          form={{ values: { procedure: procedure?.slug ?? "" }, errors: {} }}
          name="procedure"
          label={t("eservices.counter.choose")}
          options={[{ value: "", label: "—" }, ...props.procedures.map((option) => ({ value: option.slug, label: option.title }))]}
        />
        <button type="submit" class="secondary" safe>
          {t("eservices.counter.open")}
        </button>
      </form>
      {procedure ? (
        <>
          <h2 safe>{procedure.title}</h2>
          <ErrorSummary ctx={ctx} form={allErrors} />
          <Form ctx={ctx} action={base} form={props.applicantForm} multipart={hasFileFields(procedure.form)} label={procedure.title}>
            <input type="hidden" name="procedure" value={procedure.slug} />
            <fieldset>
              <legend safe>{t("eservices.dossier.applicant")}</legend>
              <Field ctx={ctx} form={props.applicantForm} name="applicant_name" label={t("eservices.counter.name")} required maxlength={120} />
              <Field ctx={ctx} form={props.applicantForm} name="applicant_phone" type="tel" label={t("eservices.counter.phone")} hint={t("eservices.counter.contact_hint")} maxlength={30} />
              <Field ctx={ctx} form={props.applicantForm} name="applicant_email" type="email" label={t("eservices.counter.email")} maxlength={200} />
              <SelectField
                ctx={ctx}
                form={props.applicantForm}
                name="applicant_locale"
                label={t("eservices.counter.language")}
                options={[
                  { value: "fr", label: "Français" },
                  { value: "pt", label: "Português" },
                  { value: "en", label: "English" },
                ]}
              />
            </fieldset>
            <DossierFields ctx={ctx} def={procedure.form} values={props.values} errors={props.errors} add={props.add} />
            <button type="submit" safe>
              {t("eservices.counter.submit")}
            </button>
          </Form>
        </>
      ) : (
        ""
      )}
    </Layout>
  );
}
