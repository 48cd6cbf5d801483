import { ActionButton, Breadcrumbs, ErrorSummary, Field, FileField, Form, Pagination, Paragraphs, SelectField } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import { FLAG_REASONS, proposalStatusKey, type ProcessTiming } from "../service.js";
import type { CommentRow, PhaseRow, ProcessRow, ProposalRow, ProposalSort, ProposalStatus } from "../store.js";

const TIMING_KEYS: Record<ProcessTiming, string> = {
  open: "participation.process.timing.open",
  upcoming: "participation.process.timing.upcoming",
  closed: "participation.process.timing.closed",
};

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

export function crumbs(ctx: ViewContext, municipality: Municipality, trail: { href?: string; label: string }[] = []) {
  return (
    <Breadcrumbs
      ctx={ctx}
      items={[{ href: `/${municipality.slug}/`, label: municipality.name }, { href: `/${municipality.slug}/participation`, label: ctx.t("participation.title") }, ...trail]}
    />
  );
}

const day = (ctx: ViewContext, iso: string) => ctx.fmt.date(new Date(`${iso}T12:00:00Z`), "UTC");

export function ProcessesPage(props: { ctx: ViewContext; municipality: Municipality; processes: { process: ProcessRow; timing: ProcessTiming; phase: PhaseRow | undefined }[] }): JSX.Element {
  const { ctx, municipality } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("participation.title")} description={t("participation.intro", { municipality: municipality.name })}>
      {crumbs(ctx, municipality)}
      <h1 safe>{t("participation.title")}</h1>
      <p safe>{t("participation.intro", { municipality: municipality.name })}</p>
      <p>
        <a href={`/${municipality.slug}/participation/verify`} safe>
          {t("participation.verify.link")}
        </a>
      </p>
      {(["open", "upcoming", "closed"] as const).map((timing) => {
        const items = props.processes.filter((item) => item.timing === timing);
        return items.length === 0 ? (
          ""
        ) : (
          <section>
            <h2 safe>{t(TIMING_KEYS[timing])}</h2>
            <ul class="cards">
              {items.map(({ process, phase }) => (
                <li>
                  <h3>
                    <a href={`/${municipality.slug}/participation/${process.slug}`} safe>
                      {process.title}
                    </a>
                  </h3>
                  {process.scope ? <p class="meta" safe>{process.scope}</p> : ""}
                  {phase ? <p safe>{t("participation.process.current_phase", { phase: phase.title, end: day(ctx, phase.ends_on) })}</p> : ""}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {props.processes.length === 0 ? <p safe>{t("participation.none")}</p> : ""}
    </Layout>
  );
}

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

export function ProcessPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRow;
  phases: PhaseRow[];
  current: PhaseRow | undefined;
  timing: ProcessTiming;
  following: boolean;
  verified: boolean;
  proposals: ProposalRow[];
  total: number;
  pageSize: number;
  params: ProposalListParams;
  extras: { href: string; label: string }[];
}): JSX.Element {
  const { ctx, municipality, process, params } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/${process.slug}`;
  const filterForm: FormState = { values: { q: params.q, category: params.category, status: params.status, sort: params.sort }, errors: {} };
  return (
    <Layout ctx={ctx} title={process.title} description={process.description.slice(0, 160)}>
      {crumbs(ctx, municipality, [{ label: process.title }])}
      <h1 safe>{process.title}</h1>
      <p class="meta" safe>
        {[t(TIMING_KEYS[props.timing]), process.scope].filter(Boolean).join(" · ")}
      </p>
      <Paragraphs text={process.description} />
      {ctx.actor ? (
        <ActionButton ctx={ctx} action={`${base}/${props.following ? "unfollow" : "follow"}`} label={props.following ? t("participation.process.unfollow") : t("participation.process.follow")} secondary />
      ) : (
        ""
      )}
      <section>
        <h2 safe>{t("participation.process.phases")}</h2>
        <ol class="history">
          {props.phases.map((phase) => (
            <li aria-current={phase.id === props.current?.id ? "step" : undefined}>
              <strong safe>{phase.title}</strong>{" "}
              <span class="meta" safe>
                {t("participation.process.phase_dates", { start: day(ctx, phase.starts_on), end: day(ctx, phase.ends_on) })}
              </span>
              {phase.id === props.current?.id ? <span class="badge" safe>{t("participation.process.now")}</span> : ""}
              {phase.description ? <Paragraphs text={phase.description} /> : ""}
            </li>
          ))}
        </ol>
      </section>
      {props.extras.length > 0 ? (
        <ul>
          {props.extras.map((extra) => (
            <li>
              <a href={extra.href} safe>
                {extra.label}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        ""
      )}
      <section id="proposals">
        <h2 safe>{t("participation.proposal.title_plural")}</h2>
        {props.current?.proposals_open ? (
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
          <SelectField ctx={ctx} form={filterForm} name="sort" label={t("participation.proposal.sort")} options={(["supports", "newest", "random"] as const).map((sort) => ({ value: sort, label: t(SORT_KEYS[sort]) }))} />
          <input type="hidden" name="seed" value={String(params.seed)} />
          <button type="submit" safe>
            {t("participation.proposal.search_submit")}
          </button>
        </form>
        <p safe>{t("participation.proposal.count", { count: props.total })}</p>
        <ul class="cards">
          {props.proposals.map((proposal) => (
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
        <Pagination ctx={ctx} page={params.page} hasNext={params.page * props.pageSize < props.total} href={(page) => proposalListHref(base, params, page)} />
        <p>
          <a href={`${base}/proposals.csv`} safe>
            {t("participation.proposal.export")}
          </a>
        </p>
      </section>
    </Layout>
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

export function VerifyResidentPage(props: { ctx: ViewContext; municipality: Municipality; verified: { method: string; verified_at: Date } | undefined; codeSent: boolean; form: FormState }): JSX.Element {
  const { ctx, municipality, form } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/verify`;
  return (
    <Layout ctx={ctx} title={t("participation.verify.title")}>
      {crumbs(ctx, municipality, [{ label: t("participation.verify.title") }])}
      <h1 safe>{t("participation.verify.title")}</h1>
      <p safe>{t("participation.verify.intro", { municipality: municipality.name })}</p>
      {props.verified ? (
        <p class="success" role="status" safe>
          {t("participation.verify.done", { date: ctx.fmt.date(props.verified.verified_at, municipality.time_zone) })}
        </p>
      ) : !ctx.actor ? (
        <p>
          <a class="button" href={`/account/signin?next=${encodeURIComponent(base)}`} safe>
            {t("participation.verify.signin")}
          </a>
        </p>
      ) : (
        <>
          {ctx.actor.phone ? (
            <ActionButton ctx={ctx} action={`${base}/code`} label={props.codeSent ? t("participation.verify.resend", { phone: ctx.actor.phone }) : t("participation.verify.send", { phone: ctx.actor.phone })} secondary={props.codeSent} />
          ) : (
            <p safe>{t("participation.verify.no_phone")}</p>
          )}
          <ErrorSummary ctx={ctx} form={form} />
          <Form ctx={ctx} action={base} form={form} label={t("participation.verify.enter_code")}>
            <Field ctx={ctx} form={form} name="code" label={t("participation.verify.enter_code")} hint={t("participation.verify.code_hint")} required maxlength={10} autocomplete="one-time-code" />
            <button type="submit" safe>
              {t("participation.verify.confirm")}
            </button>
          </Form>
          <p class="meta" safe>
            {t("participation.verify.in_person")}
          </p>
        </>
      )}
    </Layout>
  );
}
