import stringWidth from 'string-width';

/** The widest a cell may be before it is cut with "…": a 300-character Name must not break the table. */
export const MAX_CELL_WIDTH = 40;

/** Cuts `text` to at most `max` terminal columns (wide characters count two), marking the cut with "…". */
export function fitWidth(text: string, max = MAX_CELL_WIDTH): string {
  if (stringWidth(text) <= max) return text;
  let out = '';
  for (const char of text) {
    if (stringWidth(`${out}${char}…`) > max) break;
    out += char;
  }
  return `${out}…`;
}

/**
 * Lines of an aligned table, padded by display width (East Asian wide characters and emoji take
 * two columns), every cell cut to MAX_CELL_WIDTH except the last column.
 */
export function table(rows: readonly (readonly string[])[], indent = ''): string[] {
  const fitted = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : fitWidth(cell))));
  const widths: number[] = [];
  for (const row of fitted) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, stringWidth(cell));
    });
  }
  return fitted.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - stringWidth(cell))))
        .join('  ')
        .trimEnd(),
  );
}
