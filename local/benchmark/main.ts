import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ColdStarts, measureColdStarts } from './cold-starts';
import { DEMO_FLEET_ARGS, type DemoFleetRun, measureDemoFleet, runDemoChild } from './demo-fleet-run';
import { type BenchFacts, type BenchRequest, benchHelp, parseBenchArgs } from './options';
import { type BenchmarkFigures, benchmarksMarkdown } from './report';
import { runScenario, SCENARIOS, type ScenarioRow } from './scenario';

const ROOT = join(__dirname, '..', '..');
const JSON_FILE = join(ROOT, 'benchmarks.json');
const MARKDOWN_FILE = join(ROOT, 'BENCHMARKS.md');
const ROW_MARK = 'BENCH-ROW ';

const FACTS: BenchFacts = {
  scenarios: SCENARIOS.map((scenario) => scenario.name),
  demoRuns: DEMO_FLEET_ARGS.map((args) => args.join(' ')),
};

/**
 * `npm run bench -- [options]` (`--help` lists them): runs each scenario in a process of its own
 * (so that its peak RSS is its own) and measures the handlers' cold starts, or with an option
 * only the cold starts (`--cold-starts`), only `npm start` at scale (`--demo-fleet`), or nothing
 * (`--report-only`). What is not run this time is kept from the previous benchmarks.json: rows of
 * scenarios not in `--only` (and the cold starts, with `--only`), the `npm start` figures. The
 * report goes to stdout, or with `--write` into BENCHMARKS.md and benchmarks.json. Resolves to
 * the exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const request = parseBenchArgs(argv, FACTS);
  switch (request.kind) {
    case 'help':
      process.stdout.write(benchHelp(FACTS));
      return 0;
    case 'usage-error':
      process.stderr.write(`npm run bench: ${request.message}\n`);
      return 2;
    case 'scenario-child':
      await runScenarioChild(request.scenario);
      return 0;
    case 'demo-child':
      await runDemoChild(request.args);
      return 0;
  }
  const previous: BenchmarkFigures = existsSync(JSON_FILE)
    ? JSON.parse(readFileSync(JSON_FILE, 'utf8'))
    : { rows: [] };
  const figures = await measure(request, previous);
  if (request.write) write(figures);
  else {
    process.stdout.write(benchmarksMarkdown(figures));
    console.error(`${JSON_FILE} and ${MARKDOWN_FILE} left as they are: --write writes them`);
  }
  return 0;
}

async function runScenarioChild(name: string): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.name === name) as (typeof SCENARIOS)[number];
  const row = await runScenario(scenario);
  process.stdout.write(`${ROW_MARK}${JSON.stringify(row)}\n`);
}

type Measurement = Extract<BenchRequest, { write: boolean }>;

async function measure(request: Measurement, previous: BenchmarkFigures): Promise<BenchmarkFigures> {
  switch (request.kind) {
    case 'report-only':
      return previous;
    case 'cold-starts':
      return { ...previous, coldStarts: coldStarts() };
    case 'demo-fleet':
      return {
        ...previous,
        demoFleet: { baseline: previous.demoFleet?.baseline ?? [], measured: demoFleet() },
      };
    case 'scenarios': {
      const rows = scenarioRows(request.only, previous);
      return { ...previous, rows, coldStarts: request.only ? previous.coldStarts : coldStarts() };
    }
  }
}

function demoFleet(): DemoFleetRun[] {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  return DEMO_FLEET_ARGS.map((args) => {
    console.error(`npm start --silent -- ${args.join(' ')}…`);
    const run = measureDemoFleet(args, commit);
    console.error(`  exit ${run.exitCode} in ${run.wallSeconds} s wall, ${run.peakRssMb} MB peak RSS`);
    return run;
  });
}

function scenarioRows(only: string[] | undefined, previous: BenchmarkFigures): ScenarioRow[] {
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
      [...process.execArgv, process.argv[1], '--scenario', scenario.name],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith(ROW_MARK));
    if (run.status !== 0 || !line) throw new Error(`Scenario ${scenario.name} failed (exit ${run.status})`);
    const row = JSON.parse(line.slice(ROW_MARK.length)) as ScenarioRow;
    console.error(`  ${row.status} in ${row.wallSeconds} s wall, ${row.peakRssMb} MB peak RSS`);
    rows.push(row);
  }
  return rows;
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
