/**
 * The platform's one chart helper: SVG drawn on the server, so that a chart shows on any phone
 * with no script. Every text that reaches the SVG (titles, labels, values — often typed by people)
 * goes through escapeXml; each chart is an image with an accessible name (its title), and the page
 * that shows it puts the same numbers in a table beside it.
 */
import { scaleBand, scaleLinear, scaleUtc } from "d3-scale";
import { line } from "d3-shape";

export type ChartKind = "bar" | "line";

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { top: 16, right: 16, bottom: 72, left: 72 };

// #0b4f8a on white: contrast 8.6:1; #1a1a1a text: 17:1; #5f6b78 (muted bars): 5.6:1. WCAG AA.
const COLOURS = { bar: "#0b4f8a", muted: "#5f6b78", text: "#1a1a1a", grid: "#ddd", axis: "#333" };

/** Text and attribute values made inert in SVG: the five XML specials, and no control characters. */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** Rough width of a character of the 12 px axis font, to make room for labels instead of cutting them. */
const CHAR_WIDTH = 6.5;
/** Longer labels are shortened where drawn, whole in their tooltip (`<title>`). */
const MAX_LABEL_CHARS = 50;
/** Labels run at this angle (degrees) below the axis, so long ones do not overlap. */
const LABEL_ANGLE = 40;

export interface ValuePoint {
  label: string;
  value: number;
  /** The point's day when the dimension is a date: it is then placed on a time scale. */
  date?: Date;
}

