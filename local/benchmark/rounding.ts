/** `value` rounded to `digits` decimals, as every figure of a row is. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
