import { ActionButton, ErrorSummary, Field, FileField, Form, Pagination, Paragraphs, SelectField } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import type { ProcessRow } from "../store.js";
import { adminCrumbs } from "../views/admin.js";
import { crumbs } from "../views/public.js";
import { FLAG_REASONS, PROPOSAL_TRANSITIONS, proposalStatusKey } from "./service.js";
import { PROPOSAL_SORTS, type CommentRow, type FlagSummary, type ProposalPage, type ProposalRow, type ProposalSort, type ProposalStatus } from "./store.js";

const FLAG_REASON_KEYS: Record<(typeof FLAG_REASONS)[number], string> = {
  spam: "participation.flag.reason.spam",
  offensive: "participation.flag.reason.offensive",
  personal_data: "participation.flag.reason.personal_data",
  off_topic: "participation.flag.reason.off_topic",
  other: "participation.flag.reason.other",
};

const SORT_KEYS: Record<ProposalSort, string> = {
  supports: "participation.proposal.sort.supports",
  newest: "participation.proposal.sort.newest",
  random: "participation.proposal.sort.random",
};

export const PROPOSAL_STATUSES: ProposalStatus[] = ["published", "evaluating", "accepted", "rejected", "withdrawn"];

export interface ProposalListParams {
  q: string;
  category: string;
  status: ProposalStatus | "";
  sort: ProposalSort;
  seed: number;
  page: number;
}

export function proposalListHref(base: string, params: ProposalListParams, page: number): string {
  const query = new URLSearchParams();
  if (params.q) query.set("q", params.q);
  if (params.category) query.set("category", params.category);
  if (params.status) query.set("status", params.status);
  if (params.sort !== "supports") query.set("sort", params.sort);
  if (params.sort === "random") query.set("seed", String(params.seed));
  if (page > 1) query.set("page", String(page));
  const text = query.toString();
  return text ? `${base}?${text}#proposals` : `${base}#proposals`;
}

/** A process's proposals on its public page: the way to propose, the search, the list, the export. */
export function ProposalList(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRow;
  /** The running phase takes proposals. */
  proposalsOpen: boolean;
  verified: boolean;
  /** The page of proposals, with what is known of the rest (a count capped, whether a next page exists). */
  list: ProposalPage;
  params: ProposalListParams;
}): JSX.Element {
  const { ctx, municipality, process, params, list } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/${process.slug}`;
  const filterForm: FormState = { values: { q: params.q, category: params.category, status: params.status, sort: params.sort }, errors: {} };
  return (
    <section id="proposals">
      <h2 safe>{t("participation.proposal.title_plural")}</h2>
      {props.proposalsOpen ? (
        props.verified ? (
          <p>
            <a class="button" href={`${base}/proposals/new`} safe>
              {t("participation.proposal.new")}
            </a>
          </p>
        ) : (
          <p>
            <a href={`/${municipality.slug}/participation/verify`} safe>
              {t("participation.proposal.verify_to_propose")}
            </a>
          </p>
        )
      ) : (
        ""
      )}
      <form method="get" action={`${base}#proposals`} class="filters" aria-label={t("participation.proposal.search")}>
        <Field ctx={ctx} form={filterForm} name="q" label={t("participation.proposal.search")} maxlength={200} />
        {process.categories.length > 0 ? (
          <SelectField ctx={ctx} form={filterForm} name="category" label={t("participation.proposal.category")} options={[{ value: "", label: t("participation.proposal.all") }, ...process.categories.map((category) => ({ value: category, label: category }))]} />
        ) : (
          ""
        )}
        <SelectField
          ctx={ctx}
          form={filterForm}
          name="status"
          label={t("participation.proposal.status")}
          options={[{ value: "", label: t("participation.proposal.all") }, ...PROPOSAL_STATUSES.map((status) => ({ value: status, label: t(proposalStatusKey(status)) }))]}
        />
        <SelectField ctx={ctx} form={filterForm} name="sort" label={t("participation.proposal.sort")} options={PROPOSAL_SORTS.map((sort) => ({ value: sort, label: t(SORT_KEYS[sort]) }))} />
        {/* Only a shuffle needs its seed again; a page in another order stays the same from one visit to the next (its ETag). */}
        {params.sort === "random" ? <input type="hidden" name="seed" value={String(params.seed)} /> : ""}
        <button type="submit" safe>
          {t("participation.proposal.search_submit")}
        </button>
      </form>
      {list.closeMatches ? <p safe>{t("participation.proposal.close_matches", { q: params.q.trim() })}</p> : ""}
      <p safe>{t(list.moreThan ? "participation.proposal.count_more" : "participation.proposal.count", { count: list.total })}</p>
      <ul class="cards">
        {list.rows.map((proposal) => (
          <li>
            <h3>
              <a href={`${base}/proposals/${proposal.id}`} safe>
                {proposal.title}
              </a>
            </h3>
            <p class="meta" safe>
              {[t(proposalStatusKey(proposal.status)), proposal.category, t("participation.proposal.supports", { count: proposal.supports_count }), t("participation.proposal.comments", { count: proposal.comments_count })]
                .filter(Boolean)
                .join(" · ")}
            </p>
          </li>
        ))}
      </ul>
      <Pagination ctx={ctx} page={params.page} hasNext={list.hasNext} href={(page) => proposalListHref(base, params, page)} />
      <p>
        <a href={`${base}/proposals.csv`} safe>
          {t("participation.proposal.export")}
        </a>
      </p>
    </section>
  );
}

