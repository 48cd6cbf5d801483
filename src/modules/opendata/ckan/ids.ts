import { createHash } from "node:crypto";

/**
 * Stable UUIDs for what CKAN identifies by UUID and this platform by name (themes as groups, tags,
 * a dataset's creator). Name-based (RFC 9562 version 5), so every deployment gives the same id to
 * the same thing and a harvester sees no change between two runs. Written out rather than taken from
 * the `uuid` package, which is only a transitive dependency here; it is ten lines of the RFC.
 */
const URL_NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

export function uuidV5(name: string, namespace = URL_NAMESPACE): string {
  const hash = createHash("sha1").update(Buffer.from(namespace.replace(/-/g, ""), "hex")).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A theme's group id, from its EU authority URI. */
export const groupId = (themeUri: string) => uuidV5(themeUri);
export const tagId = (tag: string) => uuidV5(`https://cite-ouverte.org/ckan/tag/${encodeURIComponent(tag)}`);
/**
 * CKAN names the account that created a dataset; here that would name a person. The municipality
 * publishes, so the "creator" is one fixed id per municipality, derived from its public id.
 */
export const creatorId = (municipalityId: string) => uuidV5(`https://cite-ouverte.org/ckan/publisher/${municipalityId}`);
