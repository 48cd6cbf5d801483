/**
 * The platform's one chart helper: SVG drawn on the server, so that a chart shows on any phone
 * with no script. Every text that reaches the SVG (titles, labels, values — often typed by people)
 * goes through escapeXml; each chart is an image with an accessible name (its title), and the page
 * that shows it puts the same numbers in a table beside it.
 */
import { scaleBand, scaleLinear, scalePoint } from "d3-scale";
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

/** Vertical bars or a line over ordered labels (a datastore column against another). */
export function valueChartSvg(input: {
  kind: ChartKind;
  points: { label: string; value: number }[];
  title: string;
  formatNumber: (value: number) => string;
}): string {
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const labels = input.points.map((point) => point.label);
  const max = Math.max(0, ...input.points.map((point) => point.value));
  const min = Math.min(0, ...input.points.map((point) => point.value));
  const y = scaleLinear().domain([min, max || 1]).nice().range([innerHeight, 0]);
  const ticks = y.ticks(5);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(input.title)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<g transform="translate(${MARGIN.left},${MARGIN.top})">`,
  );
  for (const tick of ticks) {
    parts.push(`<line x1="0" x2="${innerWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="${COLOURS.grid}"/>`, `<text x="-6" y="${y(tick)}" dy="0.32em" text-anchor="end" fill="${COLOURS.axis}">${escapeXml(input.formatNumber(tick))}</text>`);
  }
  // Label every bar when they fit, else every n-th one, so that labels never overlap.
  const every = Math.max(1, Math.ceil(labels.length / 16));
  const labelAt = (x: number, label: string, index: number) =>
    index % every === 0 ? `<text transform="translate(${x},${innerHeight + 8}) rotate(40)" text-anchor="start" fill="${COLOURS.axis}">${escapeXml(label.slice(0, 24))}</text>` : "";
  if (input.kind === "bar") {
    const x = scaleBand().domain(labels.map((_, index) => String(index))).range([0, innerWidth]).padding(0.15);
    input.points.forEach((point, index) => {
      const top = y(Math.max(0, point.value));
      const height = Math.abs(y(point.value) - y(0));
      parts.push(
        `<rect x="${x(String(index))}" y="${top}" width="${x.bandwidth()}" height="${height}" fill="${COLOURS.bar}"><title>${escapeXml(`${point.label} : ${input.formatNumber(point.value)}`)}</title></rect>`,
        labelAt((x(String(index)) ?? 0) + x.bandwidth() / 2, point.label, index),
      );
    });
  } else {
    const x = scalePoint().domain(labels.map((_, index) => String(index))).range([0, innerWidth]).padding(0.5);
    const path = line<{ label: string; value: number }>()
      .x((_, index) => x(String(index)) ?? 0)
      .y((point) => y(point.value))(input.points);
    parts.push(`<path d="${path ?? ""}" fill="none" stroke="${COLOURS.bar}" stroke-width="2"/>`);
    input.points.forEach((point, index) => {
      parts.push(
        `<circle cx="${x(String(index))}" cy="${y(point.value)}" r="3" fill="${COLOURS.bar}"><title>${escapeXml(`${point.label} : ${input.formatNumber(point.value)}`)}</title></circle>`,
        labelAt(x(String(index)) ?? 0, point.label, index),
      );
    });
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
