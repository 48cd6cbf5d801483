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

/**
 * The one form of an identifier that limits and look-ups count by: an e-mail address lower-cased,
 * a phone number in E.164 however it was written ("77 000 01 12", "00221770000112"). What is
 * neither keeps only its digits, so that spacing does not make it another identity either.
 */
export function normalizedIdentity(input: string, defaultCountry: string | undefined): string {
  const text = input.trim();
  if (text.includes("@")) return text.toLowerCase();
  return normalizePhone(text, defaultCountry) ?? `?${text.replace(/\D/g, "")}`;
}
