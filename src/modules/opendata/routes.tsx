import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requireAllowed } from "../../core/auth/roles.js";
import { findPendingUpload, findStoredFile, keepPendingUpload, sendStoredFile } from "../../core/files/index.js";
import { AppError, uuidOr404 } from "../../core/http/errors.js";
import { FormReader, withConflictsOnForm } from "../../core/http/forms.js";
import { municipalityExports } from "../../core/modules.js";
import { listMunicipalities, type Municipality } from "../../core/tenancy/index.js";
import { emptyForm, type FormState } from "../../core/views/context.js";
import { opendataApiRoutes } from "./api.js";
import { describeOpendataApi } from "./openapi.js";
import { opendataPolicy } from "./policy.js";
import * as service from "./service.js";
import * as store from "./store.js";
import { AdminDatasetsPage, DatasetFormPage } from "./views/admin.js";
import { DatasetPage, PAGE_SIZE, SearchPage, type SearchParams } from "./views/public.js";
import { dayOf, PREVIEW_ROWS, ResourcePage, type PreviewParams } from "./views/resource.js";
import * as datastore from "./datastore/store.js";
import { svgSize, valueChartSvg } from "../../core/export/chart.js";
import { toXlsx } from "./datastore/xlsx.js";
import { defaultChart } from "./datastore/chart-defaults.js";
import { INTL_LOCALE } from "../../core/i18n/index.js";

/** Rows read to choose a table's default chart: enough to tell codes from measures. */
const CHART_SAMPLE = 200;

function many(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((item): item is string => typeof item === "string" && item.length > 0 && item.length <= 100).slice(0, 20);
}

function readSearchParams(query: Record<string, unknown>): SearchParams {
  const sort = query.sort === "updated" || query.sort === "title" ? query.sort : "relevance";
  const page = typeof query.page === "string" && /^\d{1,5}$/.test(query.page) ? Math.max(1, Number(query.page)) : 1;
  return {
    q: typeof query.q === "string" ? query.q.slice(0, 200) : "",
    themes: many(query.theme),
    tags: many(query.tag),
    formats: many(query.format),
    licences: many(query.licence),
    municipalities: many(query.municipality),
    sort,
    page,
  };
}

function datasetForm(dataset: store.DatasetRow): FormState {
  return emptyForm({
    title: dataset.title,
    slug: dataset.slug,
    description: dataset.description,
    themes: dataset.themes.join(","),
    tags: dataset.tags.join(", "),
    licence: dataset.licence,
    frequency: dataset.frequency,
    spatial: dataset.spatial,
    temporal_start: dataset.temporal_start ?? "",
    temporal_end: dataset.temporal_end ?? "",
    contact_name: dataset.contact_name,
    contact_email: dataset.contact_email,
    language: dataset.language,
  });
}

