import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Actor, MunicipalRole } from "./auth/roles.js";
import type { Queryable, Tx } from "./db/index.js";
import { registerCatalogues, type Translate } from "./i18n/index.js";
import type { DeclaredJob } from "./jobs/index.js";
import type { Municipality } from "./tenancy/index.js";
import { MunicipalityParams, PUBLIC_READ_ERRORS } from "./http/api-schemas.js";
import type { ReasonCatalogue } from "./http/errors.js";

export type { DeclaredJob, JobContext, JobSchedule } from "./jobs/index.js";

/** A navigation entry a module offers on a municipality's pages. */
export interface ModuleNav {
  href: (municipality: Municipality) => string;
  labelKey: string;
}

/** A back-office entry a module offers on the municipality's dashboard, to those it allows. */
export interface ModuleAdminNav extends ModuleNav {
  allowed: (actor: Actor | null, municipality: Municipality) => boolean;
}

/** A demo municipality once created, with its staff accounts, as module seeds receive it. */
export interface DemoMunicipalitySeeded {
  id: string;
  slug: string;
  name: string;
  country: string;
  currency: string;
  timeZone: string;
  languages: string[];
  description: string;
  /** Name and title of each elected official, in the order the municipality lists them. */
  officials: [string, string][];
  /** The demo staff present in this municipality, by role. */
  staff: Partial<Record<MunicipalRole, { id: string; name: string; phone: string }>>;
}

/** What a module's demo seed is given: the seeding transaction and the network just created. */
export interface DemoSeedContext {
  db: Tx;
  filesDir: string;
  publicUrl: string;
  /** Hash of the demo password, for the demo accounts a module adds (residents…). */
  passwordHash: string;
  municipalities: DemoMunicipalitySeeded[];
  /**
   * Tells the person starting the platform what is being created ("demo: Rufisque — 5 datasets,
   * 55 rows"), so that a first start on a slow machine shows it is at work; absent in tests.
   */
  progress?: (line: string) => void;
}

/** One file of an object-level export: a process's proposals, a survey's results. */
export interface ExportItem {
  /** The object's name as people know it (the process's title…). */
  title: string;
  /** Site-relative path of the file. */
  path: string;
}

interface ExportBase {
  /** Stable identifier within the module (`proposals`); the catalogue leads it with the module's name. */
  key: string;
  /** Message key of what the export holds, shown in the catalogue. */
  titleKey: string;
  /** The format as people name it: CSV, iCalendar, Turtle, JSON-LD. */
  format: string;
  /** The media type the file is served with, without parameters (`text/csv`). */
  mediaType: string;
}

/**
 * An open-data export a module publishes for each municipality: one file for the municipality,
 * or one per public object of some kind (each published process, each survey with public results).
 */
export type ModuleExport =
  | (ExportBase & {
      per: "municipality";
      path: (municipality: Municipality) => string;
      /** Whether the municipality has anything to put in the file (statistics of procedures it offers); listed when absent. */
      offered?: (db: Queryable, municipality: Municipality) => Promise<boolean>;
    })
  | (ExportBase & { per: "dataset" | "process" | "survey" | "budget"; items: (db: Queryable, municipality: Municipality) => Promise<ExportItem[]> });

/**
 * One live figure a module offers for the front pages (datasets published, meetings held…).
 * `labelKey` is a counted message (`key.one` / `key.other`) given `count`.
 */
export interface ModuleFigure {
  key: string;
  labelKey: string;
  value: number;
}

/** One public page of a municipality, for its sitemap. */
export interface SitemapEntry {
  /** Site-relative path of the page (`/rufisque/news/…`), in its default language. */
  path: string;
  /** When what the page shows last changed, when the module knows it. */
  modified?: Date | null;
}

/** Something a resident can take part in or use right now, for a municipality's home page. */
export interface OpenNowItem {
  /** Message key of the kind of thing (an open consultation, a vote, a meeting, a procedure). */
  kindKey: string;
  title: string;
  href: string;
  /** When it closes or takes place: a message key taking `{date}`, the instant, and whether the day alone says it. */
  when?: { key: string; at: Date; dateOnly?: boolean };
}

/**
 * One group of links on the signed-in person's own account page, offered by a module: their
 * dossiers (e-services), what they took part in (participation), and later their information
 * requests (foi). Each module reads only its own tables to build it.
 */
export interface AccountLinkGroup {
  /** Stable identifier, led by the module's name (`eservices.dossiers`): tests and anchors use it. */
  id: string;
  /** Message key of the group's heading ("Mes dossiers"). */
  titleKey: string;
  /** Each link with its text already in the reader's language (it often names a municipality or an object). */
  links: { href: string; label: string }[];
}

