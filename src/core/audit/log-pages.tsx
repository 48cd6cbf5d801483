import type { FastifyInstance, FastifyRequest } from "fastify";
import { hasMunicipalRole, hasNetworkRole, requireAllowed, type Actor } from "../auth/roles.js";
import { FormReader, parseLocalDate } from "../http/forms.js";
import { auditVocabulary } from "../modules.js";
import type { Municipality } from "../tenancy/index.js";
import { Breadcrumbs, ErrorSummary, Field, TableScroll } from "../views/components.js";
import type { FormState, ViewContext } from "../views/context.js";
import { Layout } from "../views/layout.js";
import { chainOf, LEGACY_CHAIN, NETWORK_CHAIN } from "./index.js";
import { auditActors, auditStaff, listAuditEntries, type AuditActor, type AuditLogFilters, type AuditLogPage } from "./log.js";

/** Times on the network's page: the network spans several time zones. */
const NETWORK_TIME_ZONE = "UTC";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEQ = /^[1-9]\d{0,15}$/;

/** Who may read a municipality's audit log: its administrators (and the network's superadmins, as everywhere). */
export const mayReadMunicipalAudit = (actor: Actor | null, municipality: Municipality): boolean => hasMunicipalRole(actor, municipality.id, "administrator");
/** Who may read the network's audit log, and name the residents in any log: the network's superadmins. */
export const mayReadNetworkAudit = (actor: Actor | null): boolean => hasNetworkRole(actor, "superadmin");

interface Query {
  form: FormState;
  filters: AuditLogFilters;
  cursor: { before?: number; after?: number };
  chain: string;
}

/** Reads the filter form (a GET form: it works without script, and its address can be kept). */
function readQuery(request: FastifyRequest, timeZone: string, defaultChain: string, chains: string[]): Query {
  const raw = request.query as Record<string, unknown>;
  const form = new FormReader(raw);
  const action = form.text("action", { max: 120, pattern: /^[a-z0-9_.]+$/ });
  const actor = form.text("actor", { max: 36, pattern: UUID });
  const subject = form.text("subject", { max: 60, pattern: /^[a-z0-9_]+$/ });
  const from = form.text("from", { max: 10 });
  const to = form.text("to", { max: 10 });
  const chain = chains.length > 1 ? (form.choice("chain", chains, { required: false }) ?? defaultChain) : defaultChain;
  const fromDay = from ? parseLocalDate(from) : undefined;
  const toDay = to ? parseLocalDate(to) : undefined;
  if (from && !fromDay) form.fail("from", "form.date.invalid");
  if (to && !toDay) form.fail("to", "form.date.invalid");
  if (fromDay && toDay && fromDay > toDay) form.fail("to", "audit.log.error.range");
  const before = typeof raw.before === "string" && SEQ.test(raw.before) ? Number(raw.before) : undefined;
  const after = before === undefined && typeof raw.after === "string" && SEQ.test(raw.after) ? Number(raw.after) : undefined;
  return {
    form: { values: form.values, errors: form.errors },
    filters: { timeZone, ...(action ? { action } : {}), ...(actor ? { actorId: actor } : {}), ...(subject ? { subjectType: subject } : {}), ...(fromDay ? { from: fromDay } : {}), ...(toDay ? { to: toDay } : {}) },
    cursor: { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) },
    chain,
  };
}

interface PageProps {
  ctx: ViewContext;
  base: string;
  municipality: Municipality | null;
  timeZone: string;
  query: Query;
  page: AuditLogPage;
  actors: Map<string, AuditActor>;
  staff: { id: string; name: string }[];
  namesResidents: boolean;
  chains: string[];
}

