import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchFacts, benchHelp, parseBenchArgs } from '../../local/benchmark/options';

const FACTS: BenchFacts = { scenarios: ['100', '1000', '10000-latency'], demoRuns: ['--fleet 10000'] };
const parse = (...argv: string[]) => parseBenchArgs(argv, FACTS);

describe('npm run bench: options', () => {
  test.each([
    [[], { kind: 'scenarios', write: false }],
    [['--write'], { kind: 'scenarios', write: true }],
    [['--only', '100,10000-latency'], { kind: 'scenarios', only: ['100', '10000-latency'], write: false }],
    [['--only', '1000', '--write'], { kind: 'scenarios', only: ['1000'], write: true }],
    [['--cold-starts'], { kind: 'cold-starts', write: false }],
    [['--demo-fleet', '--write'], { kind: 'demo-fleet', write: true }],
    [['--report-only', '--write'], { kind: 'report-only', write: true }],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['--write', '--help'], { kind: 'help' }],
    [['--scenario', '1000'], { kind: 'scenario-child', scenario: '1000' }],
    [['--demo-child', '--fleet', '10'], { kind: 'demo-child', args: ['--fleet', '10'] }],
  ])('GIVEN %j THEN %j', (argv, expected) => {
    expect(parse(...argv)).toEqual(expected);
  });

  test.each([
    [['--frobnicate'], /^unknown option --frobnicate; accepted options: --only, .*--write, --help/],
    [['--only', '100,nope'], /^unknown scenario "nope"; scenarios: 100, 1000, 10000-latency$/],
    [['--only'], /^--only needs a value: LIST$/],
    [['--write=yes'], /^--write takes no value$/],
    [['--cold-starts', '--report-only'], /^--cold-starts and --report-only exclude each other$/],
    [['--only', '100', '--demo-fleet'], /^--only and --demo-fleet exclude each other$/],
    [['report'], /^unexpected argument "report"; options start with --/],
    [['--scenario', '100', '--write'], /^--write does not apply to --scenario/],
    [['--scenario', 'nope'], /^unknown scenario "nope"/],
  ])('GIVEN %j THEN refused with one line naming the option', (argv, message) => {
    const parsed = parse(...argv);
    expect(parsed).toEqual({ kind: 'usage-error', message: expect.stringMatching(message) });
    expect(parsed.kind === 'usage-error' && parsed.message).not.toContain('\n');
  });

  test('--help names every option, every scenario, and what --write writes', () => {
    const help = benchHelp(FACTS);
    for (const option of [
      '--only LIST',
      '--cold-starts',
      '--demo-fleet',
      '--report-only',
      '--write',
      '--help',
    ]) {
      expect(help).toMatch(new RegExp(`^ {2}${option} `, 'm'));
    }
    expect(help).toContain('Scenarios: 100, 1000, 10000-latency');
    expect(help).toMatch(/--write +Write the figures to benchmarks\.json and the report to BENCHMARKS\.md/);
    expect(help.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });
});

describe('npm run bench: the entry as typed', () => {
  const ROOT = join(__dirname, '..', '..');
  const bench = (...args: string[]) =>
    spawnSync(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'bin', 'ebs-backup-bench.ts'), ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
  const committed = () =>
    ['benchmarks.json', 'BENCHMARKS.md'].map((file) => readFileSync(join(ROOT, file), 'utf8'));

  test('GIVEN --help THEN the usage on stdout, exit 0, nothing run or written', () => {
    const before = committed();
    const run = bench('--help');
    expect({ code: run.status, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: npm run bench -- \[options\]/);
    expect(committed()).toEqual(before);
  });

  test('GIVEN an unknown option THEN one line naming it, exit 2', () => {
    const run = bench('--frobnicate');
    expect({ code: run.status, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(/^npm run bench: unknown option --frobnicate;/),
      '',
    ]);
  });
});
