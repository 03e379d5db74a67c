import { parseArgs } from 'node:util';

/**
 * The command lines of `npm start` (local/demo/cli-options.ts) and `npm run bench`
 * (local/benchmark/options.ts): one table of options drives both parsing and `--help`, so an
 * option cannot exist without its help line, and a bad option is one line naming it and what it
 * accepts, never a stack trace.
 */
export interface OptionSpec {
  /** The value's placeholder in --help; absent for flags. */
  value?: string;
  help: string;
  /** For the error line: what the option accepts (default: its placeholder). */
  accepts?: string;
  /** Set by the program for its own child processes, not by hand: left out of the error line. */
  internal?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export type ParsedOptions = { values: Record<string, string | boolean | undefined> } | { error: string };

/** `argv` (without node and the script) by the table, strictly; `--help` also as `-h`. Never throws. */
export function parseOptionTable(argv: readonly string[], table: OptionTable): ParsedOptions {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.entries(table).map(([name, spec]) => [
          name,
          { type: spec.value ? 'string' : 'boolean', ...(name === 'help' && { short: 'h' }) },
        ]),
      ) as Record<string, { type: 'string' | 'boolean' }>,
    });
    return { values };
  } catch (error) {
    return { error: parseArgsMessage(error as Error & { code?: string }, table) };
  }
}

/** What node:util's parseArgs refused, as one line naming the option and what it accepts. */
function parseArgsMessage(error: Error & { code?: string }, table: OptionTable): string {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1];
  const known = Object.entries(table)
    .filter(([, spec]) => !spec.internal)
    .map(([name]) => `--${name}`)
    .join(', ');
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}; accepted options: ${known} (see --help)`.replace('  ', ' ');
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const spec = Object.entries(table).find(([name]) => option === `--${name}`)?.[1];
      const accepts = spec?.accepts ?? spec?.value;
      return accepts ? `${option} needs a value: ${accepts}` : `${option ?? 'an option'} takes no value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${option ?? JSON.stringify(/'([^']*)'/.exec(error.message)?.[1] ?? '')}; options start with -- (see --help)`;
    default:
      return `${error.message} (see --help)`;
  }
}

/** `  --option VALUE   help…`, the help wrapped to 100 columns under its own column. */
export function helpLine(name: string, spec: OptionSpec, column: number): string {
  const flag = `  --${name}${spec.value ? ` ${spec.value}` : ''}`.padEnd(column);
  return wrap(spec.help, column)
    .map((line, i) => (i === 0 ? flag + line.trimStart() : line))
    .join('\n');
}

/** Words into lines of at most 100 columns; the lines after the first indented by `indent`. */
export function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((words, i) => (i === 0 ? words : ' '.repeat(indent) + words));
}