function shorten(label: string): string {
  return label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS - 1)}…` : label;
}

/** Ticks of a time axis in the reader's language: days, months or years, as the span asks. */
function timeTickFormat(locale: string, from: Date, to: Date): (date: Date) => string {
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  const options: Intl.DateTimeFormatOptions =
    days > 3 * 366 ? { year: "numeric", timeZone: "UTC" } : days > 62 ? { month: "short", year: "numeric", timeZone: "UTC" } : { day: "numeric", month: "short", timeZone: "UTC" };
  const format = new Intl.DateTimeFormat(locale, options);
  return (date) => format.format(date);
}

/**
 * Vertical bars or a line of a datastore column against another. Labels are drawn whole up to
 * MAX_LABEL_CHARS, slanted below the axis, with room made for them (the chart grows downwards
 * and leftwards rather than cutting them); a longer label is shortened, its full text in the
 * tooltip. When every point has a date, the horizontal axis is a time scale: points are spaced
 * by the time between them, not as categories, and ticks are dates in the reader's language.
 */
export function valueChartSvg(input: {
  kind: ChartKind;
  points: ValuePoint[];
  title: string;
  formatNumber: (value: number) => string;
  /** BCP 47 tag for the dates of a time axis (fr-FR, pt-PT, en-GB). */
  locale?: string;
}): string {
  const dated = input.points.length > 0 && input.points.every((point) => point.date instanceof Date && !Number.isNaN(point.date.getTime()));
  const labels = input.points.map((point) => shorten(point.label));
  const every = Math.max(1, Math.ceil(labels.length / 16));
  const drawn = labels.filter((_, index) => index % every === 0);
  const longest = Math.max(0, ...drawn.map((label) => label.length));
  const sin = Math.sin((LABEL_ANGLE * Math.PI) / 180);
  const cos = Math.cos((LABEL_ANGLE * Math.PI) / 180);
  // Dates label the axis horizontally (a few ticks); categories slant, and need room below and left.
  const margin = dated
    ? { ...MARGIN, bottom: 40 }
    : { ...MARGIN, bottom: Math.max(40, Math.ceil(16 + longest * CHAR_WIDTH * sin)), left: Math.max(MARGIN.left, Math.ceil(24 + (drawn[0]?.length ?? 0) * CHAR_WIDTH * cos)) };
  const height = MARGIN.top + (HEIGHT - MARGIN.top - MARGIN.bottom) + margin.bottom;
  const innerWidth = WIDTH - margin.left - margin.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(0, ...input.points.map((point) => point.value));
  const min = Math.min(0, ...input.points.map((point) => point.value));
  const y = scaleLinear().domain([min, max || 1]).nice().range([innerHeight, 0]);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(input.title)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<g transform="translate(${margin.left},${margin.top})">`,
  );
  for (const tick of y.ticks(5)) {
    parts.push(`<line x1="0" x2="${innerWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="${COLOURS.grid}"/>`, `<text x="-6" y="${y(tick)}" dy="0.32em" text-anchor="end" fill="${COLOURS.axis}">${escapeXml(input.formatNumber(tick))}</text>`);
  }
  const tooltip = (point: ValuePoint) => `<title>${escapeXml(`${point.label} : ${input.formatNumber(point.value)}`)}</title>`;
  // Each point's horizontal centre and, for bars, their width.
  let centres: number[];
  let barWidth: number;
  if (dated) {
    const dates = input.points.map((point) => point.date!);
    const first = new Date(Math.min(...dates.map(Number)));
    const last = new Date(Math.max(...dates.map(Number)));
    // The narrowest gap between two dates sets the bar width, so that bars never overlap.
    const sorted = [...dates].map(Number).sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((value, index) => value - sorted[index]!).filter((gap) => gap > 0);
    const gap = gaps.length ? Math.min(...gaps) : 86_400_000;
    const x = scaleUtc()
      .domain([new Date(first.getTime() - gap / 2), new Date(last.getTime() + gap / 2)])
      .range([0, innerWidth]);
    centres = dates.map((date) => x(date));
    barWidth = Math.max(1, (x(new Date(first.getTime() + gap)) - x(first)) * 0.8);
    const format = timeTickFormat(input.locale ?? "fr-FR", first, last);
    // Every n-th tick, so that their labels (drawn level, whole) never run into each other.
    const ticks = x.ticks(Math.min(8, Math.max(2, input.points.length)));
    const widest = Math.max(0, ...ticks.map((tick) => format(tick).length)) * CHAR_WIDTH + 12;
    const spacing = ticks.length > 1 ? x(ticks[1]!) - x(ticks[0]!) : innerWidth;
    const step = Math.max(1, Math.ceil(widest / Math.max(1, spacing)));
    for (const tick of ticks.filter((_, index) => index % step === 0)) {
      parts.push(
        `<line x1="${x(tick)}" x2="${x(tick)}" y1="${innerHeight}" y2="${innerHeight + 5}" stroke="${COLOURS.axis}"/>`,
        `<text x="${x(tick)}" y="${innerHeight + 18}" text-anchor="middle" fill="${COLOURS.axis}">${escapeXml(format(tick))}</text>`,
      );
    }
  } else {
    const band = scaleBand().domain(labels.map((_, index) => String(index))).range([0, innerWidth]).padding(0.15);
    centres = labels.map((_, index) => (band(String(index)) ?? 0) + band.bandwidth() / 2);
    barWidth = band.bandwidth();
    input.points.forEach((point, index) => {
      if (index % every !== 0) return;
      // Anchored at its end under the tick, the label runs down to the left: never past the right edge.
      parts.push(
        `<g transform="translate(${centres[index]},${innerHeight + 10}) rotate(-${LABEL_ANGLE})"><title>${escapeXml(point.label)}</title><text text-anchor="end" dy="0.32em" fill="${COLOURS.axis}">${escapeXml(labels[index]!)}</text></g>`,
      );
    });
  }
  if (input.kind === "bar") {
    input.points.forEach((point, index) => {
      const top = y(Math.max(0, point.value));
      const barHeight = Math.abs(y(point.value) - y(0));
      parts.push(`<rect x="${centres[index]! - barWidth / 2}" y="${top}" width="${barWidth}" height="${barHeight}" fill="${COLOURS.bar}">${tooltip(point)}</rect>`);
    });
  } else {
    const order = input.points.map((point, index) => ({ point, x: centres[index]! })).sort((a, b) => (dated ? a.x - b.x : 0));
    const path = line<{ point: ValuePoint; x: number }>()
      .x((entry) => entry.x)
      .y((entry) => y(entry.point.value))(order);
    parts.push(`<path d="${path ?? ""}" fill="none" stroke="${COLOURS.bar}" stroke-width="2"/>`);
    for (const entry of order) parts.push(`<circle cx="${entry.x}" cy="${y(entry.point.value)}" r="3" fill="${COLOURS.bar}">${tooltip(entry.point)}</circle>`);
  }
  parts.push(`<line x1="0" x2="${innerWidth}" y1="${y(0)}" y2="${y(0)}" stroke="${COLOURS.axis}"/>`, "</g></svg>");
  return parts.join("");
}

