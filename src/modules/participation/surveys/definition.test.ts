import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import { parseLocalDate, parseLocalNumber } from "../../../core/http/forms.js";
import { anonymousFrenchView } from "../../../../test/view-context.js";
import {
  aggregate,
  answersToSurveyValues,
  checkSurvey,
  parseSurvey,
  readResponse,
  responsesCsv,
  resultsChartSvg,
  surveyProblems,
  SurveyDefinitionSchema,
  type ChoiceResult,
  type DateResult,
  type NumberResult,
  type Question,
  type ScaleResult,
  type SurveyDefinition,
  type TextResult,
} from "./definition.js";
import { SurveyFields, SurveyResults } from "./form-views.js";

const hostile = `"><script>alert(1)</script>`;

const survey: SurveyDefinition = {
  questions: [
    { id: "name", type: "short_text", title: "Votre prénom", required: false, maxLength: 20 },
    { id: "idea", type: "long_text", title: "Votre idée", description: "Décrivez-la en quelques lignes.", required: true, maxLength: 200 },
    {
      id: "transport",
      type: "single_choice",
      title: "Comment venez-vous au marché ?",
      required: true,
      options: [
        { value: "foot", label: "À pied" },
        { value: "bus", label: "En car rapide" },
        { value: "moto", label: "En moto-taxi" },
      ],
    },
    { id: "bus_line", type: "short_text", title: "Quelle ligne ?", required: true, maxLength: 50, showIf: { question: "transport", equals: "bus" } },
    {
      id: "needs",
      type: "multiple_choice",
      title: "Priorités",
      required: false,
      maxChoices: 2,
      options: [
        { value: "light", label: "Éclairage" },
        { value: "water", label: "Eau" },
        { value: "shade", label: "Ombre" },
      ],
    },
    { id: "water_where", type: "short_text", title: "Où manque l'eau ?", required: true, maxLength: 50, showIf: { question: "needs", equals: "water" } },
    { id: "satisfaction", type: "scale", title: "Satisfaction", required: true, min: 1, max: 5, minLabel: "Pas du tout", maxLabel: "Tout à fait" },
    { id: "visit", type: "date", title: "Dernière visite", required: false },
    { id: "spend", type: "number", title: "Dépense par semaine", required: false, min: 0, max: 100_000 },
    { id: "children", type: "number", title: "Enfants", required: false, integer: true },
  ],
};

const valid = {
  "q.name": "Awa",
  "q.idea": "Un abri\r\npour les vendeuses",
  "q.transport": "foot",
  "q.needs": ["light", "shade"],
  "q.satisfaction": "4",
  "q.visit": "25/12/2025",
  "q.spend": "1 500,50",
  "q.children": "3",
};

