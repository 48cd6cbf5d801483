import { Type, type TSchema } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { MunicipalityParams, ProblemSchema } from "../../core/http/api-schemas.js";
import type { OpenApiPathItem } from "../../core/http/plugins/openapi.js";
import { ckanActions } from "./api.js";

/*
 * The open-data interfaces in the OpenAPI description. The CKAN Action API is one route for every
 * action; each action is described here as its own path, for every action the ACTIONS table of
 * api.ts answers (test/openapi.test.ts fails when an action has no description below). DCAT
 * catalogues and data packages are described with their media types.
 */

interface Parameter {
  name: string;
  description: string;
  schema?: TSchema;
  required?: boolean;
}

const text = (description: string, required = false): Omit<Parameter, "name"> => ({ description, required });
const natural = (description: string): Omit<Parameter, "name"> => ({ description, schema: Type.Integer({ minimum: 0 }) });
const flag = (description: string): Omit<Parameter, "name"> => ({ description, schema: Type.Boolean() });
const params = (entries: Record<string, Omit<Parameter, "name">>): Parameter[] => Object.entries(entries).map(([name, parameter]) => ({ name, ...parameter }));

const PAGING = { limit: natural("How many to return."), offset: natural("How many to skip.") };

const Tag = Type.Object({ id: Type.Optional(Type.String()), name: Type.String(), display_name: Type.String(), vocabulary_id: Type.Optional(Type.Union([Type.String(), Type.Null()])) });
const Organization = Type.Object(
  { id: Type.String({ format: "uuid" }), name: Type.String({ description: "The municipality's slug." }), title: Type.String(), description: Type.String(), is_organization: Type.Boolean(), package_count: Type.Optional(Type.Integer()) },
  { description: "A municipality, as a CKAN organization." },
);
const Group = Type.Object({ id: Type.String(), name: Type.String(), title: Type.String(), is_organization: Type.Boolean(), package_count: Type.Optional(Type.Integer()) }, { description: "A DCAT-AP data theme, as a CKAN group." });
const Resource = Type.Object({
  id: Type.String({ format: "uuid" }),
  package_id: Type.String({ format: "uuid" }),
  name: Type.String(),
  description: Type.String(),
  format: Type.String(),
  url: Type.String(),
  datastore_active: Type.Boolean({ description: "Whether datastore_search serves its rows." }),
});
const Package = Type.Object(
  {
    id: Type.String({ format: "uuid" }),
    name: Type.String({ description: "municipality--dataset" }),
    title: Type.String(),
    notes: Type.String(),
    license_id: Type.String(),
    metadata_created: Type.String(),
    metadata_modified: Type.String(),
    organization: Organization,
    owner_org: Type.String({ format: "uuid" }),
    tags: Type.Array(Tag),
    groups: Type.Array(Group),
    resources: Type.Array(Resource),
    extras: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
  },
  { description: "A published dataset, as CKAN's package dict." },
);
const Facets = Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer()));
const SearchResult = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  sort: Type.String(),
  facets: Facets,
  search_facets: Type.Record(Type.String(), Type.Object({ title: Type.String(), items: Type.Array(Type.Object({ name: Type.String(), display_name: Type.String(), count: Type.Integer() })) })),
  results: Type.Array(Package),
});
const DatastoreResult = Type.Object({
  resource_id: Type.String({ format: "uuid" }),
  fields: Type.Array(Type.Object({ id: Type.String(), type: Type.String() })),
  records: Type.Array(Type.Unknown(), { description: "Objects or lists, as records_format asks; a string for csv and tsv." }),
  total: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Integer(),
  offset: Type.Optional(Type.Integer()),
  _links: Type.Object({ start: Type.String(), next: Type.String() }),
});
const Names = Type.Array(Type.String());

interface ActionDoc {
  summary: string;
  parameters: Parameter[];
  result: TSchema;
}

/**
 * A description for every action, including those CKAN clients call that this API may answer:
 * an entry for an action the table does not hold is not published.
 */