const BARS = {
  padding: 8,
  labelHeight: 18,
  barHeight: 18,
  gap: 10,
  /** Room right of the longest bar for its value. */
  valueRoom: 72,
  fontSize: 13,
  /** Rough width of a character at that size, to shorten labels that would overflow. */
  charWidth: 7,
};

export interface HorizontalBar {
  label: string;
  value: number;
  /** The value as people read it ("12 (40 %)", "1 500 votes"). */
  valueText: string;
  /** Drawn in grey: a project not funded, an option not retained. */
  muted?: boolean;
}

/**
 * Horizontal bars, one per row, each with its label above it and its value after it, so that the
 * chart reads without colours or hovering (survey results, budget votes). Negative or non-finite
 * values draw no bar; a label too long for the width is shortened where it is drawn.
 */
export function horizontalBarsSvg(bars: HorizontalBar[], options: { title: string; width?: number }): string {
  const width = Math.round(Math.min(1200, Math.max(240, options.width ?? 640)));
  const rows = bars.map((bar) => ({ ...bar, label: String(bar.label), value: Number.isFinite(bar.value) && bar.value > 0 ? bar.value : 0 }));
  const rowHeight = BARS.labelHeight + BARS.barHeight + BARS.gap;
  const height = BARS.padding * 2 + Math.max(1, rows.length) * rowHeight - BARS.gap;
  const max = Math.max(0, ...rows.map((row) => row.value));
  const x = scaleLinear()
    .domain([0, max || 1])
    .range([0, width - BARS.padding * 2 - BARS.valueRoom]);
  const maxChars = Math.floor((width - BARS.padding * 2) / BARS.charWidth);
  const title = escapeXml(options.title);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${title}" font-family="sans-serif" font-size="${BARS.fontSize}">`,
    `<title>${title}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  rows.forEach((row, index) => {
    const top = BARS.padding + index * rowHeight;
    const barTop = top + BARS.labelHeight;
    const barWidth = Math.round(x(row.value) * 100) / 100;
    const label = row.label.length > maxChars ? `${row.label.slice(0, Math.max(1, maxChars - 1))}…` : row.label;
    parts.push(
      `<g><title>${escapeXml(`${row.label} — ${row.valueText}`)}</title>`,
      `<text x="${BARS.padding}" y="${top + BARS.fontSize}" fill="${COLOURS.text}">${escapeXml(label)}</text>`,
      `<rect x="${BARS.padding}" y="${barTop}" width="${barWidth}" height="${BARS.barHeight}" fill="${row.muted ? COLOURS.muted : COLOURS.bar}"/>`,
      `<text x="${BARS.padding + barWidth + 6}" y="${barTop + BARS.fontSize}" fill="${COLOURS.text}" font-weight="bold">${escapeXml(row.valueText)}</text>`,
      "</g>",
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

/** The SVG's own size, for the width and height of the image that shows it. */
export function svgSize(svg: string): { width: string; height: string } | undefined {
  const size = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  return size ? { width: size[1]!, height: size[2]! } : undefined;
}