describe("survey definition", () => {
  it("accepts a sound survey through its schema and its checks", () => {
    assert.ok(Value.Check(SurveyDefinitionSchema, survey));
    assert.deepEqual(checkSurvey(survey), []);
    assert.deepEqual(parseSurvey(JSON.parse(JSON.stringify(survey))), { def: survey, problems: [] });
  });

  it("refuses shapes the schema does not allow", () => {
    const bad = (question: unknown) => parseSurvey({ questions: [question] }).problems;
    assert.deepEqual(bad({ id: "Bad-Id", type: "date", title: "x", required: true }), ["participation.survey.def.malformed"]);
    assert.deepEqual(bad({ id: "a", type: "date", title: "x", required: true, extra: 1 }), ["participation.survey.def.malformed"]);
    assert.deepEqual(bad({ id: "a", type: "scale", title: "x", required: true, min: 1.5, max: 5 }), ["participation.survey.def.malformed"]);
    assert.deepEqual(bad({ id: "a", type: "file", title: "x", required: true }), ["participation.survey.def.malformed"]);
    assert.deepEqual(parseSurvey(null).problems, ["participation.survey.def.malformed"]);
  });

  it("reports every structural problem", () => {
    const choice = (id: string, options: { value: string; label: string }[]): Question => ({ id, type: "single_choice", title: id, required: false, options });
    const def: SurveyDefinition = {
      questions: [
        choice("a", [{ value: "x", label: "X" }]),
        choice("a", [{ value: "x", label: "X" }]),
        choice("empty", []),
        choice("twice", [
          { value: "x", label: "X" },
          { value: "x", label: "Y" },
        ]),
        { id: "flat", type: "scale", title: "Flat", required: true, min: 3, max: 3 },
        { id: "wide", type: "scale", title: "Wide", required: true, min: 0, max: 20 },
        { id: "range", type: "number", title: "Range", required: true, min: 10, max: 1 },
        { id: "ghost", type: "date", title: "G", required: false, showIf: { question: "nowhere", equals: "x" } },
        { id: "early", type: "date", title: "E", required: false, showIf: { question: "late", equals: "x" } },
        { id: "on_text", type: "date", title: "T", required: false, showIf: { question: "flat", equals: "3" } },
        { id: "on_value", type: "date", title: "V", required: false, showIf: { question: "a", equals: "nope" } },
        { id: "self", type: "date", title: "S", required: false, showIf: { question: "self", equals: "x" } },
        choice("late", [{ value: "x", label: "X" }]),
      ],
    };
    assert.deepEqual(checkSurvey(def), [
      "participation.survey.def.duplicate_id",
      "participation.survey.def.choice_no_options",
      "participation.survey.def.choice_duplicate_option",
      "participation.survey.def.scale_min_max",
      "participation.survey.def.scale_too_wide",
      "participation.survey.def.min_above_max",
      "participation.survey.def.show_if_unknown",
      "participation.survey.def.show_if_later",
      "participation.survey.def.show_if_target",
      "participation.survey.def.show_if_value",
    ]);
    assert.deepEqual(
      surveyProblems(def).filter((problem) => problem.key === "participation.survey.def.show_if_later").map((problem) => problem.id),
      ["early", "self"],
    );
    assert.deepEqual(checkSurvey({ questions: [] }), ["participation.survey.def.empty"]);
    assert.deepEqual(checkSurvey({ questions: [{ id: "9x", type: "date", title: "x", required: false }] }), ["participation.survey.def.invalid_id"]);
    assert.deepEqual(checkSurvey({ questions: [{ id: "s", type: "scale", title: "x", required: false, min: 0, max: 10 }] }), [], "0 to 10 is the widest scale");
  });
});

