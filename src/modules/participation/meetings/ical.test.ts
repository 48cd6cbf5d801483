import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calendar, escapeText, foldLine, type CalendarEvent, type CalendarInput } from "./ical.js";

function event(overrides: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    uid: "conseil-2026-03@rufisque.example.sn",
    start: new Date(Date.UTC(2026, 2, 14, 9, 0, 0)),
    end: new Date(Date.UTC(2026, 2, 14, 12, 30, 0)),
    title: "Conseil municipal",
    description: "Ordre du jour : budget 2026",
    location: "Hôtel de ville, salle des délibérations",
    url: "https://rufisque.example.sn/participation/reunions/42",
    status: "CONFIRMED",
    updated: new Date(Date.UTC(2026, 1, 20, 16, 45, 7)),
    ...overrides,
  };
}

function input(events: CalendarEvent[]): CalendarInput {
  return {
    prodId: "-//Cité Ouverte//Participation//FR",
    name: "Réunions publiques de Rufisque",
    url: "https://rufisque.example.sn/participation",
    events,
  };
}

/** Logical lines, as a client reads them: split on CRLF, then join continuation lines (§3.1). */
function unfold(text: string): string[] {
  return text
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .slice(0, -1);
}

const octets = (line: string) => Buffer.byteLength(line, "utf8");

function assertWellFolded(text: string) {
  assert.ok(text.endsWith("\r\n"), "the last line ends with CRLF");
  for (const line of text.split("\r\n").slice(0, -1)) {
    assert.ok(octets(line) <= 75, `${octets(line)} octets: ${line}`);
    assert.doesNotMatch(line, /[\r\n]/, "no bare CR or LF");
    // Each physical line decodes on its own: no multi-byte character was cut.
    assert.equal(Buffer.from(line, "utf8").toString("utf8"), line);
    assert.doesNotMatch(line, /\uFFFD/);
  }
}

describe("escapeText", () => {
  it("escapes backslash, semicolon and comma, and turns every line break into \\n", () => {
    assert.equal(escapeText("a\\b;c,d"), "a\\\\b\\;c\\,d");
    assert.equal(escapeText("un\r\ndeux\ntrois\rquatre"), "un\\ndeux\\ntrois\\nquatre");
    assert.equal(escapeText("\r\n\r\n"), "\\n\\n");
  });

  it("escapes a backslash before an n, so a literal \\n stays literal", () => {
    assert.equal(escapeText("C:\\new"), "C:\\\\new");
  });

  it("leaves colons, quotes, tabs and non-ASCII text alone", () => {
    assert.equal(escapeText('Ordre du jour : "budget"\tÀ voir 🗳️'), 'Ordre du jour : "budget"\tÀ voir 🗳️');
  });

  it("removes other control characters and replaces lone surrogates", () => {
    assert.equal(escapeText("a\u0000b\u0007c\u000Bd\u001Be\u007Ff\u0085g"), "abcdefg");
    assert.equal(escapeText("x\uD83Dy\uDE00z"), "x\uFFFDy\uFFFDz");
  });
});

describe("foldLine", () => {
  it("leaves a line of exactly 75 octets alone and folds one of 76", () => {
    assert.equal(foldLine("x".repeat(75)), "x".repeat(75));
    assert.equal(foldLine("x".repeat(76)), `${"x".repeat(75)}\r\n x`);
    assert.equal(foldLine(""), "");
  });

  it("counts the leading space of continuation lines", () => {
    const folded = foldLine("x".repeat(75 + 74 + 74 + 1));
    assert.deepEqual(
      folded.split("\r\n").map((line) => line.length),
      [75, 75, 75, 2],
    );
  });

  it("never cuts a multi-byte character, at any offset, and unfolds to the original", () => {
    // 2-, 3- and 4-octet characters and a ZWJ emoji sequence, shifted one octet at a time so that
    // every kind of character lands on the 75-octet boundary.
    const text = "Délibération n°12 — ‘Assainissement’ à Thiès, Kédougou & Ziguinchor 🇸🇳 👩🏾‍🌾 ".repeat(5);
    for (let shift = 0; shift < 8; shift++) {
      const line = `DESCRIPTION:${"x".repeat(shift)}${text}`;
      const folded = foldLine(line);
      const physical = folded.split("\r\n");
      assert.ok(physical.length > 5);
      for (const [index, part] of physical.entries()) {
        assert.ok(octets(part) <= 75, `shift ${shift}, line ${index}: ${octets(part)} octets`);
        // Lines are as full as allowed: a cut only happens when the next character (≤ 4 octets) does not fit.
        if (index < physical.length - 1) assert.ok(octets(part) > 71, `shift ${shift}, line ${index} is short`);
        if (index > 0) assert.ok(part.startsWith(" "));
      }
      assertWellFolded(`${folded}\r\n`);
      assert.deepEqual(unfold(`${folded}\r\n`), [line]);
    }
  });
});

