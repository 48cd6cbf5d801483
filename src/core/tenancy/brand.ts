/**
 * A municipality's identity colour: how it is written (#rrggbb, lower case, as the column's
 * CHECK wants it) and which text colour stays readable on it.
 */

export const BRAND_COLOR_PATTERN = /^#[0-9a-f]{6}$/;

/** The colour as stored, from what a colour picker or a person typed; undefined when it is not #rrggbb. */
export function normalizeBrandColor(input: string): string | undefined {
  const value = input.trim().toLowerCase();
  return BRAND_COLOR_PATTERN.test(value) ? value : undefined;
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function relativeLuminance(color: string): number {
  const channel = (offset: number) => {
    const c = parseInt(color.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2 contrast ratio between two #rrggbb colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

export const LIGHT_INK = "#ffffff";
export const DARK_INK = "#000000";

/**
 * The text colour for a band of this colour: white or black, whichever contrasts more. Against
 * pure black and white one of the two always reaches at least 4.58:1, above the 4.5:1 of WCAG
 * AA for normal text, whatever colour the administrator picks.
 */
export function inkFor(color: string): typeof LIGHT_INK | typeof DARK_INK {
  return contrastRatio(color, LIGHT_INK) >= contrastRatio(color, DARK_INK) ? LIGHT_INK : DARK_INK;
}