describe("reading a response", () => {
  it("reads every type, converting dates and decimal commas", () => {
    const { answers, errors } = readResponse(survey, valid);
    assert.deepEqual(errors, {});
    assert.deepEqual(answers, {
      name: "Awa",
      idea: "Un abri\npour les vendeuses",
      transport: "foot",
      needs: ["light", "shade"],
      satisfaction: 4,
      visit: "2025-12-25",
      spend: 1500.5,
      children: 3,
    });
    assert.equal(readResponse(survey, { ...valid, "q.visit": "2025-02-28" }).answers.visit, "2025-02-28");
    assert.equal(readResponse(survey, { ...valid, "q.idea": "" }).values["q.visit"], "2025-12-25", "a date comes back as a date input reads it");
    assert.equal(readResponse(survey, { ...valid, "q.spend": "12.25" }).answers.spend, 12.25);
  });

  it("keeps hostile text as plain text, and flattens line breaks only in short answers", () => {
    const { answers, values } = readResponse(survey, { ...valid, "q.name": hostile.slice(0, 20), "q.idea": `${hostile}\n\nfin\u0000` });
    assert.equal(answers.name, hostile.slice(0, 20));
    assert.equal(answers.idea, `${hostile}\n\nfin`);
    assert.equal(values["q.idea"], `${hostile}\n\nfin`);
    assert.equal(readResponse(survey, { ...valid, "q.name": " Awa\r\n Ndiaye " }).answers.name, "Awa Ndiaye");
  });

  it("refuses each kind of wrong answer with its message and echoes what was typed", () => {
    const { answers, errors, values } = readResponse(survey, {
      "q.name": "x".repeat(21),
      "q.idea": "",
      "q.transport": "plane",
      "q.needs": ["light", "water", "shade"],
      "q.satisfaction": "6",
      "q.visit": "31/02/2025",
      "q.spend": "deux",
      "q.children": "1,5",
    });
    assert.deepEqual(errors, {
      "q.name": { key: "form.too_long", params: { max: 20 } },
      "q.idea": { key: "participation.survey.error.required" },
      "q.transport": { key: "form.choice.invalid" },
      "q.needs": { key: "form.choice.too_many", params: { count: 2 } },
      "q.satisfaction": { key: "form.scale.invalid", params: { min: 1, max: 5 } },
      "q.visit": { key: "form.date.invalid" },
      "q.spend": { key: "form.number.invalid" },
      "q.children": { key: "form.number.not_integer" },
    });
    // The refused multiple choice holds no answer, so the question that depends on it stays hidden.
    assert.deepEqual(Object.keys(answers), []);
    assert.equal(values["q.name"], "x".repeat(21));
    assert.equal(values["q.transport"], "", "an unknown option is not echoed");
    assert.deepEqual(values["q.needs"], ["light", "water", "shade"]);
    assert.equal(values["q.visit"], "31/02/2025");
    assert.equal(values["q.spend"], "deux");
  });

  it("checks numbers against their bounds", () => {
    const read = (spend: string) => readResponse(survey, { ...valid, "q.spend": spend }).errors["q.spend"];
    assert.deepEqual(read("-1"), { key: "form.number.out_of_range", params: { min: 0, max: 100_000 } });
    assert.deepEqual(read("100000,01"), { key: "form.number.out_of_range", params: { min: 0, max: 100_000 } });
    assert.equal(read("100000"), undefined);
    assert.equal(read("0"), undefined);
    const bounded = (question: Question, raw: string) => readResponse({ questions: [question] }, { [`q.${question.id}`]: raw }).errors[`q.${question.id}`];
    assert.deepEqual(bounded({ id: "n", type: "number", title: "N", required: true, min: 5 }, "4"), { key: "form.number.too_small", params: { min: 5 } });
    assert.deepEqual(bounded({ id: "n", type: "number", title: "N", required: true, max: 5 }, "6"), { key: "form.number.too_large", params: { max: 5 } });
    assert.deepEqual(bounded({ id: "n", type: "number", title: "N", required: true }, ""), { key: "participation.survey.error.required" });
    assert.equal(parseLocalNumber("1e5"), undefined);
    assert.equal(parseLocalNumber("-3,25"), -3.25);
    assert.equal(parseLocalNumber("1\u202f000"), 1000);
  });

  it("checks dates and scales strictly", () => {
    assert.equal(parseLocalDate("2024-02-29"), "2024-02-29");
    assert.equal(parseLocalDate("29/02/2023"), undefined);
    assert.equal(parseLocalDate("1/3/2026"), "2026-03-01");
    assert.equal(parseLocalDate("2026-13-01"), undefined);
    assert.equal(parseLocalDate("hier"), undefined);
    const scale = (raw: unknown) => readResponse(survey, { ...valid, "q.satisfaction": raw });
    assert.equal(scale("1").answers.satisfaction, 1);
    assert.equal(scale("5").answers.satisfaction, 5);
    for (const raw of ["0", "6", "2.5", "4abc", "1e0"]) {
      assert.deepEqual(scale(raw).errors["q.satisfaction"], { key: "form.scale.invalid", params: { min: 1, max: 5 } }, raw);
      assert.equal(scale(raw).values["q.satisfaction"], "", `${raw} is not echoed as a choice`);
    }
    assert.deepEqual(scale(" ").errors["q.satisfaction"], { key: "participation.survey.error.required" });
  });

  it("requires required questions only, and ignores what is not a string", () => {
    const { errors } = readResponse(survey, {});
    assert.deepEqual(Object.keys(errors).sort(), ["q.idea", "q.satisfaction", "q.transport"]);
    assert.ok(Object.values(errors).every((error) => error.key === "participation.survey.error.required"));
    const odd = readResponse(survey, { ...valid, "q.idea": { toString: () => "x" }, "q.transport": ["bus", "foot"], "q.needs": [1, "water"], "q.bus_line": "Ligne 8" });
    assert.deepEqual(odd.errors["q.idea"], { key: "participation.survey.error.required" });
    assert.equal(odd.answers.transport, "bus", "the first of repeated values counts");
    assert.deepEqual(odd.answers.needs, ["water"]);
  });

  it("asks a conditional question only when its condition is met", () => {
    const base = { ...valid, "q.needs": ["light"] };
    // Hidden: neither required nor kept, but echoed for when the condition changes.
    const hidden = readResponse(survey, { ...base, "q.bus_line": "x".repeat(60) });
    assert.deepEqual(hidden.errors, {});
    assert.equal(hidden.answers.bus_line, undefined);
    assert.equal(hidden.values["q.bus_line"], "x".repeat(60).slice(0, 51));

    const shown = readResponse(survey, { ...base, "q.transport": "bus" });
    assert.deepEqual(shown.errors, { "q.bus_line": { key: "participation.survey.error.required" } });
    assert.equal(readResponse(survey, { ...base, "q.transport": "bus", "q.bus_line": "Ligne 8" }).answers.bus_line, "Ligne 8");

    // On a multiple choice: any of the options chosen.
    const water = readResponse(survey, { ...valid, "q.needs": ["water", "shade"] });
    assert.deepEqual(water.errors, { "q.water_where": { key: "participation.survey.error.required" } });
    // A choice refused (too many) leaves its dependants hidden: they are asked again once it is fixed.
    const refused = readResponse(survey, { ...valid, "q.needs": ["light", "water", "shade"] });
    assert.deepEqual(Object.keys(refused.errors), ["q.needs"]);
  });

  it("hides a question whose condition depends on a hidden question", () => {
    const def: SurveyDefinition = {
      questions: [
        { id: "a", type: "single_choice", title: "A", required: true, options: [{ value: "yes", label: "Oui" }, { value: "no", label: "Non" }] },
        { id: "b", type: "single_choice", title: "B", required: true, options: [{ value: "yes", label: "Oui" }], showIf: { question: "a", equals: "yes" } },
        { id: "c", type: "short_text", title: "C", required: true, maxLength: 10, showIf: { question: "b", equals: "yes" } },
      ],
    };
    const result = readResponse(def, { "q.a": "no", "q.b": "yes", "q.c": "" });
    assert.deepEqual(result.errors, {});
    assert.deepEqual(result.answers, { a: "no" });
    assert.deepEqual(readResponse(def, { "q.a": "yes", "q.b": "yes", "q.c": "ok" }).answers, { a: "yes", b: "yes", c: "ok" });
  });

  it("turns saved answers back into form values", () => {
    const { answers } = readResponse(survey, valid);
    const values = answersToSurveyValues(survey, answers);
    assert.deepEqual(readResponse(survey, values).answers, answers);
  });
});

