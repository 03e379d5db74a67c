/**
 * The grammar of the generation tag (SPEC §1.2): surrounding ASCII white space is ignored, the
 * rest must be ASCII digits only, 0…1000. Anything else is invalid with a reason an operator
 * can act on; nothing is guessed (no parseInt, which would accept `2.5`, `1e3` or `12abc`).
 */
export const MAX_GENERATION = 1000;

export type GenerationTag =
  | { kind: 'generation'; generations: number }
  | { kind: 'skip' }
  | { kind: 'invalid'; value: string; reason: string };

const ASCII_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const ASCII_DIGITS = /^[0-9]+$/;

/** A tag value without its surrounding ASCII white space (only that: no-break spaces are kept). */
export function trimAsciiSpace(raw: string): string {
  return raw.replace(ASCII_SPACE, '');
}

export function parseGenerationTag(raw: string): GenerationTag {
  const value = trimAsciiSpace(raw);
  if (value === '') {
    return {
      kind: 'invalid',
      value: raw,
      reason: `is empty; expected a whole number from 0 to ${MAX_GENERATION}`,
    };
  }
  if (!ASCII_DIGITS.test(value)) {
    return {
      kind: 'invalid',
      value: raw,
      reason: `is not a whole number of ASCII digits; expected 0 to ${MAX_GENERATION}`,
    };
  }
  const generations = Number(value);
  if (generations > MAX_GENERATION) {
    return {
      kind: 'invalid',
      value: raw,
      reason: `is above ${MAX_GENERATION}; expected 0 to ${MAX_GENERATION}`,
    };
  }
  return generations === 0 ? { kind: 'skip' } : { kind: 'generation', generations };
}