export const CKAN_ACTION_DOCS: Record<string, ActionDoc> = {
  site_read: { summary: "Whether the site can be read", parameters: [], result: Type.Boolean() },
  status_show: {
    summary: "The site's title, description, locale and CKAN version",
    parameters: [],
    result: Type.Object({ site_url: Type.String(), site_title: Type.String(), ckan_version: Type.String(), api_version: Type.Optional(Type.Integer()), extensions: Type.Array(Type.String()) }),
  },
  help_show: { summary: "The help text of an action", parameters: params({ name: text("The action's name.", true) }), result: Type.String() },
  license_list: { summary: "The licences datasets are published under", parameters: [], result: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), url: Type.String() })) },
  package_list: { summary: "Names of the published datasets", parameters: params(PAGING), result: Names },
  current_package_list_with_resources: {
    summary: "Published datasets with their resources, the latest modified first",
    parameters: params({ ...PAGING, page: natural("The page, from 1, of `limit` datasets.") }),
    result: Type.Array(Package),
  },
  package_show: { summary: "A published dataset", parameters: params({ id: text("The dataset's name or id.", true) }), result: Package },
  package_autocomplete: {
    summary: "Datasets whose name or title matches the start of a word",
    parameters: params({ q: text("What was typed.", true), limit: natural("How many to return.") }),
    result: Type.Array(Type.Object({ name: Type.String(), title: Type.String(), match_field: Type.String(), match_displayed: Type.String() })),
  },
  package_search: {
    summary: "Search the published datasets",
    parameters: params({
      q: text("Words to search for (Solr syntax; `*:*` for all)."),
      fq: text("Filters in Solr syntax, e.g. `organization:rufisque +tags:budget`."),
      rows: natural("How many datasets to return (at most 1000)."),
      start: natural("How many to skip."),
      sort: text("Sort keys with asc or desc, comma separated, e.g. `metadata_modified desc`."),
      "facet.field": text('The fields to count, as a JSON list, e.g. `["organization","tags"]`.'),
      "facet.limit": { description: "How many values of each facet; -1 for all.", schema: Type.Integer({ minimum: -1 }) },
    }),
    result: SearchResult,
  },
  organization_list: { summary: "The municipalities, as CKAN organizations", parameters: params({ all_fields: flag("Whole dicts instead of names."), ...PAGING }), result: Type.Array(Type.Union([Type.String(), Organization])) },
  organization_show: {
    summary: "A municipality, as a CKAN organization",
    parameters: params({ id: text("The municipality's slug or id.", true), include_datasets: flag("Include its published datasets.") }),
    result: Organization,
  },
  group_list: { summary: "The data themes, as CKAN groups", parameters: params({ all_fields: flag("Whole dicts instead of names."), ...PAGING }), result: Type.Array(Type.Union([Type.String(), Group])) },
  group_show: { summary: "A data theme, as a CKAN group", parameters: params({ id: text("The group's name or id.", true), include_datasets: flag("Include its published datasets.") }), result: Group },
  tag_list: { summary: "Tags of the published datasets", parameters: params({ query: text("Tags starting with this."), all_fields: flag("Whole dicts instead of names.") }), result: Type.Array(Type.Union([Type.String(), Tag])) },
  resource_show: { summary: "A resource of a published dataset", parameters: params({ id: text("The resource's id.", true) }), result: Resource },
  datastore_search: {
    summary: "Rows of a resource in the datastore",
    parameters: params({
      resource_id: text("The resource's id.", true),
      filters: text('Column values to match, as a JSON object, e.g. `{"quartier":"Keury Kao"}`.'),
      q: text("Words to find in any text column."),
      fields: text("The columns to return, comma separated."),
      sort: text("Columns with asc or desc, comma separated."),
      limit: natural("How many rows (at most 32000)."),
      offset: natural("How many rows to skip."),
      distinct: flag("Distinct rows only."),
      include_total: flag("Count the matching rows (true unless false)."),
      records_format: text("objects (default), lists, csv or tsv."),
    }),
    result: DatastoreResult,
  },
  datastore_search_sql: {
    summary: "A read-only SQL SELECT over datastore tables",
    parameters: params({ sql: text('One SELECT statement; tables are resource ids, quoted, e.g. `SELECT * FROM "…" LIMIT 5`.', true) }),
    result: Type.Object({ fields: Type.Array(Type.Object({ id: Type.String(), type: Type.String() })), records: Type.Array(Type.Unknown()) }),
  },
};

const ckanEnvelope = (result: TSchema) =>
  Type.Object({ help: Type.String({ format: "uri", description: "Where this action's help text is." }), success: Type.Literal(true), result }, { description: "CKAN's envelope." });

const CkanError = Type.Object(
  {
    help: Type.String({ format: "uri" }),
    success: Type.Literal(false),
    error: Type.Object({ __type: Type.String({ description: "Not Found Error, Validation Error, Bad Request…" }), message: Type.String() }, { additionalProperties: Type.Array(Type.String()) }),
  },
  { description: "CKAN's error envelope (never problem+json)." },
);

const ckanErrors = {
  "400": { description: "An unknown action or a malformed request.", content: { "application/json": { schema: CkanError } } },
  "404": { description: "No such published object.", content: { "application/json": { schema: CkanError } } },
  "409": { description: "A parameter is not valid; the field names the parameter.", content: { "application/json": { schema: CkanError } } },
};