/** What a module is given to build its account links: the person, every municipality, the reader's language. */
export interface AccountLinksContext {
  db: Queryable;
  actor: Actor;
  /** Every municipality of the platform: queries filter on their ids, so each stays a per-municipality read. */
  municipalities: Municipality[];
  t: Translate;
}

/** Where an audit entry's subject can be seen, built from the entry's municipality and subject id; undefined when nowhere. */
export type AuditSubjectLink = (subject: { municipality: Municipality | null; subjectId: string; data: Record<string, unknown> }) => string | undefined;

/** What a module tells the audit pages about the entries it writes. */
export interface ModuleAudit {
  /** Message key naming each action the module records (`portal.news.publish` → its label key), listed literally. */
  actions?: Record<string, string>;
  /** Where each subject type the module records is shown, when a page shows it. */
  subjects?: Record<string, AuditSubjectLink>;
}

/** A module's manifest: everything the platform needs from it. */
export interface AppModule {
  name: string;
  /** Registers the module's routes in its own encapsulated context. */
  plugin: (app: FastifyInstance) => Promise<void>;
  nav?: ModuleNav[];
  adminNav?: ModuleAdminNav[];
  /** Folders holding the module's fr.json, pt.json and en.json (one per part of a large module). */
  messages?: URL[];
  /** Background work the module runs, with the schedule of what runs by itself. */
  jobs?: DeclaredJob[];
  /** Loads the module's demo data into the demo network, in the seeding transaction. */
  seed?: (context: DemoSeedContext) => Promise<void>;
  /** Open-data files the module publishes for each municipality. */
  exports?: ModuleExport[];
  /** The reasons the module's rules give when they refuse (docs/errors.md lists them all). */
  reasons?: ReasonCatalogue;
  /**
   * Live figures over the given municipalities (one for its home page, all for the network's),
   * counting only what is public.
   */
  figures?: (db: Queryable, municipalityIds: string[], now: Date) => Promise<ModuleFigure[]>;
  /** What is open in the municipality now, public items only, soonest first. */
  openNow?: (db: Queryable, municipality: Municipality, now: Date) => Promise<OpenNowItem[]>;
  /**
   * Every public page the module shows for a municipality (lists and each public object), for
   * its sitemap. Required of every module with public pages (test/crawlers.test.ts).
   */
  sitemap?: (db: Queryable, municipality: Municipality) => Promise<SitemapEntry[]>;
  /** Links to the person's own things on their account page; groups without links are not shown. */
  accountLinks?: (context: AccountLinksContext) => Promise<AccountLinkGroup[]>;
  /** Words for the module's audit actions and links to their subjects, for the audit log pages. */
  audit?: ModuleAudit;
  /**
   * The texts the module shows the public for a municipality (news, datasets, processes…), for
   * checks that read them all: the demo's language test. Required of every module with a seed.
   */
  publicTexts?: (db: Queryable, municipalityId: string) => Promise<PublicText[]>;
}

/** One text the public reads: where it is shown, and its words (title and body together). */
export interface PublicText {
  /** What it is and which one: `news: Lancement du cadre…`. */
  where: string;
  text: string;
}

/** One row of a municipality's catalogue of exports. */
export interface ExportEntry {
  module: string;
  /** The module's name and the export's key: `participation.proposals`. */
  key: string;
  titleKey: string;
  format: string;
  mediaType: string;
  per: ModuleExport["per"];
  /** The object's title for object-level exports. */
  itemTitle?: string;
  path: string;
}

let platformModules: readonly AppModule[] = [];

/**
 * Makes the platform's modules known to core: their message catalogues, and the list the
 * exports catalogue is built from. Called once, by `modules/index.ts`, when it is imported.
 */
export function registerModules(modules: readonly AppModule[]): void {
  platformModules = modules;
  registerCatalogues(modules.flatMap((module) => module.messages ?? []));
}

/** The modules' figures over these municipalities, in the modules' order. */
export async function platformFigures(db: Queryable, municipalityIds: string[], now: Date, modules: readonly AppModule[] = platformModules): Promise<ModuleFigure[]> {
  if (municipalityIds.length === 0) return [];
  const lists = await Promise.all(modules.map((module) => module.figures?.(db, municipalityIds, now) ?? Promise.resolve([])));
  return lists.flat();
}

