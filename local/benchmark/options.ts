import { type OptionSpec, helpLine as optionHelpLine, parseOptionTable, wrap } from '../option-table';

/**
 * The options of `npm run bench` (bin/ebs-backup-bench.ts). As for `npm start`
 * (local/demo/cli-options.ts), one table drives parsing and `--help`, and a bad option is one
 * line naming it (exit 2), before anything runs. The committed figures change only with
 * `--write`: a run to look at the numbers leaves benchmarks.json and BENCHMARKS.md alone.
 */

/** What the help names and the parser accepts, from the benchmark's own lists. */
export interface BenchFacts {
  readonly scenarios: readonly string[];
  /** The `npm start` options of each `--demo-fleet` run, e.g. `--fleet 10000`. */
  readonly demoRuns: readonly string[];
}

export type BenchRequest =
  | { kind: 'scenarios'; only?: string[]; write: boolean }
  | { kind: 'cold-starts'; write: boolean }
  | { kind: 'demo-fleet'; write: boolean }
  | { kind: 'report-only'; write: boolean }
  /** The benchmark's own child processes: one scenario, or the demo as `npm start` runs it. */
  | { kind: 'scenario-child'; scenario: string }
  | { kind: 'demo-child'; args: string[] }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

/** Starts the child that runs the demo; every argument after it is the demo's own. */
export const DEMO_CHILD = '--demo-child';

const OPTIONS = {
  only: {
    value: 'LIST',
    help: 'Run only these scenarios (comma-separated names, below). The rows of the others and the cold starts are kept from benchmarks.json.',
  },
  'cold-starts': { help: 'Measure only the cold starts of the bundled handlers.' },
  'demo-fleet': { help: 'Measure only `npm start` at scale, each run in a child process.' },
  'report-only': { help: 'Run nothing: the report from benchmarks.json as it is.' },
  write: {
    help: 'Write the figures to benchmarks.json and the report to BENCHMARKS.md (formatted as `npm run lint` expects). Without it both files are left as they are and the report goes to stdout.',
  },
  help: { help: 'Show this help.' },
  scenario: { value: 'NAME', internal: true, help: 'Run one scenario and print its row.' },
} satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;
const NAMES = Object.keys(OPTIONS) as OptionName[];
/** Each picks what is measured; without any, every scenario and the cold starts. */
const MODES = ['only', 'cold-starts', 'demo-fleet', 'report-only'] as const satisfies OptionName[];
const HELP_COLUMN = 24;

export function benchHelp(facts: BenchFacts): string {
  const lines = (internal: boolean) =>
    NAMES.filter((name) => ((OPTIONS[name] as OptionSpec).internal ?? false) === internal).map(helpLine);
  return `Usage: npm run bench -- [options]      (or: npx tsx bin/ebs-backup-bench.ts [options])

Measures the workflow at scale on the simulated account (local/benchmark/): each scenario in a
process of its own (wall time, peak RSS, EC2 calls, state transitions, cost), the cold starts of
the handlers bundled as deployed, and \`npm start\` at scale. A full run takes a few minutes.

Options:
${lines(false).join('\n')}

${wrap(`Scenarios: ${facts.scenarios.join(', ')}`, 2).join('\n')}
${wrap(`--demo-fleet runs: ${facts.demoRuns.map((run) => `npm start -- ${run}`).join('; ')}`, 2).join('\n')}

Internal (the benchmark's own child processes):
${lines(true).join('\n')}
${`  ${DEMO_CHILD} ARGS…`.padEnd(HELP_COLUMN)}Run the demo with these options and print its peak RSS.

Exit codes: 0 measured (and written with --write); 1 a scenario or run crashed; 2 a bad option,
nothing run or written.

Examples:
  npm run bench -- --only 100,1000           the two small scenarios, report on stdout
  npm run bench -- --write                   everything, then both files rewritten
  npm run bench -- --cold-starts --write
  npm run bench -- --report-only --write     BENCHMARKS.md again from benchmarks.json
`;
}

function helpLine(name: OptionName): string {
  return optionHelpLine(name, OPTIONS[name], HELP_COLUMN);
}

/** Parses `argv` (without node and the script). Never throws. */
export function parseBenchArgs(argv: readonly string[], facts: BenchFacts): BenchRequest {
  if (argv[0] === DEMO_CHILD) return { kind: 'demo-child', args: argv.slice(1) };
  const parsed = parseOptionTable(argv, OPTIONS);
  if ('error' in parsed) return { kind: 'usage-error', message: parsed.error };
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  const given = NAMES.filter((name) => values[name] !== undefined);
  const refuse = (message: string): BenchRequest => ({ kind: 'usage-error', message });
  if (values.scenario !== undefined) {
    const scenario = values.scenario as string;
    const other = given.find((name) => name !== 'scenario');
    if (other) return refuse(`--${other} does not apply to --scenario (the benchmark's own child)`);
    if (!facts.scenarios.includes(scenario)) return refuse(unknownScenario(scenario, facts));
    return { kind: 'scenario-child', scenario };
  }
  const modes = MODES.filter((name) => values[name] !== undefined);
  if (modes.length > 1) return refuse(`--${modes[0]} and --${modes[1]} exclude each other`);
  const write = values.write === true;
  switch (modes[0]) {
    case 'cold-starts':
    case 'demo-fleet':
    case 'report-only':
      return { kind: modes[0], write };
    case 'only': {
      const only = (values.only as string).split(',').map((name) => name.trim());
      const unknown = only.find((name) => !facts.scenarios.includes(name));
      return unknown === undefined
        ? { kind: 'scenarios', only, write }
        : refuse(unknownScenario(unknown, facts));
    }
    default:
      return { kind: 'scenarios', write };
  }
}

function unknownScenario(name: string, facts: BenchFacts): string {
  return `unknown scenario ${JSON.stringify(name)}; scenarios: ${facts.scenarios.join(', ')}`;
}