describe("calendar", () => {
  it("writes the calendar and its events with the expected properties", () => {
    const text = calendar(input([event(), event({ uid: "atelier-1@rufisque.example.sn", status: "CANCELLED" })]));
    const lines = unfold(text);
    assert.deepEqual(lines.slice(0, 9), [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Cité Ouverte//Participation//FR",
      "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH",
      "X-WR-CALNAME:Réunions publiques de Rufisque",
      "NAME:Réunions publiques de Rufisque",
      "URL:https://rufisque.example.sn/participation",
      "BEGIN:VEVENT",
    ]);
    assert.deepEqual(lines.slice(8, 23), [
      "BEGIN:VEVENT",
      "UID:conseil-2026-03@rufisque.example.sn",
      "DTSTAMP:20260220T164507Z",
      "LAST-MODIFIED:20260220T164507Z",
      "DTSTART:20260314T090000Z",
      "DTEND:20260314T123000Z",
      "SUMMARY:Conseil municipal",
      "DESCRIPTION:Ordre du jour : budget 2026",
      "LOCATION:Hôtel de ville\\, salle des délibérations",
      "URL:https://rufisque.example.sn/participation/reunions/42",
      "STATUS:CONFIRMED",
      "SEQUENCE:0",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:atelier-1@rufisque.example.sn",
    ]);
    assert.ok(lines.includes("STATUS:CANCELLED"));
    assert.equal(lines.at(-1), "END:VCALENDAR");
    assert.equal(lines.filter((line) => line === "BEGIN:VEVENT").length, 2);
    assert.equal(lines.filter((line) => line === "END:VEVENT").length, 2);
  });

  it("uses CRLF everywhere and folds every long line", () => {
    const long = "Consultation sur le plan d'aménagement du quartier — réunion d'information, questions et réponses ✊🏿 ".repeat(6);
    const text = calendar(input([event({ title: long, description: `${long}\n${long}`, location: long })]));
    assert.doesNotMatch(text.replace(/\r\n/g, ""), /[\r\n]/);
    assertWellFolded(text);
    const lines = unfold(text);
    assert.ok(lines.includes(`SUMMARY:${escapeText(long)}`));
    assert.ok(lines.includes(`DESCRIPTION:${escapeText(long)}\\n${escapeText(long)}`));
  });

  it("writes a valid empty calendar: with no meeting it still holds one component (RFC 5545 §3.6)", () => {
    const lines = unfold(calendar(input([])));
    assert.equal(lines[0], "BEGIN:VCALENDAR");
    assert.equal(lines.at(-1), "END:VCALENDAR");
    assert.ok(!lines.includes("BEGIN:VEVENT"));
    // The grammar of §3.6 and §3.6.5, checked line by line: properties before components, every
    // BEGIN closed by its END, a VTIMEZONE with its TZID and one STANDARD holding its required
    // DTSTART, TZOFFSETFROM and TZOFFSETTO.
    const stack: string[] = [];
    const components: { name: string; properties: Set<string>; children: string[] }[] = [];
    for (const line of lines.slice(1, -1)) {
      const [, name, value] = /^([A-Z-]+)[:;](.*)$/.exec(line) ?? [];
      assert.ok(name, `a content line: ${line}`);
      if (name === "BEGIN") {
        if (stack.length > 0) components.at(-1)!.children.push(value!);
        stack.push(value!);
        components.push({ name: value!, properties: new Set(), children: [] });
      } else if (name === "END") {
        assert.equal(stack.pop(), value, `END:${value} closes the component it opened`);
      } else if (stack.length === 0) {
        assert.ok(components.length === 0, `calendar property ${name} before any component`);
      } else {
        components.findLast((component) => component.name === stack.at(-1))!.properties.add(name);
      }
    }
    assert.deepEqual(stack, []);
    const timezone = components.find((component) => component.name === "VTIMEZONE");
    assert.ok(timezone, "a VTIMEZONE component");
    assert.ok(timezone.properties.has("TZID"));
    assert.deepEqual(timezone.children, ["STANDARD"]);
    const standard = components.find((component) => component.name === "STANDARD")!;
    for (const property of ["DTSTART", "TZOFFSETFROM", "TZOFFSETTO"]) assert.ok(standard.properties.has(property), property);
    assert.match(lines.find((line) => line.startsWith("TZOFFSETTO:"))!, /^TZOFFSETTO:[+-]\d{4}$/);
  });

  it("adds no time zone to a calendar of meetings, whose times are all in UTC", () => {
    const lines = unfold(calendar(input([event()])));
    assert.ok(!lines.includes("BEGIN:VTIMEZONE"));
  });

  it("does not let a hostile title, description, place, uid, name or URL create another event", () => {
    const injection = "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:Séance annulée\r\nURL:https://evil.example\r\n";
    const variants = [injection, injection.replace(/\r\n/g, "\n"), injection.replace(/\r\n/g, "\r"), injection.replace(/\r\n/g, "\u0085")];
    for (const hostile of variants) {
      const text = calendar({
        ...input([
          event({
            uid: `x${hostile}`,
            title: `Conseil${hostile}`,
            description: hostile,
            location: hostile,
            url: `https://rufisque.example.sn/r/42${hostile}`,
          }),
        ]),
        name: `Rufisque${hostile}`,
        prodId: `-//x//${hostile}`,
      });
      assertWellFolded(text);
      const lines = unfold(text);
      assert.equal(lines.filter((line) => line.startsWith("BEGIN:")).length, 2, JSON.stringify(hostile));
      assert.equal(lines.filter((line) => line.startsWith("END:")).length, 2);
      assert.equal(lines.filter((line) => line.startsWith("UID:")).length, 1);
      assert.ok(!lines.some((line) => line.startsWith("SUMMARY:Séance")));
      // Every line still starts with one of the properties this module writes.
      for (const line of lines) {
        assert.match(line, /^(BEGIN|END|VERSION|PRODID|CALSCALE|METHOD|X-WR-CALNAME|NAME|URL|UID|DTSTAMP|LAST-MODIFIED|DTSTART|DTEND|SUMMARY|DESCRIPTION|LOCATION|STATUS|SEQUENCE):/);
      }
    }
  });

  it("refuses a hostile status, since STATUS is written as is", () => {
    const status = "CONFIRMED\r\nBEGIN:VEVENT" as CalendarEvent["status"];
    assert.throws(() => calendar(input([event({ status })])), RangeError);
  });

  it("writes dates in UTC whatever the process time zone", () => {
    const saved = process.env.TZ;
    try {
      const outputs = new Set<string>();
      for (const zone of ["UTC", "Africa/Dakar", "Asia/Tokyo", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago"]) {
        process.env.TZ = zone;
        outputs.add(calendar(input([event()])));
        // A Date built from local time is the same instant written in UTC: 10:00 in Tokyo is 01:00Z.
        if (zone === "Asia/Tokyo") {
          const local = event({ start: new Date(2026, 2, 3, 10, 0, 0), end: new Date(2026, 2, 3, 11, 30, 0) });
          const lines = unfold(calendar(input([local])));
          assert.ok(lines.includes("DTSTART:20260303T010000Z"));
          assert.ok(lines.includes("DTEND:20260303T023000Z"));
        }
      }
      assert.equal(outputs.size, 1);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("truncates milliseconds and crosses midnight and year ends in UTC", () => {
    const lines = unfold(
      calendar(input([event({ start: new Date("2026-12-31T23:59:59.999Z"), end: new Date("2027-01-01T00:00:00.001Z") })])),
    );
    assert.ok(lines.includes("DTSTART:20261231T235959Z"));
    assert.ok(lines.includes("DTEND:20270101T000000Z"));
  });

  it("leaves DTEND out when the event takes no time, as RFC 5545 wants DTEND later than DTSTART", () => {
    const at = new Date(Date.UTC(2026, 2, 14, 9));
    const lines = unfold(calendar(input([event({ start: at, end: new Date(at.getTime() + 400) })])));
    assert.ok(lines.includes("DTSTART:20260314T090000Z"));
    assert.ok(!lines.some((line) => line.startsWith("DTEND")));
  });

  it("refuses data that would make an invalid calendar", () => {
    const bad: [string, Partial<CalendarEvent>, new (...args: never[]) => Error][] = [
      ["invalid start", { start: new Date("not a date") }, RangeError],
      ["invalid updated", { updated: new Date(Number.NaN) }, RangeError],
      ["year past 9999", { end: new Date(Date.UTC(10000, 0, 1)) }, RangeError],
      ["end before start", { end: new Date(Date.UTC(2026, 2, 14, 8, 59, 59)) }, RangeError],
      ["empty uid", { uid: "" }, RangeError],
      ["blank uid", { uid: " \r\n" }, RangeError],
      ["relative url", { url: "/reunions/42" }, TypeError],
      ["javascript url", { url: "javascript:alert(1)" }, TypeError],
    ];
    for (const [name, overrides, type] of bad) assert.throws(() => calendar(input([event(overrides)])), type, name);
    assert.throws(() => calendar({ ...input([]), url: "data:text/html,x" }), TypeError);
    assert.throws(() => calendar(input([event(), event()])), RangeError, "repeated uid");
  });

  it("writes URLs normalised and unescaped, as URI values are not TEXT", () => {
    const lines = unfold(calendar(input([event({ url: "https://rufisque.example.sn/réunions?id=42,43;x" })])));
    assert.ok(lines.includes("URL:https://rufisque.example.sn/r%C3%A9unions?id=42,43;x"));
  });

  it("gives the same bytes for the same data", () => {
    assert.equal(calendar(input([event()])), calendar(input([event()])));
  });
});