function AuditLogPageView(props: PageProps): JSX.Element {
  const { ctx, query, page, municipality } = props;
  const { t, fmt } = ctx;
  const title = t("audit.log.title");
  const vocabulary = auditVocabulary();
  const values = query.form.values;
  const keep = (cursor: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const name of ["action", "actor", "subject", "from", "to", ...(props.chains.length > 1 ? ["chain"] : [])]) if (values[name]) params.set(name, values[name]!);
    for (const [name, value] of Object.entries(cursor)) params.set(name, value);
    const text = params.toString();
    return text ? `${props.base}?${text}` : props.base;
  };
  const who = (actorId: string | null) => {
    if (!actorId) return t("audit.log.actor_platform");
    const actor = props.actors.get(actorId);
    if (!actor) return t("audit.log.actor_unknown");
    return actor.staff || props.namesResidents ? actor.name : t("audit.log.actor_resident");
  };
  const what = (action: string) => {
    const key = vocabulary.actions.get(action);
    return key ? <span safe>{t(key)}</span> : <code safe>{action}</code>;
  };
  const subject = (row: AuditLogPage["rows"][number]) => {
    const href = vocabulary.subjects.get(row.subject_type)?.({ municipality, subjectId: row.subject_id, data: row.data });
    return href ? (
      <a href={href} safe>
        {row.subject_type}
      </a>
    ) : (
      <span safe>{row.subject_type}</span>
    );
  };
  const crumbs = municipality
    ? [
        { href: `/${municipality.slug}/`, label: municipality.name },
        { href: `/${municipality.slug}/admin`, label: t("nav.admin") },
        { label: title },
      ]
    : [
        { href: "/", label: ctx.network?.name ?? t("site.name") },
        { href: "/admin/municipalities", label: t("nav.network_admin") },
        { label: title },
      ];
  return (
    <Layout ctx={ctx} title={title}>
      <Breadcrumbs ctx={ctx} items={crumbs} />
      <h1 safe>{title}</h1>
      <p safe>{municipality ? t("audit.log.intro_municipality", { name: municipality.name }) : t("audit.log.intro_network")}</p>
      <ErrorSummary ctx={ctx} form={query.form} />
      <form method="get" action={props.base} class="filters" aria-label={t("audit.log.filters")}>
        {props.chains.length > 1 ? (
          <div>
            <label for="f-chain" safe>
              {t("audit.log.chain")}
            </label>
            <select id="f-chain" name="chain">
              {props.chains.map((chain) => (
                <option value={chain} selected={chain === query.chain} safe>
                  {chain === LEGACY_CHAIN ? t("audit.checkpoints.chain_legacy") : t("audit.checkpoints.chain_network")}
                </option>
              ))}
            </select>
          </div>
        ) : (
          ""
        )}
        <Field ctx={ctx} form={query.form} name="action" label={t("audit.log.action")} hint={t("audit.log.action_hint")} autocomplete="off" maxlength={120} />
        <div>
          <label for="f-actor" safe>
            {t("audit.log.actor")}
          </label>
          <select id="f-actor" name="actor">
            <option value="" safe>
              {t("audit.log.actor_anyone")}
            </option>
            {props.staff.map((person) => (
              <option value={person.id} selected={person.id === values.actor} safe>
                {person.name}
              </option>
            ))}
          </select>
        </div>
        <Field ctx={ctx} form={query.form} name="subject" label={t("audit.log.subject")} hint={t("audit.log.subject_hint")} autocomplete="off" maxlength={60} />
        <Field ctx={ctx} form={query.form} name="from" type="date" label={t("audit.log.from")} />
        <Field ctx={ctx} form={query.form} name="to" type="date" label={t("audit.log.to")} />
        <div>
          <button type="submit" safe>
            {t("audit.log.filter")}
          </button>{" "}
          <a href={props.base} safe>
            {t("audit.log.reset")}
          </a>
        </div>
      </form>
      {page.rows.length === 0 ? (
        <p safe>{t("audit.log.none")}</p>
      ) : (
        <TableScroll label={title}>
          <table class="log">
            <caption class="sr" safe>
              {title}
            </caption>
            <thead>
              <tr>
                <th scope="col" safe>
                  {t("audit.log.when")}
                </th>
                <th scope="col" safe>
                  {t("audit.log.who")}
                </th>
                <th scope="col" safe>
                  {t("audit.log.what")}
                </th>
                <th scope="col" safe>
                  {t("audit.log.subject")}
                </th>
                <th scope="col" safe>
                  {t("audit.log.number")}
                </th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((row) => (
                <tr data-action={row.action} data-seq={String(row.seq)}>
                  <td>
                    <time datetime={new Date(row.at).toISOString()} safe>
                      {fmt.dateTime(new Date(row.at), props.timeZone)}
                    </time>
                  </td>
                  <td safe>{who(row.actor_id)}</td>
                  <td>{what(row.action)}</td>
                  <td>{subject(row)}</td>
                  <td safe>{fmt.number(row.seq)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {page.hasNewer || page.hasOlder ? (
        <nav class="pager" aria-label={t("nav.pagination")}>
          {page.hasNewer ? (
            <>
              <a href={keep({})} safe>
                {t("audit.log.newest")}
              </a>
              <a href={keep({ after: String(page.rows[0]!.seq) })} rel="prev" safe>
                {t("audit.log.newer")}
              </a>
            </>
          ) : (
            ""
          )}
          {page.hasOlder ? (
            <a href={keep({ before: String(page.rows.at(-1)!.seq) })} rel="next" safe>
              {t("audit.log.older")}
            </a>
          ) : (
            ""
          )}
        </nav>
      ) : (
        ""
      )}
      <p>
        <a href={municipality ? `/${municipality.slug}/audit/checkpoints` : "/audit/checkpoints"} safe>
          {t("audit.checkpoints.link")}
        </a>
      </p>
    </Layout>
  );
}

/** The audit log as administrators read it: a municipality's chain for its administrators, the network's for superadmins. */
export async function auditLogRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;

  async function render(request: FastifyRequest, options: { municipality: Municipality | null; base: string; timeZone: string; chains: string[] }) {
    const query = readQuery(request, options.timeZone, options.chains[0]!, options.chains);
    const invalid = Object.keys(query.form.errors).length > 0;
    const page: AuditLogPage = invalid ? { rows: [], hasOlder: false, hasNewer: false } : await listAuditEntries(db, query.chain, query.filters, query.cursor);
    const municipalityId = options.municipality?.id ?? null;
    const [actors, staff] = await Promise.all([
      auditActors(db, [...new Set(page.rows.map((row) => row.actor_id).filter((id): id is string => !!id))], municipalityId),
      auditStaff(db, municipalityId),
    ]);
    const html = (
      <AuditLogPageView
        ctx={await request.view()}
        base={options.base}
        municipality={options.municipality}
        timeZone={options.timeZone}
        query={query}
        page={page}
        actors={actors}
        staff={staff}
        namesResidents={mayReadNetworkAudit(request.actor)}
        chains={options.chains}
      />
    );
    // Wrong filters come back on the form with what was typed, as a refused form does.
    return { html, status: invalid ? 400 : 200 };
  }

  app.get("/:slug/admin/audit", async (request, reply) => {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, mayReadMunicipalAudit(request.actor, municipality));
    const { html, status } = await render(request, { municipality, base: `/${municipality.slug}/admin/audit`, timeZone: municipality.time_zone, chains: [chainOf(municipality.id)] });
    return reply.header("cache-control", "private, no-store").page(html, status);
  });

  app.get("/admin/audit", async (request, reply) => {
    requireAllowed(request.actor, mayReadNetworkAudit(request.actor));
    const { html, status } = await render(request, { municipality: null, base: "/admin/audit", timeZone: NETWORK_TIME_ZONE, chains: [NETWORK_CHAIN, LEGACY_CHAIN] });
    return reply.header("cache-control", "private, no-store").page(html, status);
  });
}
