/*
 * A municipality's wall clock: what a person there calls today, and the instant they mean by a
 * date and a time typed in a form. Intl knows every zone's history; its formatters are costly to
 * build, so one is kept per zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsOf(instant: Date, timeZone: string): Record<string, string> {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formatters.set(timeZone, format);
  }
  return Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
}

/** An instant as the wall-clock `YYYY-MM-DD` and `HH:MM` of a time zone, as forms show them. */
export function wallClock(instant: Date, timeZone: string): { date: string; time: string } {
  const parts = partsOf(instant, timeZone);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** Today in a time zone, as YYYY-MM-DD. */
export const localToday = (timeZone: string, now = new Date()): string => wallClock(now, timeZone).date;

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetMs(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const parts = partsOf(new Date(whole), timeZone);
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - whole;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The instant a wall-clock date and time name in a time zone, or undefined when either is not a
 * real date or time (30 February, 25:00). A second pass corrects the offset across a change of
 * daylight saving time.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date | undefined {
  const d = DATE_PATTERN.exec(date);
  const t = TIME_PATTERN.exec(time);
  if (!d || !t) return undefined;
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const wall = Date.UTC(year, month - 1, day, Number(t[1]), Number(t[2]));
  const check = new Date(wall);
  // 2026-02-30 would roll over to March: refuse it rather than guess.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const first = wall - offsetMs(wall, timeZone);
  return new Date(wall - offsetMs(first, timeZone));
}
