import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, DescribeMapRunCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { phaseText } from '../../cli/execution-text';
import { POLL_INTERVAL_MS } from '../../cli/follow';
import type { MapRunProgress } from '../../cli/map-runs';
import { putJson } from '../../lambdas/aws/json-store';
import type { RunReport, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { givenCli, STATE_MACHINE_ARN, WORK_BUCKET } from '../fixtures/cli';
import {
  executionArn,
  type FakeExecution,
  type FakeMapRun,
  fakeStepFunctions,
} from '../fixtures/step-functions';

const NAME = '5f1c3e2a-0000-4000-8000-000000000001';
const CONSOLE = `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArn(NAME)}`;

/** The CLI with StartExecution answering for NAME, started at the clock's time. */
function givenStartable(options: Parameters<typeof givenCli>[0] = {}) {
  const cli = givenCli(options);
  const startDate = new Date(cli.clock.now());
  cli.sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn(NAME), startDate });
  return { cli, startDate, sfn: fakeStepFunctions(cli.sfn) };
}

function startedInput(cli: ReturnType<typeof givenCli>): unknown {
  const calls = cli.sfn.commandCalls(StartExecutionCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0].args[0].input.stateMachineArn).toBe(STATE_MACHINE_ARN);
  return JSON.parse(calls[0].args[0].input.input ?? '');
}

function output(counts: Partial<SummariseOutput['counts']>, dryRun = false): SummariseOutput {
  return {
    outcome: 'SUCCEEDED',
    dryRun,
    counts: {
      volumes: 0,
      volumesFailed: 0,
      volumesSuperseded: 0,
      invalid: 0,
      skippedTargets: 0,
      snapshotsDeleted: 0,
      deletionsSkipped: 0,
      ...counts,
    },
    report: { bucket: WORK_BUCKET, key: runKey(NAME, 'report') },
    skippedDeletions: [],
  };
}

function snapshotRun(
  startDate: Date,
  counts: Pick<FakeMapRun, 'succeeded' | 'failed' | 'running'>,
): FakeMapRun {
  const done = counts.running === 0 && counts.succeeded + counts.failed === 3;
  return {
    label: 'SnapshotVolumes',
    id: 'm1',
    status: done ? 'SUCCEEDED' : 'RUNNING',
    startDate,
    total: 3,
    ...counts,
  };
}