export function NewProposalPage(props: { ctx: ViewContext; municipality: Municipality; process: ProcessRow; form: FormState }): JSX.Element {
  const { ctx, municipality, process, form } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/${process.slug}`;
  return (
    <Layout ctx={ctx} title={t("participation.proposal.new")}>
      {crumbs(ctx, municipality, [{ href: base, label: process.title }, { label: t("participation.proposal.new") }])}
      <h1 safe>{t("participation.proposal.new")}</h1>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={`${base}/proposals`} form={form} multipart label={t("participation.proposal.new")}>
        <Field ctx={ctx} form={form} name="title" label={t("participation.proposal.field.title")} hint={t("participation.proposal.field.title_hint")} required maxlength={150} />
        <Field ctx={ctx} form={form} name="body" label={t("participation.proposal.field.body")} hint={t("participation.proposal.field.body_hint")} required multiline rows={8} maxlength={10000} />
        {process.categories.length > 0 ? (
          <SelectField ctx={ctx} form={form} name="category" label={t("participation.proposal.category")} options={[{ value: "", label: "—" }, ...process.categories.map((category) => ({ value: category, label: category }))]} />
        ) : (
          ""
        )}
        <Field ctx={ctx} form={form} name="location" label={t("participation.proposal.field.location")} hint={t("participation.proposal.field.location_hint")} maxlength={200} />
        <FileField ctx={ctx} form={form} name="photo" label={t("participation.proposal.field.photo")} hint={t("participation.proposal.field.photo_hint")} accept="image/jpeg,image/png,image/webp" />
        <button type="submit" safe>
          {t("participation.proposal.submit")}
        </button>
      </Form>
    </Layout>
  );
}

/** Comments as threads: each reply under the comment it answers. Hidden ones say so, without their text. */
function CommentThread(props: { ctx: ViewContext; base: string; comments: CommentRow[]; parentId: string | null; canComment: boolean; canFlag: boolean; depth: number }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  const children = props.comments.filter((comment) => comment.parent_id === props.parentId);
  if (children.length === 0) return "";
  return (
    <ul class="thread">
      {children.map((comment) => (
        <li id={`c-${comment.id}`}>
          <p class="meta" safe>
            {`${comment.author_name} · ${ctx.fmt.dateTime(comment.created_at, ctx.municipality?.time_zone ?? "UTC")}`}
          </p>
          {comment.hidden_at ? <p class="meta" safe>{t("participation.moderation.hidden_comment", { reason: comment.hidden_reason })}</p> : <Paragraphs text={comment.body} />}
          {!comment.hidden_at && (props.canComment || props.canFlag) ? (
            <details>
              <summary safe>{t("participation.comment.actions")}</summary>
              {props.canComment && props.depth < 4 ? (
                <Form ctx={ctx} action={`${props.base}/comments`} label={t("participation.comment.reply")}>
                  <input type="hidden" name="parent_id" value={comment.id} />
                  <Field ctx={ctx} form={undefined} name={`body-${comment.id}`} label={t("participation.comment.reply")} multiline rows={3} maxlength={5000} />
                  <button type="submit" class="secondary" safe>
                    {t("participation.comment.reply_submit")}
                  </button>
                </Form>
              ) : (
                ""
              )}
              {props.canFlag ? <FlagForm ctx={ctx} action={`${props.base}/flag`} subjectType="comment" subjectId={comment.id} /> : ""}
            </details>
          ) : (
            ""
          )}
          <CommentThread {...props} parentId={comment.id} depth={props.depth + 1} />
        </li>
      ))}
    </ul>
  );
}

function FlagForm(props: { ctx: ViewContext; action: string; subjectType: "proposal" | "comment"; subjectId: string }): JSX.Element {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Form ctx={ctx} action={props.action} label={t("participation.flag.title")}>
      <input type="hidden" name="subject_type" value={props.subjectType} />
      <input type="hidden" name="subject_id" value={props.subjectId} />
      <SelectField
        ctx={ctx}
        form={undefined}
        name={`reason-${props.subjectId}`}
        label={t("participation.flag.reason")}
        options={FLAG_REASONS.map((reason) => ({ value: reason, label: t(FLAG_REASON_KEYS[reason]) }))}
      />
      <button type="submit" class="secondary" safe>
        {t("participation.flag.submit")}
      </button>
    </Form>
  );
}

export function ProposalPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRow;
  proposal: ProposalRow;
  comments: CommentRow[];
  supported: boolean;
  verified: boolean;
  supportsOpen: boolean;
  commentForm: FormState;
}): JSX.Element {
  const { ctx, municipality, process, proposal } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/${process.slug}/proposals/${proposal.id}`;
  const signedIn = !!ctx.actor;
  const isAuthor = ctx.actor?.id === proposal.author_id;
  return (
    <Layout ctx={ctx} title={proposal.title} description={proposal.body.slice(0, 160)}>
      {crumbs(ctx, municipality, [{ href: `/${municipality.slug}/participation/${process.slug}`, label: process.title }, { label: proposal.title }])}
      <h1 safe>{proposal.title}</h1>
      <p class="meta" safe>
        {[t("participation.proposal.by", { author: proposal.author_name, date: ctx.fmt.date(proposal.created_at, municipality.time_zone) }), proposal.category, proposal.location].filter(Boolean).join(" · ")}
      </p>
      <p>
        <span class={`badge state-${proposal.status}`} safe>
          {t(proposalStatusKey(proposal.status))}
        </span>{" "}
        <strong safe>{t("participation.proposal.supports", { count: proposal.supports_count })}</strong>
      </p>
      {proposal.photo_id ? <img src={`${base}/photo`} alt={t("participation.proposal.photo_alt", { title: proposal.title })} loading="lazy" width="480" /> : ""}
      <Paragraphs text={proposal.body} />
      {proposal.answer ? (
        <section class="notice">
          <h2 safe>{t("participation.proposal.answer")}</h2>
          <Paragraphs text={proposal.answer} />
        </section>
      ) : (
        ""
      )}
      <div class="actions">
        {props.supportsOpen && proposal.status !== "withdrawn" && proposal.status !== "rejected" ? (
          !signedIn ? (
            <a href={`/account/signin?next=${encodeURIComponent(base)}`} safe>
              {t("participation.support.signin")}
            </a>
          ) : !props.verified ? (
            <a href={`/${municipality.slug}/participation/verify`} safe>
              {t("participation.support.verify")}
            </a>
          ) : props.supported ? (
            <ActionButton ctx={ctx} action={`${base}/unsupport`} label={t("participation.support.withdraw")} secondary />
          ) : (
            <ActionButton ctx={ctx} action={`${base}/support`} label={t("participation.support.add")} />
          )
        ) : (
          ""
        )}
        {isAuthor && (proposal.status === "published" || proposal.status === "evaluating") ? <ActionButton ctx={ctx} action={`${base}/withdraw`} label={t("participation.proposal.withdraw")} secondary /> : ""}
      </div>
      <section id="comments">
        <h2 safe>{t("participation.proposal.comments", { count: props.comments.filter((comment) => !comment.hidden_at).length })}</h2>
        <CommentThread ctx={ctx} base={base} comments={props.comments} parentId={null} canComment={signedIn} canFlag={signedIn} depth={0} />
        {signedIn ? (
          <>
            <ErrorSummary ctx={ctx} form={props.commentForm} />
            <Form ctx={ctx} action={`${base}/comments`} form={props.commentForm} label={t("participation.comment.new")}>
              <Field ctx={ctx} form={props.commentForm} name="body" label={t("participation.comment.new")} multiline rows={4} maxlength={5000} required />
              <button type="submit" safe>
                {t("participation.comment.submit")}
              </button>
            </Form>
          </>
        ) : (
          <p>
            <a href={`/account/signin?next=${encodeURIComponent(base)}`} safe>
              {t("participation.comment.signin")}
            </a>
          </p>
        )}
      </section>
      {signedIn && !isAuthor ? (
        <details>
          <summary safe>{t("participation.flag.title")}</summary>
          <FlagForm ctx={ctx} action={`${base}/flag`} subjectType="proposal" subjectId={proposal.id} />
        </details>
      ) : (
        ""
      )}
    </Layout>
  );
}

