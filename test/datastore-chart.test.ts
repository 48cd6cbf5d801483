import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser, createTestApp, idOf, visibleText, type TestContext } from "./helpers.js";

/** The option chosen in one of the page's selects. */
function selected(html: string, select: string): string | undefined {
  const body = new RegExp(`<select id="${select}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? "";
  return /<option value="([^"]*)" selected/.exec(body)?.[1];
}

/** The numbers of an attribute over the SVG's elements of one kind, in document order. */
function numbers(svg: string, element: string, attribute: string): number[] {
  return [...svg.matchAll(new RegExp(`<${element} [^>]*${attribute}="([-0-9.]+)"`, "g"))].map((match) => Number(match[1]));
}

describe("datastore: a table's chart and its dates, as a visitor first sees them", () => {
  let ctx: TestContext;
  const year = new Date().getUTCFullYear();
  /** The page of one of Rufisque's demo tables, by its file's name. */
  const pageOf = async (datasetSlug: string, file: string) => {
    const id = await idOf(
      ctx.db,
      "SELECT r.id FROM dataset_resources r JOIN datasets d ON d.id = r.dataset_id JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' AND d.slug = $1 AND r.name = $2",
      [datasetSlug, file],
    );
    return `/rufisque/data/${datasetSlug}/resources/${id}`;
  };
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("births by month: a measure against the month, drawn at once as a line on a time scale", async () => {
    const page = await pageOf(`etat-civil-naissances-${year}`, `naissances-${year}.csv`);
    const html = (await new Browser(ctx.app).get(page)).body;
    assert.equal(selected(html, "f-x"), "mois", "the date column is the dimension");
    assert.equal(selected(html, "f-y"), "filles", "the first measure");
    assert.equal(selected(html, "f-kind"), "line");
    assert.match(html, /<img src="[^"]+\/chart\.svg\?x=mois&(amp;)?y=filles&(amp;)?kind=line"/, "the chart is drawn without anyone choosing");

    const svg = (await new Browser(ctx.app).get(`${page}/chart.svg`)).body;
    assert.match(svg, /<path d="M[^"]+"/);
    const xs = numbers(svg, "circle", "cx");
    assert.equal(xs.length, 12);
    // On a time scale January→February (31 days) is wider than February→March (28 or 29 days); as categories they would be equal.
    const february = new Date(Date.UTC(year, 2, 0)).getUTCDate();
    assert.ok(Math.abs((xs[1]! - xs[0]!) / (xs[2]! - xs[1]!) - 31 / february) < 0.01, `points spaced by time: ${xs.slice(0, 3).join(", ")}`);
    assert.match(svg, new RegExp(`>janv\\. ${year}</text>`), "ticks are months in French");
    const english = (await new Browser(ctx.app, { "accept-language": "en" }).get(`${page}/chart.svg`)).body;
    assert.match(english, new RegExp(`>Jan ${year}</text>`));
  });

  it("a budget: the amount, never the chapter code, by its label, every label whole", async () => {
    const page = await pageOf(`budget-primitif-${year}`, `budget-${year}.csv`);
    const html = (await new Browser(ctx.app).get(page)).body;
    assert.equal(selected(html, "f-y"), "montant_xof", "chapitre is a code, not a quantity");
    assert.equal(selected(html, "f-x"), "libelle");
    assert.equal(selected(html, "f-kind"), "bar");
    const svg = (await new Browser(ctx.app).get(`${page}/chart.svg`)).body;
    assert.equal(numbers(svg, "rect", "height").length, 7, "one bar per budget line");
    for (const label of ["Services extérieurs (entretien, eau, électricité)", "Investissements : écoles et centres de santé", "Dotations et subventions de l&apos;État"]) {
      assert.ok(svg.includes(`>${label}</text>`), `${label} is drawn whole`);
    }
    // Room is made below for the slanted labels: the picture is taller than the plot, and the page shows it at its size.
    const height = Number(/viewBox="0 0 640 (\d+)"/.exec(svg)?.[1]);
    assert.ok(height > 320, `the chart grows for its labels (${height})`);
    assert.match(html, new RegExp(`width="640" height="${height}"`));
  });

  it("water points: the households served by kind of water point, not the identifiers", async () => {
    const html = (await new Browser(ctx.app).get(await pageOf("points-d-eau", "points-eau.csv"))).body;
    assert.equal(selected(html, "f-y"), "menages_desservis");
    assert.equal(selected(html, "f-x"), "type", "identifiant is a code: a label is chosen");
  });

  it("a visitor's choice is kept over the defaults", async () => {
    const page = await pageOf(`etat-civil-naissances-${year}`, `naissances-${year}.csv`);
    const html = (await new Browser(ctx.app).get(`${page}?x=mois&y=total&kind=bar`)).body;
    assert.equal(selected(html, "f-y"), "total");
    assert.equal(selected(html, "f-kind"), "bar");
    const svg = (await new Browser(ctx.app).get(`${page}/chart.svg?x=mois&y=total&kind=bar`)).body;
    assert.equal(numbers(svg, "rect", "height").length, 12);
  });

  it("dates in the preview read as each language writes them; exports keep ISO dates", async () => {
    const page = await pageOf(`etat-civil-naissances-${year}`, `naissances-${year}.csv`);
    const cells = async (language: string) => visibleText((await new Browser(ctx.app, { "accept-language": language }).get(`${page}?sort=mois&dir=asc`)).body);
    assert.match(await cells("fr"), new RegExp(`1er janvier ${year}`));
    assert.match(await cells("pt"), new RegExp(`1 de janeiro de ${year}`));
    assert.match(await cells("en"), new RegExp(`1 January ${year}`));
    assert.doesNotMatch(await cells("fr"), new RegExp(`${year}-01-01`));
    const csv = (await new Browser(ctx.app, { "accept-language": "pt" }).get(`${page}/rows.csv?sort=mois&dir=asc`)).body;
    assert.match(csv, new RegExp(`^mois,filles,garcons,total\\r\\n${year}-01-01,`));
    const json = JSON.parse((await new Browser(ctx.app, { "accept-language": "en" }).get(`${page}/rows.json?sort=mois&dir=asc`)).body) as { records: { mois: string }[] };
    assert.equal(json.records[0]?.mois, `${year}-01-01`);
  });
});
