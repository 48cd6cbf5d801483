import { Html } from "@kitajs/html";
import { inkFor } from "../../../core/tenancy/brand.js";
import type { Municipality } from "../../../core/tenancy/index.js";

/** The network's blue, for municipalities that have not chosen a colour. */
export const NETWORK_COLOR = "#0b4f8a";

/**
 * Simplified outlines of the network's four countries, in the map's equirectangular frame
 * (x = (longitude + 18) × 10, y = (24 − latitude) × 10): a few dozen points each, enough to
 * recognise the shapes at a few hundred pixels wide.
 */
const COUNTRY_OUTLINES: Record<string, string> = {
  SN: "M5 93 14 84 15 78 25 75 37 74 46 79 58 92 66 106 66 116 56 116 43 114 28 113 13 116 12 109 26 108 42 107 42 104 26 104 14 104 12 102 8 95Z",
  GW: "M13 116 28 113 43 114 43 123 33 125 30 131 25 129 18 125 13 119Z",
  GN: "M43 114 56 116 66 116 73 121 85 116 92 120 98 128 101 138 104 156 96 164 87 166 86 155 77 155 73 147 68 140 58 141 48 149 44 145 34 138 30 131 33 125 43 123Z",
  NE: "M182 91 193 87 216 84 223 71 223 48 238 46 254 31 299 5 316 9 322 14 331 25 339 36 335 71 319 86 316 103 303 109 287 107 270 112 258 107 248 109 234 101 221 105 216 123 208 116 201 114 190 110 190 107 184 104 182 96Z",
};

/** Where each country's name sits, outside the towns' labels. */
const COUNTRY_LABELS: Record<string, [number, number]> = { SN: [18, 68], GW: [2, 147], GN: [62, 176], NE: [262, 62] };

const MAP_WIDTH = 345;
const MAP_HEIGHT = 182;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function project(longitude: number, latitude: number): [number, number] {
  return [Math.round((longitude + 18) * 100) / 10, Math.round((24 - latitude) * 100) / 10];
}

/**
 * The network on a map: the four countries' outlines and a dot per municipality, linked to its
 * portal. The map repeats the list of municipalities beside it, so it is hidden from assistive
 * technologies and its links are out of the tab order: keyboard and screen-reader users get the
 * same links once, in the list.
 */
export function NetworkMap(props: { municipalities: Municipality[]; countryName: (code: string) => string }): JSX.Element {
  const placed = props.municipalities
    .filter((m) => m.latitude !== null && m.longitude !== null)
    .map((m) => ({ m, at: project(m.longitude!, m.latitude!) }))
    .filter(({ at: [x, y] }) => x >= 0 && x <= MAP_WIDTH && y >= 0 && y <= MAP_HEIGHT)
    .sort((a, b) => a.at[1] - b.at[1]);
  // Each label takes the first place, right of its dot, left, below, above, or right a line or
  // two lower or higher, where it covers no other label and no dot but those sharing its place.
  const boxes: Box[] = Object.entries(COUNTRY_LABELS).map(([code, [x, y]]) => ({ x, y: y - 8, width: props.countryName(code).length * 5, height: 10 }));
  const dots = placed.map(({ at: [x, y] }) => ({ x: x - 4, y: y - 4, width: 8, height: 8 }));
  const towns = placed.map(({ m, at: [x, y] }, index) => {
    const width = m.name.length * 5.6;
    const own = dots[index]!;
    const inside = (left: number) => Math.min(Math.max(left, 0), MAP_WIDTH - width);
    const candidates: { box: Box; anchor: "start" | "end" }[] = [
      { box: { x: x + 5, y: y - 5, width, height: 10 }, anchor: "start" },
      { box: { x: x - 5 - width, y: y - 5, width, height: 10 }, anchor: "end" },
      { box: { x: inside(x - width / 2), y: y + 4, width, height: 10 }, anchor: "start" },
      { box: { x: inside(x - width / 2), y: y - 14, width, height: 10 }, anchor: "start" },
      ...[10, 20, -10, -20, 30].map((shift) => ({ box: { x: x + 5, y: y - 5 + shift, width, height: 10 }, anchor: "start" as const })),
    ];
    const obstacles = [...boxes, ...dots.filter((dot, i) => i !== index && !overlaps(dot, own))];
    const free = (box: Box) => box.x >= 0 && box.x + box.width <= MAP_WIDTH && box.y >= 0 && box.y + box.height <= MAP_HEIGHT && !obstacles.some((other) => overlaps(box, other));
    const chosen = candidates.find((candidate) => free(candidate.box)) ?? candidates[0]!;
    boxes.push(chosen.box);
    const textX = chosen.anchor === "start" ? chosen.box.x : chosen.box.x + width;
    return { m, x, y, textX: Math.round(textX * 10) / 10, textY: Math.round((chosen.box.y + 8.5) * 10) / 10, anchor: chosen.anchor };
  });
  return (
    <svg class="map" viewBox={`0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`} aria-hidden="true" focusable="false">
      <g fill="#e8eef4" stroke="#7a8ea3" stroke-width="0.8">
        {Object.entries(COUNTRY_OUTLINES).map(([code, d]) => (
          <path d={d} data-country={code} />
        ))}
      </g>
      <g fill="#555" font-size="9" font-style="italic">
        {Object.entries(COUNTRY_LABELS).map(([code, [x, y]]) => (
          <text x={String(x)} y={String(y)} safe>
            {props.countryName(code)}
          </text>
        ))}
      </g>
      <g font-size="10" font-weight="600">
        {towns.map(({ m, x, y, textX, textY, anchor }) => (
          <a href={`/${m.slug}/`} tabindex="-1" data-town={m.slug}>
            <circle cx={String(x)} cy={String(y)} r="3.2" fill={m.brand_color ?? NETWORK_COLOR} stroke="#1a1a1a" stroke-width="0.8" />
            <text x={String(textX)} y={String(textY)} text-anchor={anchor} fill="#1a1a1a" safe>
              {m.name}
            </text>
          </a>
        ))}
      </g>
    </svg>
  );
}

/** Up to two capitals: the first letters of the name's first two words (Fass-Colobane: FC). */
export function initialsOf(name: string): string {
  const words = name.split(/[\s\-–'’]+/u).filter((word) => /^\p{Lu}/u.test(word));
  const letters = (words.length > 0 ? words : [name]).slice(0, 2).map((word) => [...word][0] ?? "");
  return letters.join("").toLocaleUpperCase("fr");
}

/**
 * The municipality's mark: its initials on a shield of its colour, generated rather than uploaded
 * so that no file from outside is ever drawn inside our pages (an uploaded SVG can carry script
 * and links, and sanitising it reliably is a project of its own).
 */
export function MunicipalMark(props: { municipality: Municipality; label: string; size?: number }): JSX.Element {
  const color = props.municipality.brand_color ?? NETWORK_COLOR;
  const initials = initialsOf(props.municipality.name);
  const size = props.size ?? 72;
  return (
    <svg class="mark" viewBox="0 0 64 72" width={String(Math.round((size * 64) / 72))} height={String(size)} role="img" aria-label={props.label} data-color={color}>
      <path d="M32 2 60 10V34C60 52 47 64 32 70 17 64 4 52 4 34V10Z" fill={color} stroke="#1a1a1a" stroke-opacity="0.25" stroke-width="2" />
      <text x="32" y="44" text-anchor="middle" font-size={initials.length > 1 ? "24" : "30"} font-weight="700" fill={inkFor(color)}>
        {Html.escapeHtml(initials)}
      </text>
    </svg>
  );
}
