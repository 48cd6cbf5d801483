/*
 * National identity numbers per country: how people copy them from their card, and what is
 * stored. Country knowledge, not a module's: any form may ask for one.
 */

export interface NationalIdFormat {
  /** Checked against the normalised value. */
  pattern: RegExp;
  /** As printed on the card, shown to people in hints and error messages. */
  example: string;
  /** What is stored: people copy the number with the spaces, dots or dashes of the card. */
  normalise: (raw: string) => string;
}

const compact = (raw: string) => raw.toUpperCase().replace(/[\s.\-/_]/g, "");

/**
 * Formats per country. Only Senegal and Mali are described precisely by public sources we could
 * read; the others are assumptions, deliberately loose, to be tightened once a civil-registry
 * contact confirms them. A too-strict pattern would lock people out of a procedure, a loose one
 * only lets a typo through to the agent who checks the card anyway.
 */
export const NATIONAL_ID_FORMATS = {
  // NIN of the ECOWAS biometric card (since October 2016): 13 digits, the first giving the sex
  // (1 or 2). Printed in groups separated by spaces.
  SN: { pattern: /^[12]\d{12}$/, example: "1 751 1990 01234", normalise: compact },
  // NPI, decree of 14 April 2025: 18 characters, 13 digits and 3 letters then a 2-digit check
  // key. Where the letters sit is our inference (a prefecture code such as CKY), so any place in
  // the first 16 characters is accepted. The check key algorithm is not public: not verified.
  // Older cards (still held by most people) carry a plain number: ASSUMED 6 to 14 digits.
  GN: { pattern: /^((?=(?:\d*[A-Z]){3}\d*$)[0-9A-Z]{16}\d{2}|\d{6,14})$/, example: "1 95 03 CKY 01 02 1234 45", normalise: compact },
  // ASSUMED: no public description of the number on the Bissau-Guinean ECOWAS card was found.
  GW: { pattern: /^\d{8,13}$/, example: "123456789", normalise: compact },
  // ASSUMED: the former card carried a 7-digit number; the AES biometric card (decree of
  // 26 December 2025) is not described yet.
  NE: { pattern: /^\d{7,13}$/, example: "1234567", normalise: compact },
  // NINA, law 06-040 of 2006: 14 digits (nationality, sex, year, 7-digit place, 3-digit rank)
  // followed by a check letter.
  ML: { pattern: /^\d{14}[A-Z]$/, example: "1 1 89 0101001 023 C", normalise: compact },
  // ASSUMED: the NNI (not the "CI00…" number of the card itself) as 11 digits.
  CI: { pattern: /^\d{11}$/, example: "123 4567 8901", normalise: compact },
  // ASSUMED: CNIB numbers as the letter B followed by 7 or 8 digits.
  BF: { pattern: /^B\d{7,8}$/, example: "B 1234567", normalise: compact },
} as const satisfies Record<string, NationalIdFormat>;

export type NationalIdCountry = keyof typeof NATIONAL_ID_FORMATS;
export const NATIONAL_ID_COUNTRIES = Object.keys(NATIONAL_ID_FORMATS) as NationalIdCountry[];

/** For a municipality outside the table: letters and digits only, so that stored ids compare. */
const ANY_NATIONAL_ID: NationalIdFormat = { pattern: /^[0-9A-Z]{5,20}$/, example: "AB123456", normalise: compact };

export function nationalIdFormat(country: string): NationalIdFormat {
  return (NATIONAL_ID_FORMATS as Record<string, NationalIdFormat>)[country] ?? ANY_NATIONAL_ID;
}
