import { ActionButton, Breadcrumbs, ErrorSummary, Field, Form, Paragraphs } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import type { ProcessTiming } from "../service.js";
import type { PhaseRow, ProcessRow } from "../store.js";

const TIMING_KEYS: Record<ProcessTiming, string> = {
  open: "participation.process.timing.open",
  upcoming: "participation.process.timing.upcoming",
  closed: "participation.process.timing.closed",
};

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

export function ProcessPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  process: ProcessRow;
  phases: PhaseRow[];
  current: PhaseRow | undefined;
  timing: ProcessTiming;
  following: boolean;
  extras: { href: string; label: string }[];
  /** The process's proposals, drawn by their part (proposals/views.tsx). */
  proposals: JSX.Element;
}): JSX.Element {
  const { ctx, municipality, process, proposals } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/participation/${process.slug}`;
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
      {proposals}
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
