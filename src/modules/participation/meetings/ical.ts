/**
 * An iCalendar feed (RFC 5545) of public meetings — council sessions, consultations, budget
 * assemblies — that residents subscribe to from their phone's calendar.
 *
 * Everything is written in UTC (`…Z`), so events need no VTIMEZONE and the output does not depend
 * on the server's TZ. DTSTAMP is the event's last update rather than the time of the request, so
 * the same data always gives the same bytes (ETags and caches work, tests are exact).
 *
 * Meeting titles and places are typed by staff and may be copied from anywhere: every text value
 * is escaped, and a URL goes through the WHATWG parser, which drops CR, LF and tabs, so no value
 * can end its line and start a property or component of its own.
 */

const CRLF = "\r\n";
/** RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;

export type MeetingStatus = "CONFIRMED" | "CANCELLED";
const STATUSES: ReadonlySet<string> = new Set<MeetingStatus>(["CONFIRMED", "CANCELLED"]);

export interface CalendarEvent {
  /** Globally unique and stable across updates, e.g. `${meetingId}@${host}`. */
  uid: string;
  start: Date;
  end: Date;
  title: string;
  description: string;
  location: string;
  /** Absolute http(s) URL of the meeting's page. */
  url: string;
  status: MeetingStatus;
  /** Last change of the meeting; written as DTSTAMP and LAST-MODIFIED. */
  updated: Date;
}

export interface CalendarInput {
  /** Who made the feed, e.g. `-//Cité Ouverte//Participation//FR`. */
  prodId: string;
  /** Shown by calendar apps as the subscription's name. */
  name: string;
  /** Absolute http(s) URL of the page listing the meetings. */
  url: string;
  events: CalendarEvent[];
}

// Lone surrogates cannot be encoded in UTF-8 (they would become U+FFFD on the wire); replacing
// them here keeps the octet count used for folding equal to what is sent.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// TEXT allows no control character but HTAB (§3.3.11); C1 controls go too, as NEL (U+0085) is a
// line break to some parsers.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma get a backslash, every
 * line break (CRLF, LF or a lone CR) becomes `\n`, other control characters are removed.
 */
export function escapeText(value: string): string {
  return value
    .replace(LONE_SURROGATE, "\uFFFD")
    .replace(/[\\;,]/g, (char) => `\\${char}`)
    .replace(/\r\n|\r|\n/g, "\\n")
    .replace(CONTROL, "");
}

/**
 * Folds a content line (RFC 5545 §3.1) so that every physical line is at most 75 UTF-8 octets,
 * the leading space of a continuation included, cutting only between code points so that each
 * physical line is valid UTF-8 on its own. Returns the line without its final CRLF.
 */
export function foldLine(line: string): string {
  const physical: string[] = [];
  let current = "";
  let octets = 0;
  let limit = MAX_LINE_OCTETS;
  for (const char of line) {
    const size = Buffer.byteLength(char, "utf8");
    if (octets + size > limit) {
      physical.push(current);
      current = "";
      octets = 0;
      limit = MAX_LINE_OCTETS - 1; // the space that starts a continuation line is one of its octets
    }
    current += char;
    octets += size;
  }
  physical.push(current);
  return physical.join(`${CRLF} `);
}

/** `YYYYMMDDTHHMMSSZ`, seconds truncated. */
function utc(date: Date, what: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`${what} is not a valid date`);
  const iso = date.toISOString();
  // Years outside 0000–9999 come out as ±YYYYYY, which DATE-TIME cannot hold.
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`${what} is outside the years 0000–9999`);
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** URI values are not TEXT: they are not escaped but must be URLs, and are normalised by the URL parser. */
function uri(value: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TypeError(`${what} is not an absolute URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new TypeError(`${what} is not an http(s) URL`);
  return parsed.href;
}

const UTC_TIMEZONE: [string, string][] = [
  ["BEGIN", "VTIMEZONE"],
  ["TZID", "UTC"],
  ["BEGIN", "STANDARD"],
  ["DTSTART", "19700101T000000"],
  ["TZOFFSETFROM", "+0000"],
  ["TZOFFSETTO", "+0000"],
  ["TZNAME", "UTC"],
  ["END", "STANDARD"],
  ["END", "VTIMEZONE"],
];

/**
 * The feed as a string of CRLF-terminated lines, to be sent as `text/calendar; charset=utf-8`.
 * Throws on data that would make an invalid calendar: a bad date, an end before the start, a
 * missing or repeated UID, a URL that is not http(s), an unknown status.
 */
export function calendar(input: CalendarInput): string {
  const lines: string[] = [];
  const add = (name: string, value: string) => lines.push(foldLine(`${name}:${value}`));

  add("BEGIN", "VCALENDAR");
  add("VERSION", "2.0");
  add("PRODID", escapeText(input.prodId));
  add("CALSCALE", "GREGORIAN");
  add("METHOD", "PUBLISH");
  // X-WR-CALNAME for Apple and Google, NAME and URL from RFC 7986 for the others.
  add("X-WR-CALNAME", escapeText(input.name));
  add("NAME", escapeText(input.name));
  add("URL", uri(input.url, "calendar url"));

  const uids = new Set<string>();
  for (const event of input.events) {
    if (typeof event.uid !== "string" || event.uid.trim() === "") throw new RangeError("an event has no uid");
    const uid = escapeText(event.uid);
    // Two VEVENTs with one UID and no RECURRENCE-ID are the same event twice: clients keep one at random.
    if (uids.has(uid)) throw new RangeError(`uid ${event.uid} is used twice`);
    uids.add(uid);
    if (!STATUSES.has(event.status)) throw new RangeError(`event ${event.uid} has status ${String(event.status)}`);
    const start = utc(event.start, `start of ${event.uid}`);
    const end = utc(event.end, `end of ${event.uid}`);
    if (event.end.getTime() < event.start.getTime()) throw new RangeError(`event ${event.uid} ends before it starts`);
    const updated = utc(event.updated, `update of ${event.uid}`);

    add("BEGIN", "VEVENT");
    add("UID", uid);
    add("DTSTAMP", updated);
    add("LAST-MODIFIED", updated);
    add("DTSTART", start);
    // DTEND MUST be later than DTSTART (§3.6.1); without it an event lasts no time, as asked.
    if (end !== start) add("DTEND", end);
    add("SUMMARY", escapeText(event.title));
    add("DESCRIPTION", escapeText(event.description));
    add("LOCATION", escapeText(event.location));
    add("URL", uri(event.url, `url of ${event.uid}`));
    add("STATUS", event.status);
    add("SEQUENCE", "0");
    add("END", "VEVENT");
  }

  // RFC 5545 §3.6 asks a calendar for at least one component, and strict parsers refuse one
  // without: a feed with no meeting yet carries the UTC time zone its events would be written in.
  if (input.events.length === 0) {
    for (const [name, value] of UTC_TIMEZONE) add(name, value);
  }

  add("END", "VCALENDAR");
  return lines.join(CRLF) + CRLF;
}