function actionPaths(): Record<string, OpenApiPathItem> {
  const paths: Record<string, OpenApiPathItem> = {};
  for (const { name, help } of ckanActions()) {
    const doc = CKAN_ACTION_DOCS[name];
    // Undescribed actions are left out here; the tests name them.
    if (!doc) continue;
    const responses = { "200": { description: "The action's result.", content: { "application/json": { schema: ckanEnvelope(doc.result) } } }, ...ckanErrors };
    const common = { tags: ["ckan"], summary: doc.summary, description: help, security: [] };
    paths[`/api/3/action/${name}`] = {
      get: {
        ...common,
        operationId: `ckan_${name}`,
        parameters: doc.parameters.map((parameter) => ({ name: parameter.name, in: "query", required: parameter.required ?? false, description: parameter.description, schema: parameter.schema ?? Type.String() })),
        responses,
      },
      post: {
        ...common,
        operationId: `ckan_${name}_post`,
        description: `${help} The parameters may also come as a JSON object in the body, as CKAN clients send them; no CSRF token is needed.`,
        requestBody: {
          required: false,
          content: {
            "application/json": {
              schema: Type.Object(Object.fromEntries(doc.parameters.map((parameter) => [parameter.name, { ...(parameter.schema ?? Type.String()), description: parameter.description }])), {
                required: doc.parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
              }),
            },
          },
        },
        responses,
      },
    };
  }
  return paths;
}

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ProblemSchema } } });
const slugParameter = { name: "slug", in: "path", required: true, description: MunicipalityParams.properties.slug.description, schema: Type.String() };
const Catalogue = Type.Object({ "@context": Type.Record(Type.String(), Type.String()), "@graph": Type.Array(Type.Record(Type.String(), Type.Unknown())) }, { description: "DCAT-AP 3.0 as JSON-LD." });

function catalogue(scope: "network" | "municipality", format: "ttl" | "jsonld"): OpenApiPathItem {
  const who = scope === "network" ? "every municipality of the network" : "one municipality";
  return {
    get: {
      tags: ["opendata"],
      operationId: `${scope}Catalogue${format === "ttl" ? "Turtle" : "JsonLd"}`,
      summary: `The DCAT-AP 3.0 catalogue of ${who}, in ${format === "ttl" ? "Turtle" : "JSON-LD"}`,
      description: "Published datasets only, with their distributions; the Turtle and JSON-LD catalogues carry the same triples.",
      security: [],
      parameters: scope === "municipality" ? [slugParameter] : [],
      responses: {
        "200": {
          description: "The catalogue.",
          content: format === "ttl" ? { "text/turtle": { schema: Type.String() } } : { "application/ld+json": { schema: Catalogue } },
        },
        ...(scope === "municipality" ? { "404": problem("No such municipality.") } : { "400": problem("The address holds characters that are not valid.") }),
      },
    },
  };
}

const DataPackage = Type.Object(
  {
    profile: Type.Union([Type.Literal("tabular-data-package"), Type.Literal("data-package")], { description: "tabular-data-package when every resource has a Table Schema." }),
    name: Type.String(),
    title: Type.String(),
    licenses: Type.Array(Type.Object({ name: Type.String(), path: Type.String(), title: Type.String() })),
    resources: Type.Array(
      Type.Object({
        profile: Type.Optional(Type.Literal("tabular-data-resource")),
        name: Type.String(),
        path: Type.String(),
        format: Type.String(),
        schema: Type.Optional(Type.Object({ fields: Type.Array(Type.Object({ name: Type.String(), title: Type.String(), type: Type.String() })) }, { description: "The Table Schema the datastore loaded the rows with." })),
      }),
    ),
  },
  { description: "A Frictionless Data Package (v1)." },
);

/** Adds the open-data interfaces to the OpenAPI description. */
export function describeOpendataApi(app: FastifyInstance): void {
  app.describePaths({
    ...actionPaths(),
    "/catalog.ttl": catalogue("network", "ttl"),
    "/catalog.jsonld": catalogue("network", "jsonld"),
    "/:slug/catalog.ttl": catalogue("municipality", "ttl"),
    "/:slug/catalog.jsonld": catalogue("municipality", "jsonld"),
    "/:slug/data/:dataset/datapackage.json": {
      get: {
        tags: ["opendata"],
        operationId: "getDataPackage",
        summary: "A published dataset as a Frictionless data package",
        description: "Datastore resources are tabular data resources, with the Table Schema the datastore uses; their path is the rows as CSV.",
        security: [],
        parameters: [slugParameter, { name: "dataset", in: "path", required: true, description: "The dataset's slug.", schema: Type.String() }],
        responses: { "200": { description: "The data package.", content: { "application/json": { schema: DataPackage } } }, "404": problem("No such municipality or published dataset.") },
      },
    },
  });
}
