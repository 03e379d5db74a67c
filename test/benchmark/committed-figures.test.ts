import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkFigures } from '../../local/benchmark/report';
import { MACHINE_MEASURES, runScenario, SCENARIOS, type ScenarioRow } from '../../local/benchmark/scenario';

/**
 * The committed figures describe the code beside them: the `1000` scenario is run again here,
 * as `npm run bench` runs it, and its row must equal the one in benchmarks.json in everything but
 * what measures this machine (MACHINE_MEASURES). A change that moves a figure fails here until
 * `npm run bench -- --write` records it. One scenario keeps `npm test` quick: 1,000 volumes take
 * a few seconds (10,000 would take 20 to 40 s more on this shared 2-core machine).
 */
const CHECKED = '1000';
const RUN_TIMEOUT_MS = 60_000;
/** What every row carries at least (issue 16), so that rows compare across scenarios and commits. */
const REQUIRED: (keyof ScenarioRow)[] = [
  'scenario',
  'seed',
  'volumes',
  'status',
  'executionSeconds',
  'creationSeconds',
  'creationBoundSeconds',
  'throttledPerMutatingCall',
  'ec2CallsPerVolumeExcludingCreateDelete',
  'transitionsPerVolume',
  'failedVolumes',
  'parentHistoryEvents',
  'maxPayloadBytes',
];

function withoutMachineMeasures(row: ScenarioRow): Partial<ScenarioRow> {
  const copy: Partial<ScenarioRow> = { ...row };
  for (const field of MACHINE_MEASURES) delete copy[field];
  return copy;
}

describe('benchmarks.json: the committed figures are what the code gives', () => {
  const committed = (
    JSON.parse(readFileSync(join(__dirname, '..', '..', 'benchmarks.json'), 'utf8')) as BenchmarkFigures
  ).rows.find((row) => row.scenario === CHECKED);

  it(
    `GIVEN the ${CHECKED} scenario run again THEN its row is the committed one (run \`npm run bench -- --write\` after a change that moves it)`,
    async () => {
      const scenario = SCENARIOS.find((s) => s.name === CHECKED);
      if (!scenario || !committed) throw new Error(`benchmarks.json and SCENARIOS must both have ${CHECKED}`);
      const fresh = await runScenario(scenario);
      expect(Object.keys(fresh)).toEqual(expect.arrayContaining(REQUIRED));
      expect(withoutMachineMeasures(fresh)).toEqual(withoutMachineMeasures(committed));
    },
    RUN_TIMEOUT_MS,
  );
});

describe('benchmarks.json: every committed row carries the figures rows are compared by', () => {
  const { rows } = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'benchmarks.json'), 'utf8'),
  ) as BenchmarkFigures;
  it.each(rows.map((row) => [row.scenario, row]))('THEN %s has them', (_, row) => {
    expect(Object.keys(row)).toEqual(expect.arrayContaining(REQUIRED));
  });
});
