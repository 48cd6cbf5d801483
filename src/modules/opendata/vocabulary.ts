/**
 * The controlled vocabularies a dataset uses, with the URIs DCAT-AP expects and the message key
 * naming each value (listed literally, so the catalogue test sees them used).
 */

const EU = "http://publications.europa.eu/resource/authority";

/** DCAT-AP data themes (EU "data-theme" authority table). */
export const THEMES = {
  AGRI: { uri: `${EU}/data-theme/AGRI`, labelKey: "opendata.theme.AGRI" },
  ECON: { uri: `${EU}/data-theme/ECON`, labelKey: "opendata.theme.ECON" },
  EDUC: { uri: `${EU}/data-theme/EDUC`, labelKey: "opendata.theme.EDUC" },
  ENER: { uri: `${EU}/data-theme/ENER`, labelKey: "opendata.theme.ENER" },
  ENVI: { uri: `${EU}/data-theme/ENVI`, labelKey: "opendata.theme.ENVI" },
  GOVE: { uri: `${EU}/data-theme/GOVE`, labelKey: "opendata.theme.GOVE" },
  HEAL: { uri: `${EU}/data-theme/HEAL`, labelKey: "opendata.theme.HEAL" },
  JUST: { uri: `${EU}/data-theme/JUST`, labelKey: "opendata.theme.JUST" },
  REGI: { uri: `${EU}/data-theme/REGI`, labelKey: "opendata.theme.REGI" },
  SOCI: { uri: `${EU}/data-theme/SOCI`, labelKey: "opendata.theme.SOCI" },
  TRAN: { uri: `${EU}/data-theme/TRAN`, labelKey: "opendata.theme.TRAN" },
} as const;
export type Theme = keyof typeof THEMES;
export const THEME_CODES = Object.keys(THEMES) as Theme[];

export const LICENCES = {
  "odbl-1.0": { title: "Open Database License (ODbL) 1.0", url: "https://opendatacommons.org/licenses/odbl/1-0/" },
  "cc-by-4.0": { title: "Creative Commons Attribution 4.0 (CC BY 4.0)", url: "https://creativecommons.org/licenses/by/4.0/" },
  "lo-2.0": { title: "Licence Ouverte / Open Licence 2.0", url: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" },
  "cc0-1.0": { title: "Creative Commons Zero 1.0 (CC0)", url: "https://creativecommons.org/publicdomain/zero/1.0/" },
} as const;
export type Licence = keyof typeof LICENCES;
export const LICENCE_IDS = Object.keys(LICENCES) as Licence[];

/** Update frequencies, with the EU "frequency" authority code DCAT-AP uses for each. */
export const FREQUENCIES = {
  daily: { uri: `${EU}/frequency/DAILY`, labelKey: "opendata.frequency.daily" },
  weekly: { uri: `${EU}/frequency/WEEKLY`, labelKey: "opendata.frequency.weekly" },
  monthly: { uri: `${EU}/frequency/MONTHLY`, labelKey: "opendata.frequency.monthly" },
  quarterly: { uri: `${EU}/frequency/QUARTERLY`, labelKey: "opendata.frequency.quarterly" },
  annual: { uri: `${EU}/frequency/ANNUAL`, labelKey: "opendata.frequency.annual" },
  irregular: { uri: `${EU}/frequency/IRREG`, labelKey: "opendata.frequency.irregular" },
  never: { uri: `${EU}/frequency/NEVER`, labelKey: "opendata.frequency.never" },
} as const;
export type Frequency = keyof typeof FREQUENCIES;
export const FREQUENCY_IDS = Object.keys(FREQUENCIES) as Frequency[];

/** Language URIs of the EU "language" authority table, for dct:language. */
export const LANGUAGE_URIS: Record<string, string> = {
  fr: `${EU}/language/FRA`,
  pt: `${EU}/language/POR`,
  en: `${EU}/language/ENG`,
};

/** Media types of the formats people publish, for dcat:mediaType and downloads. */
export const FORMAT_MEDIA_TYPES: Record<string, string> = {
  CSV: "text/csv",
  XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  JSON: "application/json",
  GEOJSON: "application/geo+json",
  PDF: "application/pdf",
  ZIP: "application/zip",
  HTML: "text/html",
};