export function ModerationPage(props: { ctx: ViewContext; municipality: Municipality; flags: FlagSummary[] }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("participation.moderation.title")}>
      {adminCrumbs(ctx, municipality, [{ label: t("participation.moderation.title") }])}
      <h1 safe>{t("participation.moderation.title")}</h1>
      {props.flags.length === 0 ? <p safe>{t("participation.moderation.none")}</p> : ""}
      {props.flags.map((flag) => (
        <section>
          <h2>
            <a href={`/${municipality.slug}/participation/${flag.process_slug}/proposals/${flag.proposal_id}${flag.subject_type === "comment" ? `#c-${flag.subject_id}` : ""}`} safe>
              {flag.subject_type === "comment" ? t("participation.moderation.comment_on", { title: flag.title }) : flag.title}
            </a>
          </h2>
          <p class="meta" safe>
            {t("participation.moderation.flags", { count: flag.count, reasons: flag.reasons.join(", ") })}
          </p>
          <blockquote safe>{flag.excerpt}</blockquote>
          <Form ctx={ctx} action={`/${municipality.slug}/admin/moderation/${flag.subject_type}/${flag.subject_id}/hide`} label={t("participation.moderation.hide")}>
            <Field ctx={ctx} form={undefined} name="reason" label={t("participation.moderation.reason")} required maxlength={1000} />
            <button type="submit" safe>
              {t("participation.moderation.hide")}
            </button>
          </Form>
          <ActionButton ctx={ctx} action={`/${municipality.slug}/admin/moderation/${flag.subject_type}/${flag.subject_id}/dismiss`} label={t("participation.moderation.dismiss")} secondary />
        </section>
      ))}
    </Layout>
  );
}

