import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ColdStarts, measureColdStarts } from './cold-starts';
import { DEMO_FLEET_ARGS, measureDemoFleet, runDemoChild } from './demo-fleet-run';
import { measureHandlerLoadMs } from './init-duration';
import { type BenchmarkFigures, benchmarksMarkdown } from './report';
import { runScenario, SCENARIOS, type ScenarioRow } from './scenario';

const ROOT = join(__dirname, '..', '..');
const JSON_FILE = join(ROOT, 'benchmarks.json');
const MARKDOWN_FILE = join(ROOT, 'BENCHMARKS.md');
const ROW_MARK = 'BENCH-ROW ';

/**
 * `npm run bench [-- --only 100,1000]`: runs each scenario in a process of its own (so that its
 * peak RSS is its own) and measures the handlers' cold starts, then writes benchmarks.json and
 * BENCHMARKS.md. What is not run this time is kept from the previous benchmarks.json: rows of
 * scenarios not in `--only` (and the cold starts, with `--only`), the `npm start` figures.
 * `--cold-starts` measures only the cold starts; `--demo-fleet` only `npm start` at
 * `--fleet 10000`; `--report-only` rewrites BENCHMARKS.md from benchmarks.json. `--scenario NAME
 * --init-ms MS` and `--demo-child ARGS…` are the children's modes.
 */
export async function main(argv: string[]): Promise<void> {
  const option = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const child = option('--scenario');
  if (child !== undefined) {
    const scenario = SCENARIOS.find((s) => s.name === child);
    if (!scenario) throw new Error(`Unknown scenario ${child}`);
    const row = await runScenario(scenario, Number(option('--init-ms') ?? 0));
    process.stdout.write(`${ROW_MARK}${JSON.stringify(row)}\n`);
    return;
  }
  if (argv[0] === '--demo-child') return runDemoChild(argv.slice(1));
  const previous: BenchmarkFigures = existsSync(JSON_FILE)
    ? JSON.parse(readFileSync(JSON_FILE, 'utf8'))
    : { rows: [] };
  if (argv.includes('--report-only')) return write(previous);
  if (argv.includes('--cold-starts')) return write({ ...previous, coldStarts: coldStarts() });
  if (argv.includes('--demo-fleet')) {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const measured = DEMO_FLEET_ARGS.map((args) => {
      console.error(`npm start --silent -- ${args.join(' ')}…`);
      const run = measureDemoFleet(args, commit);
      console.error(`  exit ${run.exitCode} in ${run.wallSeconds} s wall, ${run.peakRssMb} MB peak RSS`);
      return run;
    });
    return write({ ...previous, demoFleet: { baseline: previous.demoFleet?.baseline ?? [], measured } });
  }
  const only = option('--only')?.split(',');
  const initMs = Math.ceil(measureHandlerLoadMs());
  console.error(`INIT (bundled create-snapshot handler load, median of 5): ${initMs} ms`);
  const rows: ScenarioRow[] = [];
  for (const scenario of SCENARIOS) {
    if (only && !only.includes(scenario.name)) {
      const kept = previous.rows.find((row) => row.scenario === scenario.name);
      if (kept) rows.push(kept);
      continue;
    }
    console.error(`scenario ${scenario.name}…`);
    const run = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1], '--scenario', scenario.name, '--init-ms', String(initMs)],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith(ROW_MARK));
    if (run.status !== 0 || !line) throw new Error(`Scenario ${scenario.name} failed (exit ${run.status})`);
    const row = JSON.parse(line.slice(ROW_MARK.length)) as ScenarioRow;
    console.error(`  ${row.status} in ${row.wallSeconds} s wall, ${row.peakRssMb} MB peak RSS`);
    rows.push(row);
  }
  write({ ...previous, rows, coldStarts: only ? previous.coldStarts : coldStarts() });
}

function coldStarts(): ColdStarts {
  console.error('cold starts: five handlers and a bare EC2Client handler, bundled as deployed…');
  return measureColdStarts();
}

function write(figures: BenchmarkFigures): void {
  const ordered = { rows: figures.rows, coldStarts: figures.coldStarts, demoFleet: figures.demoFleet };
  writeFileSync(JSON_FILE, `${JSON.stringify(ordered, null, 2)}\n`);
  writeFileSync(MARKDOWN_FILE, benchmarksMarkdown(ordered));
  formatLikeTheRepository();
  console.error(`Wrote ${JSON_FILE} and ${MARKDOWN_FILE}`);
}

/** The generated files are committed: formatted as `npm run lint` expects. */
function formatLikeTheRepository(): void {
  spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', JSON_FILE, MARKDOWN_FILE], {
    stdio: 'ignore',
  });
}
