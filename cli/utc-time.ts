/** A moment as operators read it in a table: `2024-05-01 03:10 UTC`. */
export function utcMinute(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