export async function opendataRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;

  async function searchPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality | null) {
    const params = readSearchParams(request.query as Record<string, unknown>);
    const result = await store.searchDatasets(db, {
      municipalityId: municipality?.id ?? null,
      text: params.q,
      themes: params.themes,
      tags: params.tags,
      formats: params.formats,
      licences: params.licences,
      municipalities: params.municipalities,
      sort: params.sort,
      limit: PAGE_SIZE,
      offset: (params.page - 1) * PAGE_SIZE,
    });
    const names = municipality ? {} : Object.fromEntries((await listMunicipalities(db)).map((m) => [m.slug, m.name]));
    // The municipality's other open files (meetings calendar, statistics…), from every module's manifest;
    // each dataset's own files are on its page.
    const exports = municipality ? await municipalityExports(db, municipality, { except: ["dataset"] }) : [];
    return reply.page(<SearchPage ctx={await request.view()} municipality={municipality} params={params} result={result} names={names} exports={exports} />);
  }

  app.get("/data", async (request, reply) => searchPage(request, reply, null));
  app.get("/:slug/data", async (request, reply) => searchPage(request, reply, request.requireMunicipality()));

  /** A dataset of the URL's municipality; drafts exist only for those who may publish them. */
  async function visibleDataset(request: FastifyRequest, datasetSlug = (request.params as { dataset: string }).dataset): Promise<{ municipality: Municipality; dataset: store.DatasetRow }> {
    const municipality = request.requireMunicipality();
    const dataset = await store.getDatasetBySlug(db, municipality.id, datasetSlug);
    if (!dataset || (dataset.status !== "published" && !opendataPolicy.manageDatasets(request.actor, municipality))) throw new AppError("NOT_FOUND");
    return { municipality, dataset };
  }

  app.get("/:slug/data/:dataset", async (request, reply) => {
    const { municipality, dataset } = await visibleDataset(request);
    const [resources, versions] = await Promise.all([store.listResources(db, municipality.id, [dataset.id]), store.listVersions(db, municipality.id, dataset.id)]);
    const tables = await datastore.findTables(db, municipality.id, resources.map((resource) => resource.id));
    const tabular = new Set(tables.map((table) => table.resource_id));
    return reply.page(<DatasetPage ctx={await request.view()} municipality={municipality} dataset={dataset} resources={resources} versions={versions} tabular={tabular} />);
  });

  function readPreviewParams(query: Record<string, unknown>): PreviewParams {
    const text = (name: string, max: number) => (typeof query[name] === "string" ? (query[name] as string).slice(0, max) : "");
    const page = /^\d{1,6}$/.test(text("page", 7)) ? Math.max(1, Number(text("page", 7))) : 1;
    return {
      q: text("q", 200),
      filterField: text("filter", 60),
      filterValue: text("value", 200),
      sort: text("sort", 60),
      direction: text("dir", 4) === "desc" ? "desc" : "asc",
      page,
      chartX: text("x", 60),
      chartY: text("y", 60),
      chartKind: text("kind", 4) === "line" ? "line" : text("kind", 4) === "bar" ? "bar" : "",
    };
  }

  /** The rows a preview or an export asks for; an unknown column is a 400, not an SQL error. */
  async function previewRows(table: datastore.DatastoreTable, params: PreviewParams, limit: number, offset: number) {
    try {
      return await datastore.queryRows(db, table, {
        filters: params.filterField && params.filterValue ? { [params.filterField]: params.filterValue } : {},
        q: params.q,
        sort: params.sort ? [{ field: params.sort, direction: params.direction }] : [],
        fields: null,
        limit,
        offset,
        distinct: false,
      });
    } catch (error) {
      if (error instanceof datastore.InvalidRowQuery) throw new AppError("VALIDATION", { [error.field]: { key: "form.invalid_choice" } });
      throw error;
    }
  }

  /**
   * The chart a visitor asked for, with what they left out chosen for them: a measure (never a
   * code) against a date or a label, as a line over dates and bars over labels.
   */
  async function withChartDefaults(table: datastore.DatastoreTable | undefined, params: PreviewParams): Promise<PreviewParams> {
    if (!table || (params.chartX && params.chartY && params.chartKind)) return params;
    const fields = table.table_schema.fields;
    const needsSample = !params.chartX || !params.chartY;
    const sample = needsSample ? (await datastore.queryRows(db, table, { filters: {}, q: "", sort: [], fields: null, limit: CHART_SAMPLE, offset: 0, distinct: false })).records : [];
    const chosen = needsSample ? defaultChart(fields, sample) : undefined;
    const chartX = params.chartX || chosen?.x || "";
    const chartY = params.chartY || chosen?.y || "";
    const xType = fields.find((field) => field.name === chartX)?.type;
    return { ...params, chartX, chartY, chartKind: params.chartKind || (xType === "date" ? "line" : "bar") };
  }

  /** The chart as SVG, drawn on the server; an unknown or non-numeric column is a 400. */
  async function chartSvg(request: FastifyRequest, table: datastore.DatastoreTable, resource: store.ResourceRow, params: PreviewParams): Promise<string> {
    let points: { x: unknown; y: number }[];
    try {
      points = await datastore.aggregate(db, table, params.chartX, params.chartY, 100);
    } catch (error) {
      if (error instanceof datastore.InvalidRowQuery) throw new AppError("VALIDATION", { [error.field]: { key: "form.invalid_choice" } });
      throw error;
    }
    const titleOf = (name: string) => table.table_schema.fields.find((field) => field.name === name)?.title ?? name;
    const xIsDate = table.table_schema.fields.find((field) => field.name === params.chartX)?.type === "date";
    return valueChartSvg({
      kind: params.chartKind === "line" ? "line" : "bar",
      points: points.map((point) => {
        const date = xIsDate ? dayOf(point.x) : undefined;
        return { label: date ? request.fmt.date(date, "UTC") : String(point.x), value: Number(point.y), ...(date ? { date } : {}) };
      }),
      title: request.t("opendata.chart.title", { y: titleOf(params.chartY), x: titleOf(params.chartX), resource: resource.name }),
      formatNumber: request.fmt.number,
      locale: INTL_LOCALE[request.locale],
    });
  }

  /** The resource of a public URL, or the one named explicitly (a back-office form re-rendering it). */
  async function visibleResource(request: FastifyRequest, named?: { datasetSlug: string; resourceId: string }) {
    const { municipality, dataset } = await visibleDataset(request, named?.datasetSlug);
    const resource = await store.getResource(db, municipality.id, named?.resourceId ?? (request.params as { id: string }).id);
    if (!resource || resource.dataset_id !== dataset.id) throw new AppError("NOT_FOUND");
    const [table] = await datastore.findTables(db, municipality.id, [resource.id]);
    return { municipality, dataset, resource, table };
  }

  async function resourcePage(request: FastifyRequest, reply: FastifyReply, replaceForm?: FormState, status = 200, named?: { datasetSlug: string; resourceId: string }) {
    const { municipality, dataset, resource, table } = await visibleResource(request, named);
    const params = await withChartDefaults(table, readPreviewParams(request.query as Record<string, unknown>));
    const result = table ? await previewRows(table, params, PREVIEW_ROWS, (params.page - 1) * PREVIEW_ROWS) : { records: [], total: 0 };
    // The image's size is the chart's own, which grows with its labels.
    const chartSize = table && params.chartX && params.chartY ? svgSize(await chartSvg(request, table, resource, params)) : undefined;
    return reply.page(
      <ResourcePage
        ctx={await request.view()}
        municipality={municipality}
        dataset={dataset}
        resource={resource}
        table={table}
        rows={result.records}
        total={result.total}
        params={params}
        canManage={opendataPolicy.manageDatasets(request.actor, municipality)}
        replaceForm={replaceForm ?? emptyForm()}
        chartSize={chartSize}
      />,
      status,
    );
  }

  app.get("/:slug/data/:dataset/resources/:id", async (request, reply) => resourcePage(request, reply));

  app.get("/:slug/data/:dataset/resources/:id/chart.svg", async (request, reply) => {
    const { resource, table } = await visibleResource(request);
    if (!table) throw new AppError("NOT_FOUND");
    const params = await withChartDefaults(table, readPreviewParams(request.query as Record<string, unknown>));
    const svg = await chartSvg(request, table, resource, params);
    return reply.type("image/svg+xml; charset=utf-8").header("Cache-Control", "public, max-age=300").send(svg);
  });

  // Exports of the whole table or of the filtered rows; spreadsheet formulas are defused.
  const EXPORT_LIMIT = 1_000_000;
  for (const format of ["csv", "json", "xlsx"] as const) {
    app.get(`/:slug/data/:dataset/resources/:id/rows.${format}`, async (request, reply) => {
      const { resource, table } = await visibleResource(request);
      if (!table) throw new AppError("NOT_FOUND");
      const params = readPreviewParams(request.query as Record<string, unknown>);
      const { records } = await previewRows(table, params, EXPORT_LIMIT, 0);
      const fields = table.table_schema.fields;
      const filename = `${resource.name.replace(/\.[a-z0-9]+$/i, "")}.${format}`;
      reply.header("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
      if (format === "json") return reply.type("application/json; charset=utf-8").send({ fields, records: records.map(({ _id, ...rest }) => rest) });
      if (format === "xlsx") return reply.type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").send(await toXlsx(resource.name, fields, records));
      return reply.type("text/csv; charset=utf-8").send(service.toCsv(fields, records));
    });
  }

  app.get("/:slug/data/:dataset/resources/:id/download", async (request, reply) => {
    const { municipality, dataset } = await visibleDataset(request);
    const resource = await store.getResource(db, municipality.id, (request.params as { id: string }).id);
    if (!resource || resource.dataset_id !== dataset.id) throw new AppError("NOT_FOUND");
    if (resource.url) return reply.redirect(resource.url, 302);
    const file = await findStoredFile(db, municipality.id, resource.file_id!);
    if (!file) throw new AppError("NOT_FOUND");
    return sendStoredFile(reply, app.config.filesDir, file, { cacheControl: dataset.status === "published" ? "public, max-age=3600" : "private, no-store" });
  });

  // ---- Back office --------------------------------------------------------------------------

  function authorize(request: FastifyRequest): Municipality {
    const municipality = request.requireMunicipality();
    requireAllowed(request.actor, opendataPolicy.manageDatasets(request.actor, municipality));
    return municipality;
  }

  async function datasetOf(request: FastifyRequest, municipality: Municipality): Promise<store.DatasetRow> {
    const dataset = await store.getDataset(db, municipality.id, (request.params as { id: string }).id);
    if (!dataset) throw new AppError("NOT_FOUND");
    return dataset;
  }

  async function editPage(request: FastifyRequest, reply: FastifyReply, municipality: Municipality, dataset: store.DatasetRow, forms: { form?: FormState; resourceForm?: FormState }, status = 200) {
    const resources = await store.listResources(db, municipality.id, [dataset.id]);
    return reply.page(
      <DatasetFormPage
        ctx={await request.view()}
        municipality={municipality}
        dataset={dataset}
        resources={resources}
        form={forms.form ?? datasetForm(dataset)}
        resourceForm={forms.resourceForm ?? emptyForm()}
      />,
      status,
    );
  }

  app.get("/:slug/admin/data", async (request, reply) => {
    const municipality = authorize(request);
    const datasets = await store.listAllDatasets(db, municipality.id);
    return reply.page(<AdminDatasetsPage ctx={await request.view()} municipality={municipality} datasets={datasets} />);
  });

  app.get("/:slug/admin/data/new", async (request, reply) => {
    const municipality = authorize(request);
    const form = emptyForm({ licence: "odbl-1.0", frequency: "annual", language: request.locale, spatial: municipality.name });
    return reply.page(<DatasetFormPage ctx={await request.view()} municipality={municipality} form={form} />);
  });

  app.post("/:slug/admin/data", async (request, reply) => {
    const municipality = authorize(request);
    const form = new FormReader(request.body);
    const input = service.readDatasetInput(form);
    form.text("_idem");
    const created = form.invalid ? undefined : await withConflictsOnForm(form, () => service.createDataset(db, municipality.id, request.actor!.id, input));
    if (!created) return reply.page(<DatasetFormPage ctx={await request.view()} municipality={municipality} form={form} />, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/data/${created.id}/edit`, { kind: "success", key: "opendata.flash.created" });
  });

  app.get("/:slug/admin/data/:id/edit", async (request, reply) => {
    const municipality = authorize(request);
    return editPage(request, reply, municipality, await datasetOf(request, municipality), {});
  });

  app.post("/:slug/admin/data/:id", async (request, reply) => {
    const municipality = authorize(request);
    const dataset = await datasetOf(request, municipality);
    const form = new FormReader(request.body);
    const input = service.readDatasetInput(form);
    form.text("_idem");
    const saved = form.invalid ? undefined : await withConflictsOnForm(form, () => service.editDataset(db, municipality.id, request.actor!.id, dataset.id, input));
    if (!saved) return editPage(request, reply, municipality, dataset, { form }, 400);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/data/${dataset.id}/edit`, { kind: "success", key: "opendata.flash.saved" });
  });

  for (const [verb, status, flashKey] of [["publish", "published", "portal.flash.published"], ["unpublish", "draft", "portal.flash.unpublished"]] as const) {
    app.post(`/:slug/admin/data/:id/${verb}`, async (request, reply) => {
      const municipality = authorize(request);
      const dataset = await datasetOf(request, municipality);
      const form = new FormReader({});
      const done = await withConflictsOnForm(form, () => service.setDatasetPublication(db, municipality.id, request.actor!.id, dataset.id, status));
      if (!done) return editPage(request, reply, municipality, dataset, { resourceForm: form }, 400);
      return reply.redirectWithFlash(`/${municipality.slug}/admin/data/${dataset.id}/edit`, { kind: "success", key: flashKey });
    });
  }

  app.post("/:slug/admin/data/:id/resources", async (request, reply) => {
    const municipality = authorize(request);
    const dataset = await datasetOf(request, municipality);
    const form = new FormReader(request.body);
    const actorId = request.actor!.id;
    // The file kept from the last attempt, if it is this editor's in this municipality.
    const keptId = form.text("file.keep", { max: 36 });
    const kept = keptId ? await findPendingUpload(db, app.config.filesDir, municipality.id, actorId, keptId) : undefined;
    const input = await service.readResourceInput(form, kept ? { id: kept.file.id, filename: kept.file.original_name, data: kept.data } : undefined);
    form.text("_idem");
    if (form.invalid) {
      // A good file is kept while the rest is corrected, so that it need not be chosen again.
      if (input.upload && !form.errors.file && !form.errors.url) {
        const file = kept && input.keptFileId ? kept.file : await keepPendingUpload(db, app.config.filesDir, {
          municipalityId: municipality.id,
          userId: actorId,
          data: input.upload.data,
          mediaType: service.mediaTypeOf(input.upload.data, input.format),
          originalName: input.upload.filename,
        });
        form.values["file.keep"] = file.id;
        form.values["file.filename"] = file.original_name;
      } else {
        form.values["file.keep"] = "";
      }
      if (!form.values.name && input.name) form.values.name = input.name;
      return editPage(request, reply, municipality, dataset, { resourceForm: form }, 400);
    }
    await service.addResource(db, app.config.filesDir, municipality.id, actorId, dataset.id, input);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/data/${dataset.id}/edit`, { kind: "success", key: "opendata.flash.resource_added" });
  });

  app.post("/:slug/admin/data/:id/resources/:resource/replace", async (request, reply) => {
    const municipality = authorize(request);
    const dataset = await datasetOf(request, municipality);
    const { resource: resourceId } = request.params as { resource: string };
    const form = new FormReader(request.body);
    const upload = await service.readReplacement(form);
    form.text("_idem");
    if (!upload) return resourcePage(request, reply, form, 400, { datasetSlug: dataset.slug, resourceId });
    await service.replaceResourceFile(db, app.config.filesDir, municipality.id, request.actor!.id, dataset.id, resourceId, upload);
    return reply.redirectWithFlash(`/${municipality.slug}/data/${dataset.slug}/resources/${resourceId}`, { kind: "success", key: "opendata.flash.resource_replaced" });
  });

  app.post("/:slug/admin/data/:id/resources/:resource/schema", async (request, reply) => {
    const municipality = authorize(request);
    const dataset = await datasetOf(request, municipality);
    const resourceId = uuidOr404((request.params as { resource: string }).resource);
    const [table] = await datastore.findTables(db, municipality.id, [resourceId]);
    if (!table) throw new AppError("NOT_FOUND");
    const form = new FormReader(request.body);
    const declared = Object.fromEntries(table.table_schema.fields.map((field) => [field.name, form.choice(`type_${field.name}`, service.FIELD_TYPES) ?? field.type]));
    if (form.invalid) throw new AppError("VALIDATION", form.errors);
    await service.applyTableSchema(db, app.config.filesDir, municipality.id, request.actor!.id, dataset.id, resourceId, declared);
    return reply.redirectWithFlash(`/${municipality.slug}/data/${dataset.slug}/resources/${resourceId}`, { kind: "success", key: "opendata.flash.schema_applied" });
  });

  app.post("/:slug/admin/data/:id/resources/:resource/delete", async (request, reply) => {
    const municipality = authorize(request);
    const dataset = await datasetOf(request, municipality);
    await service.removeResource(db, municipality.id, request.actor!.id, dataset.id, (request.params as { resource: string }).resource);
    return reply.redirectWithFlash(`/${municipality.slug}/admin/data/${dataset.id}/edit`, { kind: "success", key: "opendata.flash.resource_removed" });
  });

  // The interfaces other tools already speak: CKAN's Action API, DCAT, Frictionless.
  await opendataApiRoutes(app);
  describeOpendataApi(app);
}