describe("aggregation", () => {
  const responses: Record<string, unknown>[] = [
    { transport: "foot", needs: ["light", "water"], satisfaction: 5, spend: 1000, visit: "2025-03-01", name: "Awa", idea: "Un abri" },
    { transport: "bus", needs: ["light"], satisfaction: 4, spend: 2500, visit: "2024-12-31", idea: "Des toilettes\npropres" },
    { transport: "foot", satisfaction: 1, spend: 0.5, visit: "2025-01-15" },
    { transport: "foot", needs: ["water"], satisfaction: 2, spend: 7 },
    // Malformed in every way: skipped question by question, the response still counts.
    { transport: 3, needs: "light", satisfaction: 4.5, spend: "12", visit: "15/01/2025", name: 42, idea: "" },
    { transport: "removed_option", needs: ["gone"], satisfaction: 9, spend: Number.NaN, visit: "2025-02-30" },
  ];
  const results = aggregate(survey, responses);
  const result = <T,>(id: string) => results.questions.find((question) => question.id === id) as T;

  it("counts responses, skipping what is not an object", () => {
    assert.equal(aggregate(survey, [...responses, null as unknown as Record<string, unknown>, [] as unknown as Record<string, unknown>, "x" as unknown as Record<string, unknown>]).responses, 6);
    assert.equal(results.responses, 6);
    assert.deepEqual(
      results.questions.map((question) => question.id),
      survey.questions.map((question) => question.id),
    );
  });

  it("counts choices per option with their share of those who answered", () => {
    const transport = result<ChoiceResult>("transport");
    assert.equal(transport.answered, 4);
    assert.deepEqual(transport.options, [
      { value: "foot", label: "À pied", count: 3, share: 0.75 },
      { value: "bus", label: "En car rapide", count: 1, share: 0.25 },
      { value: "moto", label: "En moto-taxi", count: 0, share: 0 },
    ]);
    const needs = result<ChoiceResult>("needs");
    assert.equal(needs.answered, 3);
    assert.deepEqual(
      needs.options.map((option) => [option.value, option.count]),
      [
        ["light", 2],
        ["water", 2],
        ["shade", 0],
      ],
    );
    assert.equal(needs.options[0]!.share, 2 / 3);
  });

  it("gives a scale's distribution, mean and median exactly", () => {
    const scale = result<ScaleResult>("satisfaction");
    assert.equal(scale.answered, 4);
    assert.deepEqual(
      scale.distribution.map((point) => [point.value, point.count]),
      [
        [1, 1],
        [2, 1],
        [3, 0],
        [4, 1],
        [5, 1],
      ],
    );
    assert.equal(scale.mean, 3);
    assert.equal(scale.median, 3, "the mean of the two middle values, 2 and 4");
    const odd = aggregate(survey, [{ satisfaction: 1 }, { satisfaction: 2 }, { satisfaction: 5 }]).questions.find((q) => q.id === "satisfaction") as ScaleResult;
    assert.equal(odd.median, 2);
    assert.equal(odd.mean, 8 / 3);
  });

  it("gives numbers' count, bounds, mean and median", () => {
    const spend = result<NumberResult>("spend");
    assert.deepEqual(spend, { type: "number", id: "spend", answered: 4, min: 0.5, max: 2500, mean: 3507.5 / 4, median: 503.5 });
  });

  it("gives dates' count, earliest and latest", () => {
    assert.deepEqual(result<DateResult>("visit"), { type: "date", id: "visit", answered: 3, earliest: "2024-12-31", latest: "2025-03-01" });
  });

  it("lists text answers and counts them", () => {
    assert.deepEqual(result<TextResult>("idea"), { type: "long_text", id: "idea", answered: 2, answers: ["Un abri", "Des toilettes\npropres"] });
    assert.deepEqual(result<TextResult>("name").answers, ["Awa"]);
  });

  it("answers nothing rather than crashing when nobody answered", () => {
    const empty = aggregate(survey, []);
    assert.equal(empty.responses, 0);
    const scale = empty.questions.find((q) => q.id === "satisfaction") as ScaleResult;
    assert.deepEqual([scale.mean, scale.median, scale.distribution.length], [null, null, 5]);
    const spend = empty.questions.find((q) => q.id === "spend") as NumberResult;
    assert.deepEqual([spend.min, spend.max, spend.mean, spend.median], [null, null, null, null]);
    assert.equal((empty.questions.find((q) => q.id === "transport") as ChoiceResult).options[0]!.share, 0);
    assert.equal(aggregate(survey, "nope" as unknown as Record<string, unknown>[]).responses, 0);
  });

  it("copes with a large survey's worth of responses", () => {
    const many = Array.from({ length: 200_000 }, (_, index) => ({ spend: index % 1000, satisfaction: (index % 5) + 1 }));
    const spend = aggregate(survey, many).questions.find((q) => q.id === "spend") as NumberResult;
    assert.deepEqual([spend.answered, spend.min, spend.max, spend.mean, spend.median], [200_000, 0, 999, 499.5, 499.5]);
  });
});

