import type { PublicText, SitemapEntry } from "../../core/modules.js";
import type { Queryable } from "../../core/db/index.js";
import type { MunicipalRole } from "../../core/auth/roles.js";

export type PublicationStatus = "draft" | "published";

export interface NewsRow {
  municipality_id: string;
  id: string;
  title: string;
  summary: string;
  body: string;
  language: string;
  status: PublicationStatus;
  published_at: Date | null;
  updated_at: Date;
  attachment_id: string | null;
}

export interface PageRow {
  municipality_id: string;
  id: string;
  slug: string;
  title: string;
  body: string;
  language: string;
  status: PublicationStatus;
  published_at: Date | null;
  updated_at: Date;
}

export interface OfficialRow {
  municipality_id: string;
  id: string;
  name: string;
  title: string;
  position: number;
}

export interface MemberRow {
  user_id: string;
  name: string;
  phone: string | null;
  email: string | null;
  roles: MunicipalRole[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

export async function listPublishedNews(db: Queryable, municipalityId: string, limit: number, offset = 0): Promise<NewsRow[]> {
  return db.query<NewsRow>(
    `SELECT * FROM news WHERE municipality_id = $1 AND status = 'published' ORDER BY published_at DESC, id LIMIT $2 OFFSET $3`,
    [municipalityId, limit, offset],
  );
}

/** The newest published news of these municipalities together, for the network's home page. */
export async function listPublishedNewsOf(db: Queryable, municipalityIds: string[], limit: number): Promise<NewsRow[]> {
  return db.query<NewsRow>(`SELECT * FROM news WHERE municipality_id = ANY($1::uuid[]) AND status = 'published' ORDER BY published_at DESC, id LIMIT $2`, [municipalityIds, limit]);
}

export async function listAllNews(db: Queryable, municipalityId: string, limit: number, offset = 0): Promise<NewsRow[]> {
  return db.query<NewsRow>(`SELECT * FROM news WHERE municipality_id = $1 ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3`, [municipalityId, limit, offset]);
}

export async function getNews(db: Queryable, municipalityId: string, id: string): Promise<NewsRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query<NewsRow>("SELECT * FROM news WHERE municipality_id = $1 AND id = $2", [municipalityId, id]);
  return row;
}

export interface NewsInput {
  title: string;
  summary: string;
  body: string;
  language: string;
}

export async function insertNews(db: Queryable, municipalityId: string, input: NewsInput, authorId: string): Promise<NewsRow> {
  const [row] = await db.query<NewsRow>(
    `INSERT INTO news (municipality_id, title, summary, body, language, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
    [municipalityId, input.title, input.summary, input.body, input.language, authorId],
  );
  return row!;
}

export async function updateNews(db: Queryable, municipalityId: string, id: string, input: NewsInput, editorId: string): Promise<NewsRow | undefined> {
  const [row] = await db.query<NewsRow>(
    `UPDATE news SET title = $3, summary = $4, body = $5, language = $6, updated_by = $7, updated_at = now()
     WHERE municipality_id = $1 AND id = $2 RETURNING *`,
    [municipalityId, id, input.title, input.summary, input.body, input.language, editorId],
  );
  return row;
}

export async function setNewsStatus(db: Queryable, municipalityId: string, id: string, status: PublicationStatus, editorId: string): Promise<NewsRow | undefined> {
  const [row] = await db.query<NewsRow>(
    `UPDATE news SET status = $3, published_at = CASE WHEN $3 = 'published' THEN coalesce(published_at, now()) ELSE published_at END,
       updated_by = $4, updated_at = now()
     WHERE municipality_id = $1 AND id = $2 RETURNING *`,
    [municipalityId, id, status, editorId],
  );
  return row;
}

export async function listPublishedPages(db: Queryable, municipalityId: string): Promise<PageRow[]> {
  return db.query<PageRow>(`SELECT * FROM pages WHERE municipality_id = $1 AND status = 'published' ORDER BY title`, [municipalityId]);
}

export async function listAllPages(db: Queryable, municipalityId: string): Promise<PageRow[]> {
  return db.query<PageRow>(`SELECT * FROM pages WHERE municipality_id = $1 ORDER BY title`, [municipalityId]);
}

export async function getPage(db: Queryable, municipalityId: string, id: string): Promise<PageRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query<PageRow>("SELECT * FROM pages WHERE municipality_id = $1 AND id = $2", [municipalityId, id]);
  return row;
}

export async function getPageBySlug(db: Queryable, municipalityId: string, slug: string): Promise<PageRow | undefined> {
  const [row] = await db.query<PageRow>("SELECT * FROM pages WHERE municipality_id = $1 AND slug = $2", [municipalityId, slug]);
  return row;
}

export interface PageInput {
  slug: string;
  title: string;
  body: string;
  language: string;
}

export async function insertPage(db: Queryable, municipalityId: string, input: PageInput, authorId: string): Promise<PageRow> {
  const [row] = await db.query<PageRow>(
    `INSERT INTO pages (municipality_id, slug, title, body, language, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
    [municipalityId, input.slug, input.title, input.body, input.language, authorId],
  );
  return row!;
}

export async function updatePage(db: Queryable, municipalityId: string, id: string, input: PageInput, editorId: string): Promise<PageRow | undefined> {
  const [row] = await db.query<PageRow>(
    `UPDATE pages SET slug = $3, title = $4, body = $5, language = $6, updated_by = $7, updated_at = now()
     WHERE municipality_id = $1 AND id = $2 RETURNING *`,
    [municipalityId, id, input.slug, input.title, input.body, input.language, editorId],
  );
  return row;
}

export async function setPageStatus(db: Queryable, municipalityId: string, id: string, status: PublicationStatus, editorId: string): Promise<PageRow | undefined> {
  const [row] = await db.query<PageRow>(
    `UPDATE pages SET status = $3, published_at = CASE WHEN $3 = 'published' THEN coalesce(published_at, now()) ELSE published_at END,
       updated_by = $4, updated_at = now()
     WHERE municipality_id = $1 AND id = $2 RETURNING *`,
    [municipalityId, id, status, editorId],
  );
  return row;
}

export async function listOfficials(db: Queryable, municipalityId: string): Promise<OfficialRow[]> {
  return db.query<OfficialRow>("SELECT * FROM officials WHERE municipality_id = $1 ORDER BY position, name", [municipalityId]);
}

export async function insertOfficial(db: Queryable, municipalityId: string, input: { name: string; title: string; position: number }): Promise<OfficialRow> {
  const [row] = await db.query<OfficialRow>(
    "INSERT INTO officials (municipality_id, name, title, position) VALUES ($1, $2, $3, $4) RETURNING *",
    [municipalityId, input.name, input.title, input.position],
  );
  return row!;
}

export async function deleteOfficial(db: Queryable, municipalityId: string, id: string): Promise<OfficialRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query<OfficialRow>("DELETE FROM officials WHERE municipality_id = $1 AND id = $2 RETURNING *", [municipalityId, id]);
  return row;
}

export async function listMembers(db: Queryable, municipalityId: string): Promise<MemberRow[]> {
  return db.query<MemberRow>(
    `SELECT u.id AS user_id, u.name, u.phone, u.email, array_agg(r.role ORDER BY r.role) AS roles
     FROM municipal_roles r JOIN users u ON u.id = r.user_id
     WHERE r.municipality_id = $1 AND r.role <> 'citizen'
     GROUP BY u.id ORDER BY u.name`,
    [municipalityId],
  );
}

/** How many news items the back office holds, by publication status. */
export async function countNewsByStatus(db: Queryable, municipalityId: string): Promise<{ drafts: number; published: number }> {
  const [row] = await db.query<{ drafts: number; published: number }>(
    `SELECT count(*) FILTER (WHERE status = 'draft')::int AS drafts, count(*) FILTER (WHERE status = 'published')::int AS published
     FROM news WHERE municipality_id = $1`,
    [municipalityId],
  );
  return { drafts: row?.drafts ?? 0, published: row?.published ?? 0 };
}

export async function countCitizens(db: Queryable, municipalityId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM municipal_roles WHERE municipality_id = $1 AND role = 'citizen'", [municipalityId]);
  return row?.n ?? 0;
}

export async function setNewsAttachment(db: Queryable, municipalityId: string, id: string, fileId: string | null): Promise<void> {
  await db.query("UPDATE news SET attachment_id = $3 WHERE municipality_id = $1 AND id = $2", [municipalityId, id, fileId]);
}

/** "published" when a published news item carries the file, "draft" when only others do, undefined when none. */
export async function newsAttachmentStatus(db: Queryable, municipalityId: string, fileId: string): Promise<"published" | "draft" | undefined> {
  const [row] = await db.query<{ published: boolean }>(
    "SELECT bool_or(status = 'published') AS published FROM news WHERE municipality_id = $1 AND attachment_id = $2 HAVING count(*) > 0",
    [municipalityId, fileId],
  );
  return row ? (row.published ? "published" : "draft") : undefined;
}

/** Whether a municipality of the network already has this slug (its URL). */
export async function municipalitySlugTaken(db: Queryable, slug: string): Promise<boolean> {
  const [row] = await db.query("SELECT 1 FROM municipalities WHERE slug = $1", [slug]);
  return row !== undefined;
}

/** Whether a municipality of the network already has this reference code (the prefix of its dossier numbers). */
export async function referenceCodeTaken(db: Queryable, referenceCode: string): Promise<boolean> {
  const [row] = await db.query("SELECT 1 FROM municipalities WHERE reference_code = $1", [referenceCode]);
  return row !== undefined;
}

/** What the public reads of the municipality's site: published news and pages, the municipality's description. */
export async function publicTexts(db: Queryable, municipalityId: string): Promise<PublicText[]> {
  return db.query<PublicText>(
    `SELECT 'news: ' || title AS "where", title || E'\n' || summary || E'\n' || body AS text FROM news WHERE municipality_id = $1 AND status = 'published'
     UNION ALL SELECT 'page: ' || title, title || E'\n' || body FROM pages WHERE municipality_id = $1 AND status = 'published'
     UNION ALL SELECT 'description: ' || name, description FROM municipalities WHERE id = $1`,
    [municipalityId],
  );
}

/** The municipality's public pages for its sitemap: home, the lists, each published news item and page. */
export async function sitemapEntries(db: Queryable, municipalityId: string, slug: string): Promise<SitemapEntry[]> {
  const rows = await db.query<{ path: string; modified: Date | null }>(
    `SELECT '/news/' || id AS path, updated_at AS modified FROM news WHERE municipality_id = $1 AND status = 'published'
     UNION ALL SELECT '/pages/' || slug, updated_at FROM pages WHERE municipality_id = $1 AND status = 'published'
     ORDER BY path`,
    [municipalityId],
  );
  return [{ path: `/${slug}/` }, { path: `/${slug}/news` }, { path: `/${slug}/pages` }, ...rows.map((row) => ({ path: `/${slug}${row.path}`, modified: row.modified }))];
}
