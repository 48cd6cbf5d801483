import type { Queryable } from "../db/index.js";

export interface Municipality {
  id: string;
  slug: string;
  /** Leads the references of its dossiers and documents (RUF-2026-00042): unique in the network. */
  reference_code: string;
  name: string;
  country_code: string;
  region: string;
  time_zone: string;
  currency: string;
  languages: string[];
  population: number | null;
  description: string;
  /** The identity colour its administrator chose (#rrggbb), or null for the network's. */
  brand_color: string | null;
  /** Where its dot goes on the network's map (WGS 84 degrees), when known. */
  latitude: number | null;
  longitude: number | null;
}

export interface Network {
  id: string;
  slug: string;
  name: string;
  description: string;
}

/** First path segments that belong to the platform, never to a municipality. */
export const RESERVED_SLUGS = new Set(["account", "api", "data", "lab", "assets", "admin", "healthz", "lang", "catalog", "open311", "sw.js", "favicon.ico", "robots.txt", "verify", "offline", "audit"]);

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** RUF, LAB, KOU2: a capital letter, then up to seven capitals or digits (the column's CHECK). */
export const REFERENCE_CODE_PATTERN = /^[A-Z][A-Z0-9]{1,7}$/;

export async function findMunicipalityBySlug(db: Queryable, slug: string): Promise<Municipality | undefined> {
  if (!SLUG_PATTERN.test(slug) || RESERVED_SLUGS.has(slug)) return undefined;
  const [row] = await db.query<Municipality>("SELECT * FROM municipalities WHERE slug = $1", [slug]);
  return row;
}

/** The municipality and its network in one round trip: every municipal page needs both. */
export async function findMunicipalityWithNetwork(db: Queryable, slug: string): Promise<{ municipality: Municipality; network: Network | null } | undefined> {
  if (!SLUG_PATTERN.test(slug) || RESERVED_SLUGS.has(slug)) return undefined;
  const [row] = await db.query<Municipality & { network: Network | null }>(
    `SELECT m.*, CASE WHEN n.id IS NULL THEN NULL ELSE jsonb_build_object('id', n.id, 'slug', n.slug, 'name', n.name, 'description', n.description) END AS network
     FROM municipalities m LEFT JOIN network n ON n.id = m.network_id WHERE m.slug = $1`,
    [slug],
  );
  if (!row) return undefined;
  const { network, ...municipality } = row;
  return { municipality, network };
}

export async function listMunicipalities(db: Queryable): Promise<Municipality[]> {
  return db.query<Municipality>("SELECT * FROM municipalities ORDER BY country_code, name");
}

export async function findMunicipalitiesByIds(db: Queryable, ids: string[]): Promise<Municipality[]> {
  if (ids.length === 0) return [];
  return db.query<Municipality>("SELECT * FROM municipalities WHERE id = ANY($1::uuid[]) ORDER BY name", [ids]);
}

/** Records the municipality's identity colour (#rrggbb, checked by the column), or null for the network's. */
export async function setMunicipalityBrandColor(db: Queryable, municipalityId: string, color: string | null): Promise<Municipality | undefined> {
  const [row] = await db.query<Municipality>("UPDATE municipalities SET brand_color = $2 WHERE id = $1 RETURNING *", [municipalityId, color]);
  return row;
}

export async function getNetwork(db: Queryable): Promise<Network | undefined> {
  const [row] = await db.query<Network>("SELECT id, slug, name, description FROM network ORDER BY created_at LIMIT 1");
  return row;
}

/** Message keys naming each country of the network (the catalogue test needs them literal). */
export const COUNTRY_LABEL_KEYS: Record<string, string> = {
  SN: "country.SN",
  GN: "country.GN",
  GW: "country.GW",
  NE: "country.NE",
};

export interface Country {
  code: string;
  calling_code: string;
  currency: string;
}

export async function listCountries(db: Queryable): Promise<Country[]> {
  return db.query<Country>("SELECT code, calling_code, currency FROM countries ORDER BY code");
}

/** Time zones offered when a municipality joins: every African zone the runtime knows. */
export function africanTimeZones(): string[] {
  return Intl.supportedValuesOf("timeZone").filter((zone) => zone.startsWith("Africa/"));
}

export interface NewMunicipality {
  slug: string;
  referenceCode: string;
  name: string;
  countryCode: string;
  region: string;
  timeZone: string;
  languages: string[];
  description: string;
}

export async function insertMunicipality(db: Queryable, input: NewMunicipality, networkId: string | null): Promise<Municipality> {
  const [row] = await db.query<Municipality>(
    `INSERT INTO municipalities (slug, reference_code, name, country_code, region, time_zone, currency, languages, description, network_id)
     SELECT $1, $9, $2, c.code, $4, $5, c.currency, $6, $7, $8 FROM countries c WHERE c.code = $3
     RETURNING *`,
    [input.slug, input.name, input.countryCode, input.region, input.timeZone, input.languages, input.description, networkId, input.referenceCode],
  );
  if (!row) throw new Error(`unknown country ${input.countryCode}`);
  return row;
}