describe("CSV export", () => {
  const def: SurveyDefinition = {
    questions: [
      { id: "remark", type: "long_text", title: "Remarque, libre", required: false, maxLength: 500 },
      { id: "needs", type: "multiple_choice", title: "=Priorités", required: false, options: [{ value: "light", label: "Éclairage" }, { value: "water", label: "Eau" }] },
      { id: "score", type: "scale", title: "Note", required: false, min: -2, max: 2 },
      { id: "amount", type: "number", title: "Montant", required: false },
      { id: "visit", type: "date", title: "Visite", required: false },
    ],
  };
  const at = new Date("2026-03-01T09:30:00.000Z");

  it("writes a header of titles and one row per response, with CRLF", () => {
    const csv = responsesCsv(def, [
      { submittedAt: at, answers: { remark: "Bien", needs: ["water", "light"], score: -1, amount: -12.5, visit: "2026-02-01" } },
      { submittedAt: at, answers: {} },
    ]);
    assert.equal(
      csv,
      [`submitted_at,"Remarque, libre","'=Priorités",Note,Montant,Visite`, `2026-03-01T09:30:00.000Z,Bien,"Éclairage; Eau",-1,-12.5,2026-02-01`, "2026-03-01T09:30:00.000Z,,,,,", ""].join("\r\n"),
    );
    assert.ok(responsesCsv(def, [], { submittedAtTitle: "Reçue le" }).startsWith("Reçue le,"));
  });

  it("defuses formulas and quotes quotes and line breaks", () => {
    const row = (remark: string) => responsesCsv(def, [{ submittedAt: at, answers: { remark } }]).split("\r\n")[1]!.split(",")[1];
    assert.equal(row("=HYPERLINK(1)"), `"'=HYPERLINK(1)"`);
    assert.equal(row("+33"), `"'+33"`);
    assert.equal(row("-1"), `"'-1"`);
    assert.equal(row("@SUM"), `"'@SUM"`);
    assert.equal(row("\tx"), `"'\tx"`);
    const multiline = responsesCsv(def, [{ submittedAt: at, answers: { remark: 'Il a dit "non"\r\npuis\nparti' } }]);
    assert.ok(multiline.includes(`,"Il a dit ""non""\r\npuis\nparti",`));
    const cr = responsesCsv(def, [{ submittedAt: at, answers: { remark: "\rx" } }]);
    assert.ok(cr.includes(`,"'\rx",`));
  });

  it("leaves malformed answers and dates empty", () => {
    const csv = responsesCsv(def, [{ submittedAt: new Date("nope"), answers: { remark: 3, needs: "water", score: 7, amount: "1", visit: "2026-02-30" } }]);
    assert.equal(csv.split("\r\n")[1], ",,,,,");
    assert.equal(responsesCsv(def, [{ submittedAt: at, answers: null as unknown as Record<string, unknown> }]).split("\r\n")[1], "2026-03-01T09:30:00.000Z,,,,,");
  });
});

