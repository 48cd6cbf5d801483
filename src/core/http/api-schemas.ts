import { Type, type Static, type TObject, type TProperties, type TSchema } from "@sinclair/typebox";

/*
 * What every route of the JSON API under /api/v1 shares: the municipality in the path, pages of
 * results, and errors as application/problem+json. Routes give these to Fastify as their schemas,
 * which validates the query, keeps answers to the declared fields (nothing else can leak into
 * them) and feeds the OpenAPI description at /api/v1/openapi.json.
 */

export const MunicipalityParams = Type.Object({
  // No pattern here: a slug that names no municipality is a 404, whatever its shape.
  slug: Type.String({ description: "The municipality's slug, as in its pages' addresses.", examples: ["rufisque"] }),
});

/** An object's id in a path: one that is not a UUID names nothing, so it is a 404 too (uuidOr404). */
export const IdParam = (description: string) => Type.String({ description: `${description} (a UUID).` });

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: "How many items to return at most." }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: "How many items to skip, for the following pages." }),
});
export type Page = Static<typeof PageQuery>;

/** A page of `items` under its own name (`meetings`, `procedures`…), with what is needed to fetch the next one. */
export function pageOf<T extends TSchema>(name: string, item: T, extra: TProperties = {}): TObject {
  return Type.Object({
    municipality: Type.String({ description: "The municipality's slug." }),
    ...extra,
    total: Type.Integer({ minimum: 0, description: "How many items there are in all pages." }),
    limit: Type.Integer({ minimum: 1 }),
    offset: Type.Integer({ minimum: 0 }),
    [name]: Type.Array(item),
  });
}

/** The items of one page, and how many there are in all (for lists small enough to read whole). */
export function slicePage<T>(items: readonly T[], page: Page): { total: number; items: T[] } {
  return { total: items.length, items: items.slice(page.offset, page.offset + page.limit) };
}

/** RFC 9457 problem details, as the error handler writes them (src/core/http/plugins/error-handling.tsx). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "A URI naming the kind of problem." }),
    title: Type.String({ description: "The problem, in the request's language." }),
    detail: Type.Optional(Type.String({ description: "What precisely went wrong, when known." })),
    status: Type.Integer({ description: "The HTTP status." }),
    code: Type.String({ description: "A stable code from docs/errors.md (NOT_FOUND, VALIDATION…)." }),
    reason: Type.Optional(Type.String({ description: "The rule that refused, when one did." })),
    errors: Type.Record(Type.String(), Type.String(), { description: "A message for each field in error." }),
  },
  { title: "Problem" },
);

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ProblemSchema } } });

/** The errors any public read of the API may answer: a bad query, an unknown municipality or object. */
export const PUBLIC_READ_ERRORS = {
  400: problem("The query is not valid (see `errors`)."),
  404: problem("No such municipality, or no such published object in it."),
} as const;

/** The errors of a change through the API, on top of a bad body or an unknown municipality. */
export const WRITE_ERRORS = {
  ...PUBLIC_READ_ERRORS,
  400: problem("The body is not valid (see `errors`)."),
  401: problem("Not signed in: send the session cookie."),
  403: problem("The account may not do this here, or the CSRF token is missing."),
  409: problem("The current state does not allow it; `reason` names the rule."),
} as const;
