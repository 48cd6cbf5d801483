import { Type, type Static } from "@sinclair/typebox";

export const NewsInputSchema = Type.Object(
  {
    /** Headline shown in lists and on the page. */
    title: Type.String({ minLength: 1, maxLength: 200 }),
    /** One or two sentences shown under the headline in lists. */
    summary: Type.Optional(Type.String({ maxLength: 500 })),
    /** Plain text; blank lines separate paragraphs. */
    body: Type.String({ minLength: 1, maxLength: 50000 }),
    /** Language the item is written in. */
    language: Type.Optional(Type.Union([Type.Literal("fr"), Type.Literal("pt"), Type.Literal("en")])),
    /** Publish at once instead of keeping a draft. */
    publish: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NewsInputBody = Static<typeof NewsInputSchema>;

export const NewsSchema = Type.Object({
  id: Type.String({ format: "uuid" }),
  title: Type.String(),
  summary: Type.String(),
  body: Type.String(),
  language: Type.String(),
  status: Type.Union([Type.Literal("draft"), Type.Literal("published")]),
  published_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  url: Type.String(),
});

export const MunicipalitySchema = Type.Object({
  id: Type.String({ format: "uuid" }),
  slug: Type.String(),
  name: Type.String(),
  country: Type.String({ description: "ISO 3166-1 alpha-2" }),
  region: Type.String(),
  time_zone: Type.String(),
  currency: Type.String({ description: "ISO 4217" }),
  languages: Type.Array(Type.String()),
  url: Type.String(),
});

export const SlugParams = Type.Object({ slug: Type.String({ pattern: "^[a-z0-9]+(-[a-z0-9]+)*$" }) });