describe("results chart", () => {
  it("is an accessible image with its title, labels and values, all escaped", () => {
    const svg = resultsChartSvg([`<script>alert(1)</script>`, "B & C", "Zéro"], [3, 1, 0], { title: `Réponses ${hostile}` });
    assert.match(svg, /^<svg [^>]*role="img"/);
    assert.match(svg, /<title>Réponses &quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/title>/);
    assert.ok(!svg.includes("<script"), "no script element anywhere");
    assert.ok(svg.includes("&lt;script&gt;alert(1)&lt;/script&gt;</text>"));
    assert.ok(svg.includes(">B &amp; C</text>"));
    assert.equal((svg.match(/<rect [^>]*fill="#0b4f8a"/g) ?? []).length, 3);
    assert.ok(/>3<\/text>/.test(svg) && />1<\/text>/.test(svg) && />0<\/text>/.test(svg), "every value is written");
    assert.ok(!/\son[a-z]+=/i.test(svg), "no event handler attributes");
  });

  it("scales bars to the largest count, and survives odd input", () => {
    const svg = resultsChartSvg(["a", "b"], [4, 2], { title: "t", width: 400, formatValue: (count) => `${count} votes` });
    const widths = [...svg.matchAll(/<rect x="8" y="\d+" width="([\d.]+)"/g)].map((match) => Number(match[1]));
    assert.equal(widths.length, 2);
    assert.equal(widths[0], 400 - 16 - 72);
    assert.equal(widths[1], widths[0]! / 2);
    assert.ok(svg.includes(">4 votes</text>"));
    const odd = resultsChartSvg(["a", "b", "c"], [Number.NaN, -3], { title: "t" });
    assert.equal([...odd.matchAll(/width="0"/g)].length, 3);
    assert.match(resultsChartSvg([], [], { title: "vide" }), /<title>vide<\/title>/);
    const long = resultsChartSvg(["x".repeat(500)], [1], { title: "t", width: 240 });
    assert.ok(long.includes("…</text>"), "a long label is shortened where it is drawn");
  });
});

