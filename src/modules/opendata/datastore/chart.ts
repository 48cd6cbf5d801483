import { scaleBand, scaleLinear, scalePoint } from "d3-scale";
import { line } from "d3-shape";

/** A bar or line chart drawn on the server as SVG: it shows on any phone, with no script. */

export type ChartKind = "bar" | "line";

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { top: 16, right: 16, bottom: 72, left: 72 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

export function renderChart(input: {
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
    parts.push(`<line x1="0" x2="${innerWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`, `<text x="-6" y="${y(tick)}" dy="0.32em" text-anchor="end" fill="#333">${escapeXml(input.formatNumber(tick))}</text>`);
  }
  // Label every bar when they fit, else every n-th one, so that labels never overlap.
  const every = Math.max(1, Math.ceil(labels.length / 16));
  const labelAt = (x: number, label: string, index: number) =>
    index % every === 0 ? `<text transform="translate(${x},${innerHeight + 8}) rotate(40)" text-anchor="start" fill="#333">${escapeXml(label.slice(0, 24))}</text>` : "";
  if (input.kind === "bar") {
    const x = scaleBand().domain(labels.map((_, index) => String(index))).range([0, innerWidth]).padding(0.15);
    input.points.forEach((point, index) => {
      const top = y(Math.max(0, point.value));
      const height = Math.abs(y(point.value) - y(0));
      parts.push(
        `<rect x="${x(String(index))}" y="${top}" width="${x.bandwidth()}" height="${height}" fill="#0b4f8a"><title>${escapeXml(`${point.label} : ${input.formatNumber(point.value)}`)}</title></rect>`,
        labelAt((x(String(index)) ?? 0) + x.bandwidth() / 2, point.label, index),
      );
    });
  } else {
    const x = scalePoint().domain(labels.map((_, index) => String(index))).range([0, innerWidth]).padding(0.5);
    const path = line<{ label: string; value: number }>()
      .x((_, index) => x(String(index)) ?? 0)
      .y((point) => y(point.value))(input.points);
    parts.push(`<path d="${path ?? ""}" fill="none" stroke="#0b4f8a" stroke-width="2"/>`);
    input.points.forEach((point, index) => {
      parts.push(
        `<circle cx="${x(String(index))}" cy="${y(point.value)}" r="3" fill="#0b4f8a"><title>${escapeXml(`${point.label} : ${input.formatNumber(point.value)}`)}</title></circle>`,
        labelAt(x(String(index)) ?? 0, point.label, index),
      );
    });
  }
  parts.push(`<line x1="0" x2="${innerWidth}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`, "</g></svg>");
  return parts.join("");
}
