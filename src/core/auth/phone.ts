import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

/**
 * Normalises a phone number typed as people write them in the region ("77 123 45 67",
 * "+224 620 00 00 00", "00245 955 123 456") to E.164, or returns null when it cannot be a
 * valid mobile or fixed number of that country.
 */
export function normalizePhone(input: string, defaultCountry: string | undefined): string | null {
  const cleaned = input.trim().replace(/^00/, "+");
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry as CountryCode | undefined);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

export function looksLikeEmail(input: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.trim());
}
