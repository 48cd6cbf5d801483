import { publicTexts as publicTextsOf, sitemapEntries } from "./store.js";
import type { AppModule } from "../../core/modules.js";
import { seedOpenDataDemo } from "./demo.js";
import { OPENDATA_REASONS } from "./reasons.js";
import { opendataRoutes } from "./routes.js";
import { countPublishedDatasets, listPublishedDatasetsOf } from "./store.js";

export { loadResourceTable } from "./service.js";

/** Each municipality's open-data portal and the network's catalogue. */
export const opendataModule: AppModule = {
  name: "opendata",
  plugin: opendataRoutes,
  reasons: OPENDATA_REASONS,
  nav: [{ href: (m) => `/${m.slug}/data`, labelKey: "opendata.nav.data" }],
  messages: [new URL("./messages/", import.meta.url)],
  seed: seedOpenDataDemo,
  figures: async (db, ids) => [{ key: "datasets", labelKey: "opendata.figures.datasets", value: await countPublishedDatasets(db, ids) }],
  audit: {
    actions: {
      "opendata.dataset.create": "opendata.audit.dataset_create",
      "opendata.dataset.edit": "opendata.audit.dataset_edit",
      "opendata.dataset.publish": "opendata.audit.dataset_publish",
      "opendata.dataset.unpublish": "opendata.audit.dataset_unpublish",
      "opendata.resource.add": "opendata.audit.resource_add",
      "opendata.resource.remove": "opendata.audit.resource_remove",
      "opendata.resource.replace": "opendata.audit.resource_replace",
      "opendata.resource.schema": "opendata.audit.resource_schema",
    },
    subjects: {
      dataset: ({ municipality, subjectId }) => (municipality ? `/${municipality.slug}/admin/data/${subjectId}/edit` : undefined),
    },
  },
  publicTexts: (db, municipalityId) => publicTextsOf(db, municipalityId),
  sitemap: (db, m) => sitemapEntries(db, m.id, m.slug),
  exports: [
    { key: "catalog_ttl", titleKey: "opendata.exports.catalog", format: "Turtle", mediaType: "text/turtle", per: "municipality", path: (m) => `/${m.slug}/catalog.ttl` },
    { key: "catalog_jsonld", titleKey: "opendata.exports.catalog", format: "JSON-LD", mediaType: "application/ld+json", per: "municipality", path: (m) => `/${m.slug}/catalog.jsonld` },
    {
      key: "datapackage",
      titleKey: "opendata.exports.datapackage",
      format: "Data Package",
      mediaType: "application/json",
      per: "dataset",
      items: async (db, m) => (await listPublishedDatasetsOf(db, [m.id])).map((dataset) => ({ title: dataset.title, path: `/${m.slug}/data/${dataset.slug}/datapackage.json` })),
    },
  ],
};
