/**
 * How each state's official documents open: its name and its motto, in its own official language
 * whatever the document's (a Senegalese document in English still says "République du Sénégal").
 * Keyed by ISO 3166-1 code; a country not listed opens with its name from the catalogues alone.
 * Constitutional texts, not interface strings: they are not translated.
 */
export const STATE_HEADINGS: Record<string, { state: string; motto: string }> = {
  SN: { state: "République du Sénégal", motto: "Un Peuple – Un But – Une Foi" },
  GN: { state: "République de Guinée", motto: "Travail – Justice – Solidarité" },
  NE: { state: "République du Niger", motto: "Fraternité – Travail – Progrès" },
  GW: { state: "República da Guiné-Bissau", motto: "Unidade, Luta, Progresso" },
};
