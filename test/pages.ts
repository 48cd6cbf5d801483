import assert from "node:assert/strict";
import type { Db } from "../src/core/db/index.js";
import { DEMO } from "./helpers.js";

/** Every public GET page of the portal and the account forms, with the demo content. */
export async function publicPages(db: Db): Promise<string[]> {
  const urls = ["/", "/data", "/account/signin", "/account/signup", "/account/reset", "/account/confirm", "/verify", "/offline", "/offline?queued=1", "/offline?outbox=1", "/audit/checkpoints"];
  for (const slug of ["rufisque", "labe"]) {
    urls.push(`/${slug}/services`, `/${slug}/suivi`, `/${slug}/audit/checkpoints`, `/${slug}/participation`, `/${slug}/participation/verify`, `/${slug}/participation/plan-action-local-2027`);
    const proposals = await db.query<{ id: string }>(
      "SELECT p.id FROM proposals p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = $1 AND p.hidden_at IS NULL ORDER BY p.created_at",
      [slug],
    );
    assert.ok(proposals.length >= 3, `the demo data of ${slug} has a live process with proposals`);
    urls.push(...proposals.map((row) => `/${slug}/participation/plan-action-local-2027/proposals/${row.id}`));
    const meetings = await db.query<{ id: string }>(
      "SELECT mt.id FROM meetings mt JOIN municipalities m ON m.id = mt.municipality_id WHERE m.slug = $1 AND mt.status = 'published' ORDER BY mt.starts_at",
      [slug],
    );
    assert.ok(meetings.length >= 3, `the demo data of ${slug} has public meetings`);
    urls.push(`/${slug}/meetings`, ...meetings.map((row) => `/${slug}/meetings/${row.id}`));
    const [survey] = await db.query<{ id: string }>("SELECT s.id FROM surveys s JOIN municipalities m ON m.id = s.municipality_id WHERE m.slug = $1", [slug]);
    const [budget] = await db.query<{ id: string }>("SELECT b.id FROM budgets b JOIN municipalities m ON m.id = b.municipality_id WHERE m.slug = $1", [slug]);
    assert.ok(survey && budget, `the demo data of ${slug} has a survey and a participatory budget`);
    urls.push(`/${slug}/participation/plan-action-local-2027/surveys/${survey.id}`, `/${slug}/participation/budget-participatif-2027`, `/${slug}/participation/budget-participatif-2027/budgets/${budget.id}`);
    const procedures = await db.query<{ slug: string }>(
      "SELECT p.slug FROM procedures p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = $1 AND p.status = 'published' ORDER BY p.slug",
      [slug],
    );
    assert.ok(procedures.length >= 6, `the demo data of ${slug} has its six procedures`);
    urls.push(...procedures.map((row) => `/${slug}/services/${row.slug}`));
  }
  const certificates = await db.query<{ number: string }>("SELECT number FROM certificates ORDER BY number LIMIT 2");
  urls.push(...certificates.map((row) => `/verify/${row.number}`));
  for (const slug of ["rufisque", "bissau"]) {
    urls.push(`/${slug}/`, `/${slug}/news`, `/${slug}/pages`, `/${slug}/data`, `/${slug}/data?theme=EDUC&format=CSV`);
    const datasets = await db.query<{ slug: string }>(
      "SELECT d.slug FROM datasets d JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = $1 AND d.status = 'published' ORDER BY d.slug",
      [slug],
    );
    urls.push(...datasets.map((row) => `/${slug}/data/${row.slug}`));
    const resources = await db.query<{ dataset: string; id: string }>(
      `SELECT d.slug AS dataset, r.id FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id JOIN municipalities m ON m.id = d.municipality_id
       WHERE m.slug = $1 AND d.status = 'published' ORDER BY d.slug`,
      [slug],
    );
    urls.push(...resources.map((row) => `/${slug}/data/${row.dataset}/resources/${row.id}`));
    const news = await db.query<{ id: string }>(
      "SELECT n.id FROM news n JOIN municipalities m ON m.id = n.municipality_id WHERE m.slug = $1 AND n.status = 'published' ORDER BY n.published_at DESC",
      [slug],
    );
    const pages = await db.query<{ slug: string }>(
      "SELECT p.slug FROM pages p JOIN municipalities m ON m.id = p.municipality_id WHERE m.slug = $1 AND p.status = 'published' ORDER BY p.slug",
      [slug],
    );
    assert.ok(news.length > 0 && pages.length > 0, `the demo data of ${slug} has published news and pages`);
    urls.push(...news.map((row) => `/${slug}/news/${row.id}`), ...pages.map((row) => `/${slug}/pages/${row.slug}`));
  }
  return urls;
}