describe("rendering", () => {
  const view = anonymousFrenchView();
  const render = (props: Partial<Parameters<typeof SurveyFields>[0]> = {}) => SurveyFields({ ctx: view, def: survey, ...props }) as string;
  /** A text as it appears in the page: @kitajs/html escapes apostrophes. */
  const escaped = (text: string) => text.replace(/'/g, "&#39;");
  /** Markup outside attribute values: where a tag could be injected. */
  const outsideAttributes = (html: string) => html.replace(/="[^"]*"/g, '=""');

  it("gives every input a label, and every hint and error an aria-describedby", () => {
    const { errors, values } = readResponse(survey, { "q.spend": "deux" });
    const html = render({ errors, values });
    const ids = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map((match) => match[1]!);
    const inputs = [...html.matchAll(/<(?:input|select|textarea)\b/g)].length;
    assert.equal(ids.length, inputs, "every input has an id");
    // One per text box (7), one per option (3 + 3) or scale point (5).
    assert.equal(inputs, 18);
    for (const id of ids) assert.ok(html.includes(`<label for="${id}"`), `${id} has a label`);
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    for (const [, list] of html.matchAll(/aria-describedby="([^"]+)"/g)) {
      for (const id of list!.split(" ")) assert.ok(html.includes(`id="${id}"`), `${id} exists`);
    }
    for (const name of Object.keys(errors)) assert.ok(html.includes(`id="f-${name}"`), `the summary's link to ${name} lands on an input`);
    assert.ok(html.includes(`id="f-q.spend-error"`));
    assert.ok(html.includes("Saisissez un nombre, par exemple 12 ou 12,5."));
    assert.equal((html.match(/<fieldset/g) ?? []).length, 3, "choices and the scale are fieldsets");
    assert.equal((html.match(/<legend/g) ?? []).length, 3);
  });

  it("draws conditional questions with a hint naming the condition in words", () => {
    const html = render();
    assert.ok(html.includes("À remplir seulement si vous avez répondu «\u202fEn car rapide\u202f» à «\u202fComment venez-vous au marché ?\u202f»."));
    assert.ok(html.includes("À remplir seulement si vous avez répondu «\u202fEau\u202f» à «\u202fPriorités\u202f»."));
    assert.ok(html.includes('data-show-if="q.transport" data-show-if-value="bus"'));
    assert.ok(html.includes('name="q.bus_line"'), "a conditional question is always drawn");
  });

  it("shows choices, scale ends, hints and values back", () => {
    const { values } = readResponse(survey, valid);
    const html = render({ values });
    assert.match(html, /<input type="radio" id="f-q.transport" name="q.transport" value="foot" checked/);
    assert.match(html, /<input type="checkbox" id="f-q.needs-2" name="q.needs" value="shade" checked/);
    assert.match(html, /value="4" checked/);
    assert.ok(html.includes("1 — Pas du tout") && html.includes("5 — Tout à fait"));
    assert.ok(html.includes(escaped("Choisissez jusqu'à 2 réponses.")));
    assert.ok(html.includes("Votre prénom (facultatif)"));
    assert.ok(html.includes("Un nombre entre 0 et 100\u202f000."));
    assert.ok(html.includes('value="1 500,50"'));
  });

  it("escapes titles, descriptions, options and values", () => {
    const def: SurveyDefinition = {
      questions: [
        { id: "c", type: "single_choice", title: `Choix ${hostile}`, description: `Aide ${hostile}`, required: true, options: [{ value: `v${hostile}`, label: `Option ${hostile}` }] },
        { id: "t", type: "long_text", title: `Texte ${hostile}`, required: false, maxLength: 100, showIf: { question: "c", equals: `v${hostile}` } },
      ],
    };
    const html = SurveyFields({ ctx: view, def, values: { "q.t": hostile, "q.c": `v${hostile}` } }) as string;
    assert.equal(outsideAttributes(html).includes("<script"), false);
    assert.ok(html.includes("&lt;script>"));
  });

  it("renders results as tables and charts, with texts only when published", () => {
    const results = aggregate(survey, [
      { transport: "foot", needs: ["light"], satisfaction: 4, idea: `Idée ${hostile}`, spend: 10, visit: "2025-03-01" },
      { transport: "bus", needs: ["light", "water"], satisfaction: 5, idea: "Seconde\nligne", spend: 20, visit: "2025-01-01" },
    ]);
    const hidden = SurveyResults({ ctx: view, def: survey, results, publishTexts: false }) as string;
    assert.ok(hidden.includes("2 personnes ont répondu au questionnaire."));
    assert.ok(hidden.includes("Les réponses libres ne sont pas publiées."));
    assert.ok(!hidden.includes("Idée"), "unpublished texts are not in the page");
    assert.ok(!hidden.includes("<details"));
    assert.match(hidden, /<th scope="row">À pied<\/th><td>1<\/td><td>50 %<\/td>/);
    assert.match(hidden, /<th scope="row">Éclairage<\/th><td>2<\/td><td>100 %<\/td>/);
    assert.ok(hidden.includes("Plusieurs réponses étaient possibles"));
    assert.equal((hidden.match(/<img src="data:image\/svg\+xml;base64,/g) ?? []).length, 3, "one chart per choice and scale question");
    assert.ok(hidden.includes('alt="Réponses à «\u202fSatisfaction\u202f»"'));
    const chart = Buffer.from(/<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(hidden)![1]!, "base64").toString("utf8");
    assert.match(chart, /role="img"/);
    assert.ok(chart.includes("1 (50 %)"));
    assert.ok(hidden.includes("<dd>4,5</dd>"), "the mean of 4 and 5");
    assert.ok(hidden.includes("<dd>1er janvier 2025</dd>") && hidden.includes("<dd>1er mars 2025</dd>"));
    assert.ok(hidden.includes(escaped("Personne n'a encore répondu à cette question.")), "for the number of children nobody gave");

    const shown = SurveyResults({ ctx: view, def: survey, results, publishTexts: true }) as string;
    assert.ok(shown.includes("<details><summary>Lire les 2 réponses</summary>"));
    assert.ok(shown.includes("<p>Seconde</p><p>ligne</p>"));
    assert.equal(outsideAttributes(shown).includes("<script"), false);
    assert.ok(shown.includes("Idée &#34;>&lt;script>"));

    const none = SurveyResults({ ctx: view, def: survey, results: aggregate(survey, []), publishTexts: true }) as string;
    assert.ok(none.includes(escaped("Personne n'a encore répondu au questionnaire.")));
  });
});
