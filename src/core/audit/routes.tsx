import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppModule } from "../http/server.js";
import { Breadcrumbs, Table } from "../views/components.js";
import type { ViewContext } from "../views/context.js";
import { Layout } from "../views/layout.js";
import { checkpointsDocument, countCheckpoints, publishedCheckpoints, type Checkpoint } from "./checkpoints.js";
import { chainOf, LEGACY_CHAIN, NETWORK_CHAIN } from "./index.js";
import { auditLogRoutes, mayReadMunicipalAudit } from "./log-pages.js";

/** The newest checkpoints a page shows; the JSON lists them all. */
const PAGE_CHECKPOINTS = 30;
/** Times on the network's page: the network spans several time zones. */
const NETWORK_TIME_ZONE = "UTC";

type Published = Awaited<ReturnType<typeof publishedCheckpoints>>;

function CheckpointsPage(props: { ctx: ViewContext; timeZone: string; jsonHref: string; published: Published; total: number }): JSX.Element {
  const { ctx } = props;
  const { t, fmt, municipality } = ctx;
  const title = t("audit.checkpoints.title");
  const chainLabel = (checkpoint: Checkpoint) =>
    checkpoint.chain === LEGACY_CHAIN ? t("audit.checkpoints.chain_legacy") : checkpoint.chain === NETWORK_CHAIN ? t("audit.checkpoints.chain_network") : (municipality?.name ?? "");
  return (
    <Layout ctx={ctx} title={title} description={t("audit.checkpoints.intro")}>
      <Breadcrumbs ctx={ctx} items={[{ href: municipality ? `/${municipality.slug}/` : "/", label: municipality?.name ?? ctx.network?.name ?? t("site.name") }, { label: title }]} />
      <h1 safe>{title}</h1>
      <p safe>{t("audit.checkpoints.intro")}</p>
      <p safe>{t("audit.checkpoints.keep")}</p>
      {props.published.checkpoints.length === 0 ? (
        <p safe>{t("audit.checkpoints.none")}</p>
      ) : (
        <Table
          caption={title}
          headers={[t("audit.checkpoints.at"), t("audit.checkpoints.chain"), t("audit.checkpoints.entries"), t("audit.checkpoints.hash")]}
          rows={props.published.checkpoints.map((checkpoint) => [
            <time datetime={checkpoint.at.toISOString()} safe>
              {fmt.dateTime(checkpoint.at, props.timeZone)}
            </time>,
            <span safe>{chainLabel(checkpoint)}</span>,
            <span safe>{fmt.number(checkpoint.seq)}</span>,
            <code safe>{checkpoint.hash}</code>,
          ])}
        />
      )}
      {props.total > props.published.checkpoints.length ? <p safe>{t("audit.checkpoints.more", { shown: props.published.checkpoints.length, total: props.total })}</p> : ""}
      <h2 safe>{t("audit.checkpoints.keys")}</h2>
      <ul>
        {props.published.keys.map((key) => (
          <li>
            <code safe>{`${key.kid}: ${key.publicKey}`}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href={props.jsonHref} type="application/json" safe>
          {t("audit.checkpoints.json")}
        </a>
      </p>
    </Layout>
  );
}

async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;
  const countOf = (chains: string[]) => countCheckpoints(db, chains);
  const json = (reply: FastifyReply, chains: string[], published: Published) =>
    reply.type("application/json; charset=utf-8").header("cache-control", "public, max-age=300").send(checkpointsDocument(chains, published));

  // The network's chain, and the chain kept from before chains were split.
  const networkChains = [NETWORK_CHAIN, LEGACY_CHAIN];
  app.get("/audit/checkpoints", async (request, reply) => {
    const [published, total] = await Promise.all([publishedCheckpoints(db, networkChains, PAGE_CHECKPOINTS), countOf(networkChains)]);
    return reply.page(<CheckpointsPage ctx={await request.view()} timeZone={NETWORK_TIME_ZONE} jsonHref="/audit/checkpoints.json" published={published} total={total} />);
  });
  app.get("/audit/checkpoints.json", async (_request, reply) => json(reply, networkChains, await publishedCheckpoints(db, networkChains)));

  app.get("/:slug/audit/checkpoints", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const chains = [chainOf(municipality.id)];
    const [published, total] = await Promise.all([publishedCheckpoints(db, chains, PAGE_CHECKPOINTS), countOf(chains)]);
    return reply.page(
      <CheckpointsPage ctx={await request.view()} timeZone={municipality.time_zone} jsonHref={`/${municipality.slug}/audit/checkpoints.json`} published={published} total={total} />,
    );
  });
  app.get("/:slug/audit/checkpoints.json", async (request, reply) => {
    const municipality = request.requireMunicipality();
    const chains = [chainOf(municipality.id)];
    return json(reply, chains, await publishedCheckpoints(db, chains));
  });

  await auditLogRoutes(app);
}

/** The audit log's public face: the signed checkpoints of each chain, for others to keep (ADR 0008). */
export const auditModule: AppModule = {
  name: "audit",
  plugin: auditRoutes,
  adminNav: [{ href: (municipality) => `/${municipality.slug}/admin/audit`, labelKey: "audit.log.title", allowed: mayReadMunicipalAudit }],
  sitemap: async (_db, municipality) => [{ path: `/${municipality.slug}/audit/checkpoints` }],
  // Published so that others keep copies: a truncated chain no longer matches a copy (ADR 0008).
  exports: [
    {
      key: "checkpoints",
      titleKey: "audit.checkpoints.title",
      format: "JSON",
      mediaType: "application/json",
      per: "municipality",
      path: (municipality) => `/${municipality.slug}/audit/checkpoints.json`,
    },
  ],
};
