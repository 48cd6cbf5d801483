/**
 * The one rule for a redirect target a person can choose (`next` after sign-in, the language
 * picker…): a path of this site, never another site. Browsers read `//host` and `/\host` (and
 * the same with a tab or a line break inside, which they drop) as another origin, and a proxy
 * or a framework may decode `%2F` or `%5C` once more before a browser sees the address. So the
 * target must be a same-site path as sent and after every decoding; anything doubtful falls back.
 */
const MAX_LENGTH = 2000;
const ROUNDS = 3;
// Control characters and backslashes, anywhere.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/;
const ORIGIN = "http://same-site.invalid";

function offSite(candidate: string): boolean {
  if (!candidate.startsWith("/") || candidate.startsWith("//") || FORBIDDEN.test(candidate)) return true;
  try {
    return new URL(candidate, ORIGIN).origin !== ORIGIN;
  } catch {
    return true;
  }
}

/** Decodes the escapes of ASCII characters only: those are what could turn a path into a host. */
function decodeAscii(text: string): string {
  return text.replace(/%([0-7][0-9a-fA-F])/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `value` when it is a path of this site, `fallback` otherwise. */
export function safeNext(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  let candidate = value;
  for (let round = 0; round <= ROUNDS; round++) {
    if (offSite(candidate)) return fallback;
    const decoded = decodeAscii(candidate);
    if (decoded === candidate) return value;
    candidate = decoded;
  }
  // Still decoding after several rounds: nobody sends that in good faith.
  return fallback;
}