/** Pages that need an account, with the demo account whose role opens them. */
export interface SignedInPages {
  /** Who signs in, as the test names them. */
  role: string;
  identifier: string;
  urls: string[];
}

async function firstId(db: Db, sql: string, what: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(sql, []);
  assert.ok(row, `the demo data has ${what}`);
  return row.id;
}

/**
 * The back office and a resident's own pages of Rufisque, each with the demo role that works
 * there: the pages staff use at the counter on a phone as much as the public ones.
 */
export async function signedInPages(db: Db): Promise<SignedInPages[]> {
  const rufisque = "(SELECT id FROM municipalities WHERE slug = 'rufisque')";
  const ownDossier = await firstId(
    db,
    `SELECT d.id FROM dossiers d JOIN users u ON u.id = d.applicant_id WHERE d.municipality_id = ${rufisque} AND u.phone = '${DEMO.rufisque.citizen}' ORDER BY d.created_at LIMIT 1`,
    "a dossier of Rufisque's demo resident",
  );
  const dossier = await firstId(db, `SELECT id FROM dossiers WHERE municipality_id = ${rufisque} AND state = 'under_instruction' LIMIT 1`, "a dossier under instruction");
  const procedure = await firstId(db, `SELECT id FROM procedures WHERE municipality_id = ${rufisque} ORDER BY slug LIMIT 1`, "a procedure");
  const process = await firstId(db, `SELECT id FROM processes WHERE municipality_id = ${rufisque} ORDER BY slug LIMIT 1`, "a participation process");
  const survey = await firstId(db, `SELECT id FROM surveys WHERE municipality_id = ${rufisque} LIMIT 1`, "a survey");
  const budget = await firstId(db, `SELECT id FROM budgets WHERE municipality_id = ${rufisque} LIMIT 1`, "a participatory budget");
  const meeting = await firstId(db, `SELECT id FROM meetings WHERE municipality_id = ${rufisque} ORDER BY starts_at LIMIT 1`, "a meeting");
  const dataset = await firstId(db, `SELECT id FROM datasets WHERE municipality_id = ${rufisque} ORDER BY slug LIMIT 1`, "a dataset");
  const news = await firstId(db, `SELECT id FROM news WHERE municipality_id = ${rufisque} ORDER BY published_at DESC NULLS LAST LIMIT 1`, "a news item");
  const page = await firstId(db, `SELECT id FROM pages WHERE municipality_id = ${rufisque} ORDER BY slug LIMIT 1`, "a page");
  return [
    { role: "resident", identifier: DEMO.rufisque.citizen, urls: ["/account", "/rufisque/dossiers", `/rufisque/dossiers/${ownDossier}`] },
    {
      role: "agent",
      identifier: DEMO.rufisque.agent,
      urls: ["/rufisque/admin/dossiers", "/rufisque/admin/dossiers?state=all", `/rufisque/admin/dossiers/${dossier}`, "/rufisque/admin/counter", "/rufisque/admin/counter?procedure=certificat-residence", "/rufisque/admin/residents"],
    },
    {
      role: "editor",
      identifier: DEMO.rufisque.editor,
      urls: [
        "/rufisque/admin",
        "/rufisque/admin/news",
        "/rufisque/admin/news/new",
        `/rufisque/admin/news/${news}/edit`,
        "/rufisque/admin/pages",
        `/rufisque/admin/pages/${page}/edit`,
        "/rufisque/admin/data",
        "/rufisque/admin/data/new",
        `/rufisque/admin/data/${dataset}/edit`,
      ],
    },
    {
      role: "administrator",
      identifier: DEMO.rufisque.administrator,
      urls: [
        "/rufisque/admin/members",
        "/rufisque/admin/officials",
        "/rufisque/admin/services",
        "/rufisque/admin/services/new",
        `/rufisque/admin/services/${procedure}`,
        "/rufisque/admin/keys",
        "/rufisque/admin/participation",
        "/rufisque/admin/participation/new",
        `/rufisque/admin/participation/${process}`,
        `/rufisque/admin/participation/${process}/surveys`,
        `/rufisque/admin/participation/${process}/budgets`,
        `/rufisque/admin/surveys/${survey}`,
        `/rufisque/admin/budgets/${budget}`,
        "/rufisque/admin/moderation",
        "/rufisque/admin/meetings",
        "/rufisque/admin/meetings/new",
        `/rufisque/admin/meetings/${meeting}`,
        `/rufisque/admin/meetings/${meeting}/attendance`,
      ],
    },
    { role: "network superadmin", identifier: DEMO.network.superadmin, urls: ["/admin/municipalities"] },
  ];
}