/** What the modules say is open in a municipality now, in the modules' order. */
export async function openNowIn(db: Queryable, municipality: Municipality, now: Date, modules: readonly AppModule[] = platformModules): Promise<OpenNowItem[]> {
  const lists = await Promise.all(modules.map((module) => module.openNow?.(db, municipality, now) ?? Promise.resolve([])));
  return lists.flat();
}

/** Every public page of a municipality that the modules list, in the modules' order. */
export async function sitemapOf(db: Queryable, municipality: Municipality, modules: readonly AppModule[] = platformModules): Promise<SitemapEntry[]> {
  const lists = await Promise.all(modules.map((module) => module.sitemap?.(db, municipality) ?? Promise.resolve([])));
  return lists.flat();
}

/** Every open-data export of a municipality, declared by the modules, in their order. */
export async function municipalityExports(
  db: Queryable,
  municipality: Municipality,
  options: { modules?: readonly AppModule[]; except?: readonly ModuleExport["per"][] } = {},
): Promise<ExportEntry[]> {
  const entries: ExportEntry[] = [];
  for (const module of options.modules ?? platformModules) {
    // Kinds the caller lists otherwise are not read at all: a page showing its datasets anyway
    // must not list every dataset a second time to throw the list away.
    for (const declared of (module.exports ?? []).filter((entry) => !options.except?.includes(entry.per))) {
      const base = { module: module.name, key: `${module.name}.${declared.key}`, titleKey: declared.titleKey, format: declared.format, mediaType: declared.mediaType, per: declared.per };
      if (declared.per === "municipality") {
        if (!declared.offered || (await declared.offered(db, municipality))) entries.push({ ...base, path: declared.path(municipality) });
      }
      else for (const item of await declared.items(db, municipality)) entries.push({ ...base, itemTitle: item.title, path: item.path });
    }
  }
  return entries;
}

/** The account page's groups of links from every module, in the modules' order; empty groups are left out. */
export async function accountLinkGroups(context: AccountLinksContext, modules: readonly AppModule[] = platformModules): Promise<AccountLinkGroup[]> {
  const groups: AccountLinkGroup[] = [];
  for (const module of modules) {
    if (module.accountLinks) groups.push(...(await module.accountLinks(context)).filter((group) => group.links.length > 0));
  }
  return groups;
}

/** Every module's audit words and subject links, merged: what the audit pages show entries with. */
export function auditVocabulary(modules: readonly AppModule[] = platformModules): { actions: Map<string, string>; subjects: Map<string, AuditSubjectLink> } {
  const actions = new Map<string, string>();
  const subjects = new Map<string, AuditSubjectLink>();
  for (const module of modules) {
    for (const [action, key] of Object.entries(module.audit?.actions ?? {})) actions.set(action, key);
    for (const [type, link] of Object.entries(module.audit?.subjects ?? {})) subjects.set(type, link);
  }
  return { actions, subjects };
}

const ExportSchema = Type.Object({
  /** The module publishing the file. */
  module: Type.String(),
  /** Stable identifier of the export, the same in every municipality. */
  key: Type.String(),
  /** What the file holds, in the language of the request. */
  title: Type.String(),
  /** The format as people name it (CSV, iCalendar, Turtle…). */
  format: Type.String(),
  /** The media type the file is served with. */
  media_type: Type.String(),
  /** Whether the file covers the municipality or one of its objects (a process, a survey…). */
  per: Type.String(),
  /** The object's title, for a file about one object. */
  item_title: Type.Optional(Type.String()),
  /** Where to fetch the file. */
  url: Type.String(),
});

/** The catalogue of every open-data export of a municipality, built from the modules' manifests. */
export const exportCatalogueModule: AppModule = {
  name: "exports",
  plugin: async (app) => {
    app.get(
      "/api/v1/:slug/exports",
      {
        schema: {
          tags: ["opendata"],
          operationId: "listExports",
          summary: "Every open-data file a municipality publishes, from every module",
          params: MunicipalityParams,
          response: { 200: Type.Object({ municipality: Type.String(), exports: Type.Array(ExportSchema) }), ...PUBLIC_READ_ERRORS },
        },
      },
      async (request) => {
        const municipality = request.requireMunicipality();
        const entries = await municipalityExports(app.db, municipality);
        return {
          municipality: municipality.slug,
          exports: entries.map((entry) => ({
            module: entry.module,
            key: entry.key,
            title: request.t(entry.titleKey),
            format: entry.format,
            media_type: entry.mediaType,
            per: entry.per,
            ...(entry.itemTitle === undefined ? {} : { item_title: entry.itemTitle }),
            url: `${app.config.publicUrl}${entry.path}`,
          })),
        };
      },
    );
  },
};