/** The municipality's answers to a process's proposals, on the process's back-office page. */
export function AnswersSection(props: {
  ctx: ViewContext;
  municipality: Municipality;
  proposals: ProposalRow[];
  /** The proposal whose answer form came back with errors, and that form. */
  answering?: { proposalId: string; form: FormState } | undefined;
}): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <section id="answers">
      <h2 safe>{t("participation.admin.answers")}</h2>
      {props.proposals.length === 0 ? <p safe>{t("participation.proposal.count", { count: 0 })}</p> : ""}
      {props.proposals.map((proposal) => {
        const form = props.answering?.proposalId === proposal.id ? props.answering.form : { values: { status: proposal.status === "published" ? "evaluating" : proposal.status, answer: proposal.answer }, errors: {} };
        return (
          <details open={props.answering?.proposalId === proposal.id}>
            <summary safe>{`${proposal.title} — ${t(proposalStatusKey(proposal.status))} — ${t("participation.proposal.supports", { count: proposal.supports_count })}`}</summary>
            <ErrorSummary ctx={ctx} form={props.answering?.proposalId === proposal.id ? props.answering.form : undefined} />
            {PROPOSAL_TRANSITIONS[proposal.status].answers.length === 0 ? (
              <p safe>{t("participation.proposal.error.withdrawn_by_author")}</p>
            ) : (
            <Form ctx={ctx} action={`/${municipality.slug}/admin/proposals/${proposal.id}/answer`} form={form} label={t("participation.admin.answer")}>
              <SelectField ctx={ctx} form={form} name="status" label={t("participation.proposal.status")} options={PROPOSAL_TRANSITIONS[proposal.status].answers.map((status) => ({ value: status, label: t(proposalStatusKey(status)) }))} />
              <Field ctx={ctx} form={form} name="answer" label={t("participation.admin.answer_text")} hint={t("participation.admin.answer_hint")} multiline rows={4} maxlength={10000} required />
              <button type="submit" safe>
                {t("participation.admin.answer")}
              </button>
            </Form>
            )}
          </details>
        );
      })}
    </section>
  );
}
