import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureHandlerLoadMs } from './init-duration';
import { benchmarksMarkdown } from './report';
import { runScenario, SCENARIOS, type ScenarioRow } from './scenario';

const ROOT = join(__dirname, '..', '..');
const JSON_FILE = join(ROOT, 'benchmarks.json');
const MARKDOWN_FILE = join(ROOT, 'BENCHMARKS.md');
const ROW_MARK = 'BENCH-ROW ';

/**
 * `npm run bench [-- --only 100,1000]`: runs each scenario in a process of its own (so that its
 * peak RSS is its own), then writes benchmarks.json and BENCHMARKS.md. Rows of scenarios not
 * run this time are kept from the previous benchmarks.json. `--scenario NAME --init-ms MS` is
 * the child's mode; `--report-only` rewrites BENCHMARKS.md from benchmarks.json.
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
  const previous: ScenarioRow[] = existsSync(JSON_FILE)
    ? JSON.parse(readFileSync(JSON_FILE, 'utf8')).rows
    : [];
  if (argv.includes('--report-only')) {
    writeFileSync(MARKDOWN_FILE, benchmarksMarkdown(previous));
    formatLikeTheRepository();
    return;
  }
  const only = option('--only')?.split(',');
  const initMs = Math.ceil(measureHandlerLoadMs());
  console.error(`INIT (bundled create-snapshot handler load, median of 5): ${initMs} ms`);
  const rows: ScenarioRow[] = [];
  for (const scenario of SCENARIOS) {
    if (only && !only.includes(scenario.name)) {
      const kept = previous.find((row) => row.scenario === scenario.name);
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
  writeFileSync(JSON_FILE, `${JSON.stringify({ rows }, null, 2)}\n`);
  writeFileSync(MARKDOWN_FILE, benchmarksMarkdown(rows));
  formatLikeTheRepository();
  console.error(`Wrote ${JSON_FILE} and ${MARKDOWN_FILE}`);
}

/** The generated files are committed: formatted as `npm run lint` expects. */
function formatLikeTheRepository(): void {
  spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', JSON_FILE, MARKDOWN_FILE], {
    stdio: 'ignore',
  });
}
