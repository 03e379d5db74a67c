/** `1 snapshot`, `2 snapshots`, `0 volumes`: a count with its noun, singular only for one. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
