import { STACK_NAME } from '../../infra/build-app';
import {
  DEFAULT_DEMO_COPY_REGIONS,
  DEFAULT_MANAGED_BY,
  DEMO_REGION,
  parseCommandLine,
} from '../../local/demo/cli-options';
import { DEFAULT_LOCAL_DEPLOYMENT } from '../../local/runner/local-deployment';
import { runCli } from '../fixtures/demo-cli';

const EVERY_OPTION = [
  '--target',
  '--days',
  '--fleet',
  '--throttle-rate',
  '--fail-volume',
  '--seed',
  '--dry-run',
  '--live',
  '--yes',
  '--tag-key',
  '--managed-by',
  '--copy-regions',
  '--strict',
  '--json',
  '--help',
];

describe('npm start: options (SPEC §9)', () => {
  it.each([['--help'], ['-h']])(
    'GIVEN %s WHEN run THEN every option and the exit codes are listed, exit 0',
    async (flag) => {
      const { code, stdout, stderr } = await runCli([flag]);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      for (const option of EVERY_OPTION) expect(stdout).toMatch(new RegExp(`^  ${option}\\b`, 'm'));
      expect(stdout).toMatch(/^Exit codes:\n {2}0 .*\n(.*\n)* {2}1 .*--strict.*\n(.*\n)* {2}2 /m);
    },
  );

  it.each([
    [['--days', '0'], '--days "0" is not valid: expected a whole number from 1 to 30'],
    [['--days', '31'], '--days "31" is not valid'],
    [['--days', '2.5'], '--days "2.5" is not valid'],
    [['--days'], '--days needs a value: a whole number from 1 to 30'],
    [['--fleet', '-1'], '--fleet needs a value: a whole number from 0 to 10000'],
    [['--fleet', '10001'], '--fleet "10001" is not valid'],
    [['--throttle-rate', '1.5'], '--throttle-rate "1.5" is not valid: expected a probability from 0 to 1'],
    [['--throttle-rate', 'often'], '--throttle-rate "often" is not valid'],
    [['--seed', 'x'], '--seed "x" is not valid'],
    [['--target', 'gcp'], '--target "gcp" is not valid: expected simulated or aws'],
    [['--tag-key', 'aws:backup'], '--tag-key "aws:backup" is not valid'],
    [['--managed-by', ''], '--managed-by "" is not valid: expected a tag value of 1 to 256 characters'],
    [['--fail-volume', 'no-such-volume'], '--fail-volume "no-such-volume" is not a volume of the demo fleet'],
    [['--bogus'], 'unknown option --bogus; accepted options: --target, --days'],
    [['--json=yes'], '--json takes no value'],
    [['fast'], 'unexpected argument "fast"'],
    [['--live'], '--live applies to --target aws only'],
    [['--target', 'aws', '--days', '2'], '--days applies to --target simulated only'],
    [['--target', 'aws', '--fleet', '2'], '--fleet applies to --target simulated only'],
    [['--target', 'aws', '--yes'], '--yes applies to --live only'],
    [['--target', 'aws', '--live', '--dry-run', '--yes'], '--live and --dry-run exclude each other'],
    [
      ['--copy-regions', 'us-east-1'],
      '--copy-regions "us-east-1" is not valid: expected up to 3 comma-separated region names other than the home region (us-east-1 in the simulator), e.g. eu-west-1,us-west-2, or none',
    ],
    [['--copy-regions', 'eu-west-1,eu-west-1'], '--copy-regions "eu-west-1,eu-west-1" is not valid'],
    [['--copy-regions', 'a,b,c,d'], '--copy-regions "a,b,c,d" is not valid'],
    [
      ['--copy-regions', 'eu-west-1,us-west-2,ap-south-1,sa-east-1'],
      '--copy-regions "eu-west-1,us-west-2,ap-south-1,sa-east-1" is not valid',
    ],
    [['--copy-regions', 'Europe'], '--copy-regions "Europe" is not valid'],
  ])(
    'GIVEN %j WHEN run THEN one line names the option and what it accepts, exit 2',
    async (argv, message) => {
      const { code, stdout, stderr } = await runCli(argv);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n').filter(Boolean)).toEqual([expect.stringContaining(message)]);
      expect(stderr).toMatch(/^ebs-backup-local: /);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('GIVEN no options WHEN parsed THEN the demo defaults: simulated, 4 days, not a dry run, the stack marker', () => {
    expect(parseCommandLine([])).toEqual({
      kind: 'run',
      options: expect.objectContaining({
        target: 'simulated',
        days: 4,
        fleet: 0,
        throttleRate: 0,
        dryRun: false,
        tagKey: 'Backup-Generation',
        managedBy: 'EbsGenerationBackup',
      }),
    });
  });

  it.each([
    [['--fleet', '1000'], 4],
    [['--fleet', '1001'], 1],
    [['--fleet', '10000'], 1],
    [['--fleet', '10000', '--days', '3'], 3],
  ])('GIVEN %j WHEN parsed THEN %i simulated day(s): a large fleet defaults to fewer days', (argv, days) => {
    expect(parseCommandLine(argv)).toEqual({ kind: 'run', options: expect.objectContaining({ days }) });
  });

  it('GIVEN --target aws WHEN parsed without --live THEN it is a dry run', () => {
    const parsed = parseCommandLine(['--target', 'aws']);
    expect(parsed).toEqual({
      kind: 'run',
      options: expect.objectContaining({ target: 'aws', dryRun: true, live: false }),
    });
    const live = parseCommandLine(['--target', 'aws', '--live']);
    expect(live).toEqual({ kind: 'run', options: expect.objectContaining({ dryRun: false, live: true }) });
  });

  it('GIVEN the CDK app WHEN managedBy is not configured THEN the default marker is the stack name it uses', () => {
    expect(DEFAULT_MANAGED_BY).toBe(STACK_NAME);
  });
});

describe('npm start: copy regions', () => {
  const options = (argv: string[]) => {
    const parsed = parseCommandLine(argv);
    if (parsed.kind !== 'run') throw new Error(`not a run: ${JSON.stringify(parsed)}`);
    return parsed.options;
  };

  it('GIVEN no option THEN copies in the two demo regions; none turns them off; a list is taken as given', () => {
    expect(options([]).copyRegions).toEqual([...DEFAULT_DEMO_COPY_REGIONS]);
    expect(DEFAULT_DEMO_COPY_REGIONS).toHaveLength(2);
    expect(options(['--copy-regions', 'none']).copyRegions).toEqual([]);
    expect(options(['--copy-regions', 'ap-southeast-2, eu-central-1']).copyRegions).toEqual([
      'ap-southeast-2',
      'eu-central-1',
    ]);
  });

  it('GIVEN --target aws THEN no copies unless asked; any region name is taken, the home one is checked once the SDK settings are read', () => {
    expect(options(['--target', 'aws']).copyRegions).toEqual([]);
    expect(options(['--target', 'aws', '--copy-regions', 'us-east-1,eu-west-1']).copyRegions).toEqual([
      'us-east-1',
      'eu-west-1',
    ]);
  });

  it("THEN the demo's own region is the local deployment's", () => {
    expect(DEMO_REGION).toBe(DEFAULT_LOCAL_DEPLOYMENT.region);
  });
});