describe('ebs-backup run (SPEC §6, §11)', () => {
  it('GIVEN run --help WHEN run THEN every option is described', async () => {
    const result = await givenCli().run('run', '--help');
    expect(result.code).toBe(0);
    for (const option of ['--instance-ids <ids>', '--dry-run', '--follow', '--state-machine-arn <arn>']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('GIVEN no option WHEN run THEN a full run ({}) of the stack’s state machine starts and its ARN and console link are printed', async () => {
    const { cli } = givenStartable();
    const result = await cli.run('run');
    expect(result.code).toBe(0);
    expect(startedInput(cli)).toEqual({});
    expect(result.stdout).toBe(`Started ${NAME} (full)\n  ${CONSOLE}\n`);
  });

  it('GIVEN --instance-ids and --dry-run WHEN run --json THEN the input restricts and plans, and the document names the execution', async () => {
    const { cli } = givenStartable();
    const result = await cli.run(
      'run',
      '--instance-ids',
      'i-0123456789abcdef0, i-01234567,i-0123456789abcdef0',
      '--dry-run',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(startedInput(cli)).toEqual({ instanceIds: ['i-0123456789abcdef0', 'i-01234567'], dryRun: true });
    expect(result.json()).toEqual({
      executionArn: executionArn(NAME),
      name: NAME,
      consoleUrl: CONSOLE,
      input: { instanceIds: ['i-0123456789abcdef0', 'i-01234567'], dryRun: true },
    });
  });

  it.each([
    ['i-0123456789abcdef0,web-1', '"web-1"'],
    ['i-0123456789ABCDEF0', '"i-0123456789ABCDEF0"'],
    [' , ', 'must be a list of 1 to 1000 instance IDs'],
  ])(
    'GIVEN --instance-ids %j WHEN run THEN exit 2 naming the argument, nothing started',
    async (ids, named) => {
      const { cli } = givenStartable();
      const result = await cli.run('run', '--instance-ids', ids);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^ebs-backup: --instance-ids: /);
      expect(result.stderr).toContain(named);
      expect(cli.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    },
  );

  it('GIVEN run WHEN started THEN the execution is named before it starts, so a retried request starts no second run', async () => {
    const { cli } = givenStartable();
    expect((await cli.run('run')).code).toBe(0);
    const [call] = cli.sfn.commandCalls(StartExecutionCommand);
    expect(call.args[0].input.name).toMatch(/^manual-20\d{6}T\d{6}Z-[0-9a-f]{6}$/);
    expect((await cli.run('run', '--help')).stdout).toContain('starts\nno second run');
  });

  it('GIVEN a retried StartExecution whose first attempt started the run, since ended WHEN answered ExecutionAlreadyExists THEN reported started, exit 0', async () => {
    const cli = givenCli();
    const exists = Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
    cli.sfn.on(StartExecutionCommand).rejects(exists);
    const result = await cli.run('run', '--json');
    expect(result.code).toBe(0);
    const [call] = cli.sfn.commandCalls(StartExecutionCommand);
    const name = call.args[0].input.name as string;
    expect(result.json()).toMatchObject({
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
      name,
    });
  });

  it('GIVEN --name of an execution that already exists WHEN run THEN the refusal stands: exit 2, nothing claimed', async () => {
    const cli = givenCli();
    const exists = Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
    cli.sfn.on(StartExecutionCommand).rejects(exists);
    const result = await cli.run('run', '--name', 'nightly-rerun');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ExecutionAlreadyExists');
  });

  it("GIVEN the input a failed run's cause gives WHEN run --input THEN exactly that input starts: only the failed volumes", async () => {
    const { cli } = givenStartable();
    const rerun = '{"volumeIds":["vol-0123456789abcdef0","vol-01234567"]}';
    const result = await cli.run('run', '--input', rerun);
    expect(result.code).toBe(0);
    expect(startedInput(cli)).toEqual(JSON.parse(rerun));
    expect(result.stdout).toMatch(/\(2 volumes\)/);
  });

  it.each([
    [
      ['--volume-ids', 'vol-0123456789abcdef0,disk-1'],
      /^ebs-backup: --volume-ids: volumeIds\[1\]: must be a volume ID/,
    ],
    [['--input', '{"volumes":[]}'], /^ebs-backup: --input: volumes: unknown field; accepted fields are/],
    [['--input', 'not json'], /^ebs-backup: --input: not JSON/],
    [
      ['--input', '{}', '--volume-ids', 'vol-01234567'],
      /^ebs-backup: --volume-ids and --input: give one of them/,
    ],
    [['--name', 'night run'], /^ebs-backup: --name: "night run" is not 1 to 80 letters/],
  ])('GIVEN %j WHEN run THEN exit 2 naming the option and field, nothing started', async (argv, message) => {
    const { cli } = givenStartable();
    const result = await cli.run('run', ...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(cli.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('GIVEN --state-machine-arn WHEN run THEN that state machine starts without reading the stack; a malformed one is exit 2', async () => {
    const { cli } = givenStartable();
    const other = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Other';
    expect((await cli.run('run', '--state-machine-arn', other)).code).toBe(0);
    expect(cli.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(other);
    expect(cli.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);

    const bad = await cli.run('run', '--state-machine-arn', 'EbsGenerationBackup-Backup');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^ebs-backup: --state-machine-arn: "EbsGenerationBackup-Backup" is not a state machine ARN/,
    );
  });

  it('GIVEN StartExecution is denied WHEN run THEN one line naming states:StartExecution, exit 2', async () => {
    const cli = givenCli();
    const denied = new Error('User is not authorized to perform: states:StartExecution');
    denied.name = 'AccessDeniedException';
    cli.sfn.on(StartExecutionCommand).rejects(denied);
    const result = await cli.run('run');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: states:StartExecution was denied: the caller needs an IAM policy allowing states:StartExecution/,
    );
  });

  describe('--follow', () => {
    /** A run seen at five polls: Discover, two snapshot fan-out moments (twice the same), then done. */
    function givenProgressingRun(
      end: Omit<FakeExecution, 'name' | 'startDate'>,
      options: { isTTY?: boolean } = {},
    ) {
      const { cli, startDate, sfn } = givenStartable(options);
      const running = { name: NAME, status: 'RUNNING', startDate } as const;
      sfn.add(
        running,
        { ...running, mapRuns: [snapshotRun(startDate, { succeeded: 1, failed: 0, running: 2 })] },
        { ...running, mapRuns: [snapshotRun(startDate, { succeeded: 2, failed: 1, running: 0 })] },
        { ...running, mapRuns: [snapshotRun(startDate, { succeeded: 2, failed: 1, running: 0 })] },
        { name: NAME, startDate, stopDate: new Date(startDate.getTime() + 5 * 60_000), ...end },
      );
      return cli;
    }

    it('GIVEN a run that succeeds WHEN followed without a terminal THEN a line per change, polls in virtual time, the counts, exit 0', async () => {
      const cli = givenProgressingRun({
        status: 'SUCCEEDED',
        output: output({ volumes: 3, snapshotsDeleted: 2, volumesSuperseded: 1 }),
      });
      const before = cli.clock.now();
      const result = await cli.run('run', '--follow');
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n')).toEqual([
        `Started ${NAME} (full)`,
        `  ${CONSOLE}`,
        '    0s  Discover',
        '   10s  SnapshotVolumes: 1 succeeded, 0 failed, 2 running of 3',
        '   20s  AwaitSnapshots (SnapshotVolumes: 2 succeeded, 1 failed of 3)',
        'SUCCEEDED in 5m00s: 3 volumes, 1 superseded, 2 snapshots deleted',
        '',
      ]);
      expect(cli.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(5);
      // The Map Run is described while it runs and once ended, not at the polls after.
      expect(cli.sfn.commandCalls(DescribeMapRunCommand)).toHaveLength(2);
      expect(cli.clock.now() - before).toBe(4 * POLL_INTERVAL_MS);
    });

    it('GIVEN a terminal WHEN followed THEN one line updates in place (carriage returns), ended before the outcome', async () => {
      const cli = givenProgressingRun(
        { status: 'SUCCEEDED', output: output({ volumes: 3 }) },
        { isTTY: true },
      );
      const result = await cli.run('run', '--follow');
      expect(result.code).toBe(0);
      const [progress, outcome] = result.stdout.split('\n').slice(2);
      const frames = progress.split('\r').slice(1);
      expect(frames.map((f) => f.trimEnd())).toEqual([
        'RUNNING 0s  Discover',
        'RUNNING 10s  SnapshotVolumes: 1 succeeded, 0 failed, 2 running of 3',
        'RUNNING 20s  AwaitSnapshots (SnapshotVolumes: 2 succeeded, 1 failed of 3)',
        'RUNNING 30s  AwaitSnapshots (SnapshotVolumes: 2 succeeded, 1 failed of 3)',
      ]);
      expect(outcome).toBe('SUCCEEDED in 5m00s: 3 volumes');
    });

    it('GIVEN a run that fails with a report WHEN followed THEN every failed volume and invalid target with step, error and message, exit 1', async () => {
      const cli = givenProgressingRun({
        status: 'FAILED',
        error: 'BackupFailed',
        cause: '2 volumes failed, …',
      });
      const report: RunReport = {
        executionName: NAME,
        dryRun: false,
        outcome: 'FAILED',
        failures: [
          {
            volumeId: 'vol-1',
            instanceId: 'i-0123456789abcdef0',
            instanceName: 'web',
            step: 'CreateSnapshot',
            error: 'VolumeNotFound',
            message: 'vol-1 no longer exists',
          },
          {
            volumeId: 'vol-2',
            step: 'PruneSnapshots',
            error: 'SnapshotFailed',
            message: 'snap-2 ended in error',
          },
        ],
        invalid: [
          { resource: 'instance', id: 'i-0fedcba9876543210', value: 'abc', reason: 'not a whole number' },
        ],
        superseded: [],
        volumes: [],
      };
      await putJson(cli.s3, { bucket: WORK_BUCKET, key: runKey(NAME, 'report') }, report);
      const result = await cli.run('run', '--follow');
      expect(result.code).toBe(1);
      expect(result.stdout.split('\n').slice(5)).toEqual([
        'FAILED in 5m00s: 2 volumes, 2 failed, 1 invalid tag value',
        '  vol-1 (i-0123456789abcdef0 web): CreateSnapshot VolumeNotFound: vol-1 no longer exists',
        '  vol-2 (not attached): PruneSnapshots SnapshotFailed: snap-2 ended in error',
        '  instance i-0fedcba9876543210: tag value "abc" not a whole number',
        '',
      ]);
    });

    it('GIVEN a run that fails in Discover (no report, no Map Run) WHEN followed --json THEN the execution’s own error and cause, exit 1', async () => {
      const { cli, startDate, sfn } = givenStartable();
      sfn.add(
        { name: NAME, status: 'RUNNING', startDate, input: { instanceIds: ['i-x'] } },
        {
          name: NAME,
          status: 'FAILED',
          startDate,
          stopDate: new Date(startDate.getTime() + 2000),
          input: { instanceIds: ['i-x'] },
          error: 'InvalidInput',
          cause: JSON.stringify({
            errorType: 'InvalidInput',
            errorMessage: 'instanceIds[0]: must be an instance ID',
          }),
        },
      );
      const text = await cli.run('run', '--follow');
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('FAILED in 2s\n  InvalidInput: instanceIds[0]: must be an instance ID\n');

      sfn.add({
        name: NAME,
        status: 'FAILED',
        startDate,
        stopDate: new Date(startDate.getTime() + 2000),
        error: 'InvalidInput',
        cause: 'bad',
      });
      const json = await cli.run('run', '--follow', '--json');
      expect(json.code).toBe(1);
      expect(json.json()).toEqual({
        executionArn: executionArn(NAME),
        name: NAME,
        consoleUrl: CONSOLE,
        input: {},
        result: {
          executionArn: executionArn(NAME),
          name: NAME,
          status: 'FAILED',
          startDate: startDate.toISOString(),
          stopDate: new Date(startDate.getTime() + 2000).toISOString(),
          durationSeconds: 2,
          consoleUrl: CONSOLE,
          dryRun: false,
          error: 'InvalidInput',
          cause: 'bad',
          failuresFrom: 'map-runs',
          failures: [],
        },
      });
    });

    it('GIVEN a run that finds no targeted volume WHEN followed THEN it says plainly that nothing carries the tag in the Region', async () => {
      const { cli, startDate, sfn } = givenStartable();
      sfn.add({
        name: NAME,
        status: 'SUCCEEDED',
        startDate,
        stopDate: startDate,
        output: output({ volumes: 0 }),
      });
      const result = await cli.run('run', '--follow');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        'SUCCEEDED in 0s: 0 volumes\n  no instance or volume carries the tag Backup-Generation in us-east-1\n',
      );
    });

    it('GIVEN a dry run WHEN followed THEN the planned deletions are listed', async () => {
      const { cli, startDate, sfn } = givenStartable();
      const planned = {
        ...output({ volumes: 2 }, true),
        plan: { create: ['Auto Snapshot vol-1'], delete: ['snap-1', 'snap-2'] },
      };
      sfn.add({
        name: NAME,
        status: 'SUCCEEDED',
        startDate,
        stopDate: startDate,
        input: { dryRun: true },
        output: planned,
      });
      const result = await cli.run('run', '--dry-run', '--follow');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        'SUCCEEDED in 0s: 2 volumes\n  would delete:\n    snap-1\n    snap-2\n',
      );
    });
  });
});

describe('phaseText: where a running execution is', () => {
  const run = (map: string, counts: Partial<MapRunProgress> = {}, id = 1): MapRunProgress => ({
    map,
    mapRunArn: `arn:aws:states:us-east-1:123456789012:mapRun:EbsGenerationBackup/${map}:${id}`,
    status: 'SUCCEEDED',
    succeeded: 2,
    failed: 0,
    running: 0,
    total: 2,
    ...counts,
  });

  it('GIVEN no Map Run yet THEN Discover', () => {
    expect(phaseText([])).toBe('Discover');
  });

  it.each([
    ['CopyVolumes', 'AwaitCopies'],
    ['PruneCopies', 'Summarise'],
  ])('GIVEN %s finished THEN the next state is %s', (map, next) => {
    expect(phaseText([run(map)])).toBe(`${next} (${map}: 2 succeeded, 0 failed of 2)`);
  });

  it("GIVEN SnapshotVolumes running and the pruning loop between two batches THEN both fan-outs, PruneVolumes' runs counted together", () => {
    const snapshots = run('SnapshotVolumes', { status: 'RUNNING', succeeded: 600, running: 5, total: 1000 });
    const batches = [
      run('PruneVolumes', { succeeded: 300, total: 300 }),
      run('PruneVolumes', { succeeded: 250, total: 250 }, 2),
    ];
    expect(phaseText([snapshots, ...batches])).toBe(
      'SnapshotVolumes: 600 succeeded, 0 failed, 5 running of 1000; PruneVolumes: 550 succeeded, 0 failed of 550 (2 Map Runs)',
    );
  });

  it('GIVEN SnapshotVolumes done and a batch running THEN the batch is shown running', () => {
    const snapshots = run('SnapshotVolumes', { succeeded: 1000, total: 1000 });
    const batches = [
      run('PruneVolumes', { succeeded: 900, total: 900 }),
      run('PruneVolumes', { status: 'RUNNING', succeeded: 10, running: 5, total: 100 }, 2),
    ];
    expect(phaseText([snapshots, ...batches])).toBe(
      'SnapshotVolumes: 1000 succeeded, 0 failed of 1000; PruneVolumes: 910 succeeded, 0 failed, 5 running of 1000 (2 Map Runs)',
    );
  });

  it.each([
    ['some volumes in no batch yet', 999, 'AwaitSnapshots'],
    ['every volume in a batch', 1000, 'AnyCopies'],
  ])('GIVEN nothing running and %s THEN the next state is %s', (_, batched, next) => {
    const snapshots = run('SnapshotVolumes', { succeeded: 1000, total: 1000 });
    const batch = run('PruneVolumes', { succeeded: batched, total: batched });
    expect(phaseText([snapshots, batch])).toMatch(new RegExp(`^${next} \\(SnapshotVolumes: `));
  });

  it.each([
    ['some of SnapshotVolumes’ volumes in no batch yet', 999, 'AwaitSnapshots'],
    ['every one of SnapshotVolumes’ volumes in a batch (a set’s may not be)', 1010, 'SnapshotAndPrune'],
  ])('GIVEN sets, nothing running and %s THEN the next state is %s', (_, batched, next) => {
    const snapshots = run('SnapshotVolumes', { succeeded: 1000, total: 1000 });
    const sets = run('SnapshotSets', { succeeded: 5, total: 5 });
    const batch = run('PruneVolumes', { succeeded: batched, total: batched });
    expect(phaseText([snapshots, sets, batch])).toBe(
      `${next} (SnapshotVolumes: 1000 succeeded, 0 failed of 1000; SnapshotSets: 5 succeeded, 0 failed of 5; PruneVolumes: ${batched} succeeded, 0 failed of ${batched})`,
    );
  });

  it('GIVEN a dry run (no SnapshotVolumes) whose one batch is done THEN AnyCopies', () => {
    expect(phaseText([run('PruneVolumes')])).toBe('AnyCopies (PruneVolumes: 2 succeeded, 0 failed of 2)');
  });
});
