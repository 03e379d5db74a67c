import { ListExecutionsCommand, ListMapRunsCommand } from '@aws-sdk/client-sfn';
import type { ExecutionSummary } from '../../cli/executions';
import { putJson } from '../../lambdas/aws/json-store';
import type { PruneResult, RunReport, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { givenCli, STATE_MACHINE_ARN, WORK_BUCKET } from '../fixtures/cli';
import {
  childExecutionArn,
  executionArn,
  type FakeExecution,
  fakeStepFunctions,
  mapRunArn,
} from '../fixtures/step-functions';

const HOUR = 3_600_000;
const CONSOLE =
  'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/';

interface StatusJson {
  stateMachineArn: string;
  executions: ExecutionSummary[];
}

function succeeded(name: string, startDate: Date, volumes = 4): FakeExecution {
  const output: Omit<SummariseOutput, 'report'> = {
    outcome: 'SUCCEEDED',
    dryRun: false,
    counts: {
      volumes,
      volumesFailed: 0,
      volumesSuperseded: 0,
      invalid: 0,
      skippedTargets: 1,
      snapshotsDeleted: 2,
      deletionsSkipped: 0,
    },
    skippedDeletions: [],
  };
  return { name, status: 'SUCCEEDED', startDate, stopDate: new Date(startDate.getTime() + 252_000), output };
}

function pruned(volumeId: string, deletedCount: number): PruneResult {
  return {
    volumeId,
    generations: 3,
    dryRun: false,
    outcome: 'pruned',
    kept: [],
    deleted: [],
    deletedCount,
    skipped: [],
    pending: 0,
    more: false,
  };
}

/** The simulated account's clock, and executions started that many hours before it. */
function givenStatus(options: { pageSize?: number } = {}) {
  const cli = givenCli();
  const sfn = fakeStepFunctions(cli.sfn, options);
  const hoursAgo = (hours: number) => new Date(cli.clock.now() - hours * HOUR);
  return { cli, sfn, hoursAgo };
}

describe('ebs-backup status (SPEC §11)', () => {
  it('GIVEN status --help WHEN run THEN --limit is described', async () => {
    const result = await givenCli().run('status', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--limit <n>');
  });

  it('GIVEN 12 executions listed 5 per page WHEN status THEN the newest 10, over two pages, asking only for what is missing', async () => {
    const { cli, sfn, hoursAgo } = givenStatus({ pageSize: 5 });
    for (let day = 12; day >= 1; day--) sfn.add(succeeded(`run-${day}`, hoursAgo(24 * day)));
    const result = await cli.run('status', '--json');
    expect(result.code).toBe(0);
    const { stateMachineArn, executions } = result.json<StatusJson>();
    expect(stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(executions.map((e) => e.name)).toEqual(Array.from({ length: 10 }, (_, i) => `run-${i + 1}`));
    const listed = cli.sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input);
    expect(listed).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, maxResults: 10, nextToken: undefined },
      { stateMachineArn: STATE_MACHINE_ARN, maxResults: 5, nextToken: '5' },
    ]);
    expect(executions[0]).toEqual({
      executionArn: executionArn('run-1'),
      name: 'run-1',
      status: 'SUCCEEDED',
      startDate: hoursAgo(24).toISOString(),
      stopDate: new Date(hoursAgo(24).getTime() + 252_000).toISOString(),
      durationSeconds: 252,
      consoleUrl: `${CONSOLE}${executionArn('run-1')}`,
      dryRun: false,
      counts: {
        volumes: 4,
        volumesFailed: 0,
        volumesSuperseded: 0,
        invalid: 0,
        skippedTargets: 1,
        snapshotsDeleted: 2,
        deletionsSkipped: 0,
      },
    });
  });

  it('GIVEN --limit 3 and pages of 2 WHEN status THEN the second page is asked for one more, and --limit 0 is exit 2', async () => {
    const { cli, sfn, hoursAgo } = givenStatus({ pageSize: 2 });
    for (let day = 5; day >= 1; day--) sfn.add(succeeded(`run-${day}`, hoursAgo(24 * day)));
    const result = await cli.run('status', '--limit', '3', '--json');
    expect(result.json<StatusJson>().executions.map((e) => e.name)).toEqual(['run-1', 'run-2', 'run-3']);
    expect(cli.sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input.maxResults)).toEqual([
      3, 1,
    ]);

    for (const bad of ['0', 'ten', '1001', '2.5']) {
      const refused = await cli.run('status', '--limit', bad);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`ebs-backup: --limit: give a whole number from 1 to 1000, got "${bad}"\n`);
    }
  });

  it('GIVEN copies that failed in the copy fan-outs, without a report WHEN status THEN each volume and region once, with its step and region', async () => {
    const { cli, sfn, hoursAgo } = givenStatus();
    const startDate = hoursAgo(3);
    const mapRun = (
      label: 'SnapshotVolumes' | 'PruneVolumes' | 'CopyVolumes' | 'PruneCopies',
      id: string,
      minutes: number,
    ) => ({
      label,
      id,
      status: 'ABORTED' as const,
      startDate: new Date(startDate.getTime() + minutes * 60_000),
      succeeded: 1,
      failed: 0,
      running: 0,
      total: 1,
    });
    sfn.add({
      name: 'copy-run',
      status: 'ABORTED',
      startDate,
      stopDate: new Date(startDate.getTime() + 3_600_000),
      mapRuns: [
        mapRun('SnapshotVolumes', 'm1', 0),
        mapRun('PruneVolumes', 'm2', 10),
        {
          ...mapRun('CopyVolumes', 'm3', 20),
          failed: 1,
          failedChildren: [
            {
              id: 'c1',
              volumeId: 'vol-1',
              region: 'eu-west-1',
              error: 'CopyLimitExceeded',
              message: 'eu-west-1: too many copies',
            },
          ],
        },
        {
          ...mapRun('PruneCopies', 'm4', 40),
          failed: 2,
          // vol-1's copy to Ireland failed, so its pruning there fails too: named once. Sydney is another failure.
          failedChildren: [
            {
              id: 'c2',
              volumeId: 'vol-1',
              region: 'eu-west-1',
              error: 'SnapshotNotCompleted',
              message: 'no copy',
            },
            {
              id: 'c3',
              volumeId: 'vol-1',
              region: 'ap-southeast-2',
              error: 'SnapshotNotCompleted',
              message: 'copy in error',
            },
          ],
        },
      ],
    });
    const json = (await cli.run('status', '--json')).json<StatusJson>();
    expect(json.executions[0].failures?.map((f) => [f.volumeId, f.region, f.step, f.error])).toEqual([
      ['vol-1', 'ap-southeast-2', 'PruneCopySnapshots', 'SnapshotNotCompleted'],
      ['vol-1', 'eu-west-1', 'CopySnapshot', 'CopyLimitExceeded'],
    ]);
    const text = (await cli.run('status')).stdout;
    expect(text).toContain(
      'vol-1 (not attached) in eu-west-1: CopySnapshot CopyLimitExceeded: eu-west-1: too many copies',
    );
  });

  it('GIVEN a failed execution without a report WHEN status THEN each failed volume from the Map Runs’ failed children, once, with its step, error, message and links', async () => {
    const { cli, sfn, hoursAgo } = givenStatus();
    const startDate = hoursAgo(2);
    const children = [
      {
        id: 'c1',
        volumeId: 'vol-1',
        instanceId: 'i-0123456789abcdef0',
        instanceName: 'web',
        error: 'Ec2Throttled',
        message: 'Request limit exceeded',
      },
      { id: 'c2', volumeId: 'vol-2', error: 'VolumeNotFound', message: 'vol-2 no longer exists' },
    ];
    sfn.add({
      name: 'aborted-run',
      status: 'ABORTED',
      startDate,
      stopDate: new Date(startDate.getTime() + 90_000),
      mapRuns: [
        {
          label: 'SnapshotVolumes',
          id: 'm1',
          status: 'ABORTED',
          startDate,
          succeeded: 1,
          failed: 2,
          running: 0,
          total: 3,
          failedChildren: children,
        },
        {
          label: 'PruneVolumes',
          id: 'm2',
          status: 'ABORTED',
          startDate: new Date(startDate.getTime() + 60_000),
          succeeded: 0,
          failed: 1,
          running: 0,
          total: 3,
          // Its snapshot failed, so its pruning fails too: named once, with the first failure.
          failedChildren: [{ id: 'c3', volumeId: 'vol-1', error: 'SnapshotFailed', message: 'no snapshot' }],
        },
      ],
    });
    sfn.add(succeeded('yesterday', hoursAgo(26)));

    const json = (await cli.run('status', '--json')).json<StatusJson>();
    expect(json.executions[0]).toMatchObject({
      name: 'aborted-run',
      status: 'ABORTED',
      failuresFrom: 'map-runs',
    });
    expect(json.executions[0].counts).toBeUndefined();
    expect(json.executions[0].failures).toEqual([
      {
        volumeId: 'vol-1',
        instanceId: 'i-0123456789abcdef0',
        instanceName: 'web',
        step: 'CreateSnapshot',
        error: 'Ec2Throttled',
        message: 'Request limit exceeded',
        childExecutionArn: childExecutionArn('SnapshotVolumes', 'c1'),
        consoleUrl: `${CONSOLE}${childExecutionArn('SnapshotVolumes', 'c1')}`,
      },
      {
        volumeId: 'vol-2',
        step: 'CreateSnapshot',
        error: 'VolumeNotFound',
        message: 'vol-2 no longer exists',
        childExecutionArn: childExecutionArn('SnapshotVolumes', 'c2'),
        consoleUrl: `${CONSOLE}${childExecutionArn('SnapshotVolumes', 'c2')}`,
      },
    ]);
    const childLists = cli.sfn
      .commandCalls(ListExecutionsCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.mapRunArn);
    expect(childLists).toEqual([
      { mapRunArn: mapRunArn('SnapshotVolumes', 'm1'), statusFilter: 'FAILED', nextToken: undefined },
      { mapRunArn: mapRunArn('PruneVolumes', 'm2'), statusFilter: 'FAILED', nextToken: undefined },
    ]);

    const text = await cli.run('status');
    expect(text.code).toBe(0);
    const block = text.stdout.slice(text.stdout.indexOf('\naborted-run ('));
    expect(block.split('\n')).toEqual([
      '',
      `aborted-run (started ${startDate.toISOString().slice(0, 10)} ${startDate.toISOString().slice(11, 19)}Z)`,
      `  ${CONSOLE}${executionArn('aborted-run')}`,
      '  ABORTED in 1m30s',
      '    vol-1 (i-0123456789abcdef0 web): CreateSnapshot Ec2Throttled: Request limit exceeded',
      `      ${CONSOLE}${childExecutionArn('SnapshotVolumes', 'c1')}`,
      '    vol-2 (not attached): CreateSnapshot VolumeNotFound: vol-2 no longer exists',
      `      ${CONSOLE}${childExecutionArn('SnapshotVolumes', 'c2')}`,
      '    (the run wrote no report: failed volumes read from its Map Runs)',
      '',
    ]);
  });

  it('GIVEN a set that failed in SnapshotSets, without a report WHEN status THEN each volume of the set is named once, with the set’s step and error, before its pruning failure; SnapshotVolumes’ failures as ever', async () => {
    const { cli, sfn, hoursAgo } = givenStatus();
    const startDate = hoursAgo(2);
    const at = (minutes: number) => new Date(startDate.getTime() + minutes * 60_000);
    const ended = { status: 'ABORTED' as const, running: 0 };
    const frozen =
      'i-0123456789abcdef0 (db): vol-a, vol-b: set i-0123456789abcdef0/run-1 taken application-consistent; post-script Failed (exit 1): fsfreeze -u failed: the application may be left frozen';
    sfn.add({
      name: 'set-run',
      status: 'ABORTED',
      startDate,
      stopDate: at(30),
      mapRuns: [
        {
          ...ended,
          label: 'SnapshotVolumes',
          id: 'm1',
          startDate,
          succeeded: 1,
          failed: 1,
          total: 2,
          failedChildren: [
            { id: 'c1', volumeId: 'vol-c', error: 'VolumeNotFound', message: 'vol-c is gone' },
          ],
        },
        {
          // Its batch started before SnapshotSets' children failed: the set's failure still names them.
          ...ended,
          label: 'PruneVolumes',
          id: 'm2',
          startDate: at(1),
          succeeded: 1,
          failed: 1,
          total: 2,
          failedChildren: [{ id: 'c2', volumeId: 'vol-a', error: 'SnapshotFailed', message: 'no snapshot' }],
        },
        {
          ...ended,
          label: 'SnapshotSets',
          id: 'm3',
          startDate: at(2),
          succeeded: 1,
          failed: 1,
          total: 2,
          failedChildren: [
            {
              id: 'c3',
              volumeId: 'vol-a',
              setVolumeIds: ['vol-b'],
              instanceId: 'i-0123456789abcdef0',
              instanceName: 'db',
              error: 'PostScriptFailed',
              message: frozen,
            },
          ],
        },
      ],
    });

    const json = (await cli.run('status', '--json')).json<StatusJson>();
    const setChild = childExecutionArn('SnapshotSets', 'c3');
    const ofSet = (volumeId: string) => ({
      volumeId,
      instanceId: 'i-0123456789abcdef0',
      instanceName: 'db',
      step: 'PostScript',
      error: 'PostScriptFailed',
      message: frozen,
      childExecutionArn: setChild,
      consoleUrl: `${CONSOLE}${setChild}`,
    });
    expect(json.executions[0].failures).toEqual([
      ofSet('vol-a'),
      ofSet('vol-b'),
      {
        volumeId: 'vol-c',
        step: 'CreateSnapshot',
        error: 'VolumeNotFound',
        message: 'vol-c is gone',
        childExecutionArn: childExecutionArn('SnapshotVolumes', 'c1'),
        consoleUrl: `${CONSOLE}${childExecutionArn('SnapshotVolumes', 'c1')}`,
      },
    ]);

    const text = (await cli.run('status')).stdout;
    expect(text).toContain(
      [
        `    vol-a (i-0123456789abcdef0 db): PostScript PostScriptFailed: ${frozen}`,
        `      ${CONSOLE}${setChild}`,
        `    vol-b (i-0123456789abcdef0 db): PostScript PostScriptFailed: ${frozen}`,
        `      ${CONSOLE}${setChild}`,
        '    vol-c (not attached): CreateSnapshot VolumeNotFound: vol-c is gone',
      ].join('\n'),
    );
  });

  it('GIVEN SnapshotSets running beside SnapshotVolumes and a batch WHEN status THEN its children (instances) are counted like the others', async () => {
    const { cli, sfn } = givenStatus();
    const startDate = new Date(cli.clock.now() - 60_000);
    const running = { status: 'RUNNING' as const, startDate };
    sfn.add({
      name: 'tonight',
      ...running,
      mapRuns: [
        { ...running, label: 'SnapshotVolumes', id: 'm1', succeeded: 7, failed: 0, running: 3, total: 10 },
        { ...running, label: 'SnapshotSets', id: 'm2', succeeded: 1, failed: 1, running: 2, total: 4 },
        {
          label: 'PruneVolumes',
          id: 'p1',
          status: 'SUCCEEDED',
          startDate,
          succeeded: 5,
          failed: 0,
          running: 0,
          total: 5,
        },
      ],
    });

    const json = (await cli.run('status', '--json')).json<StatusJson>();
    expect(json.executions[0].progress?.find((p) => p.map === 'SnapshotSets')).toEqual({
      map: 'SnapshotSets',
      mapRunArn: mapRunArn('SnapshotSets', 'm2'),
      status: 'RUNNING',
      succeeded: 1,
      failed: 1,
      running: 2,
      total: 4,
    });
    expect((await cli.run('status')).stdout).toContain(
      '  RUNNING for 1m00s: SnapshotVolumes: 7 succeeded, 0 failed, 3 running of 10; SnapshotSets: 1 succeeded, 1 failed, 2 running of 4; PruneVolumes: 5 succeeded, 0 failed of 5\n',
    );
  });

  it('GIVEN a failed execution with a report WHEN status THEN its counts and failures come from the report, no Map Run is read', async () => {
    const { cli, sfn, hoursAgo } = givenStatus();
    sfn.add({
      name: 'failed-run',
      status: 'FAILED',
      startDate: hoursAgo(1),
      stopDate: new Date(hoursAgo(1).getTime() + 600_000),
      error: 'BackupFailed',
      cause: '1 volume failed, 1 invalid tag value. Full report: s3://…',
    });
    const report: RunReport = {
      executionName: 'failed-run',
      dryRun: false,
      outcome: 'FAILED',
      failures: [
        {
          volumeId: 'vol-9',
          instanceId: 'i-0123456789abcdef0',
          step: 'PruneSnapshots',
          error: 'SnapshotFailed',
          message: 'snap-9 ended in error',
        },
      ],
      invalid: [
        {
          resource: 'volume',
          id: 'vol-8',
          instanceId: 'i-0123456789abcdef0',
          value: '-1',
          reason: 'not a whole number',
        },
      ],
      superseded: [],
      volumes: [pruned('vol-1', 2), pruned('vol-2', 1)],
    };
    await putJson(cli.s3, { bucket: WORK_BUCKET, key: runKey('failed-run', 'report') }, report);

    const json = (await cli.run('status', '--json')).json<StatusJson>();
    expect(json.executions[0]).toMatchObject({
      status: 'FAILED',
      error: 'BackupFailed',
      failuresFrom: 'report',
      counts: {
        volumes: 3,
        volumesFailed: 1,
        volumesSuperseded: 0,
        invalid: 1,
        snapshotsDeleted: 3,
        deletionsSkipped: 0,
      },
      failures: report.failures,
      invalid: report.invalid,
    });
    expect(cli.sfn.commandCalls(ListMapRunsCommand)).toHaveLength(0);

    const text = await cli.run('status');
    expect(text.stdout).toContain(
      [
        '  FAILED in 10m00s: 3 volumes, 1 failed, 3 snapshots deleted, 1 invalid tag value',
        '    vol-9 (i-0123456789abcdef0): PruneSnapshots SnapshotFailed: snap-9 ended in error',
        '    volume vol-8 (on i-0123456789abcdef0): tag value "-1" not a whole number',
      ].join('\n'),
    );
  });

  it('GIVEN an execution still running WHEN status THEN how long so far and where it is, with the Map Run’s counts', async () => {
    const { cli, sfn, hoursAgo } = givenStatus();
    const startDate = new Date(cli.clock.now() - 200_000);
    sfn.add({
      name: 'tonight',
      status: 'RUNNING',
      startDate,
      input: { dryRun: true, instanceIds: ['i-0123456789abcdef0'] },
      mapRuns: [
        {
          label: 'PruneVolumes',
          id: 'p1',
          status: 'RUNNING',
          startDate,
          succeeded: 5,
          failed: 1,
          running: 4,
          total: 12,
        },
      ],
    });
    sfn.add(succeeded('last-night', hoursAgo(24)));

    const json = (await cli.run('status', '--json')).json<StatusJson>();
    expect(json.executions[0]).toEqual({
      executionArn: executionArn('tonight'),
      name: 'tonight',
      status: 'RUNNING',
      startDate: startDate.toISOString(),
      durationSeconds: 200,
      consoleUrl: `${CONSOLE}${executionArn('tonight')}`,
      dryRun: true,
      instanceIds: ['i-0123456789abcdef0'],
      progress: [
        {
          map: 'PruneVolumes',
          mapRunArn: mapRunArn('PruneVolumes', 'p1'),
          status: 'RUNNING',
          succeeded: 5,
          failed: 1,
          running: 4,
          total: 12,
        },
      ],
    });

    const text = await cli.run('status');
    const rows = text.stdout.split('\n').filter((line) => /^\d{4}-/.test(line));
    expect(rows.map((row) => row.split(/\s{2,}/))).toEqual([
      [expect.any(String), 'RUNNING', '3m20s', 'dry run, 1 instance', '-', '-', '-', 'tonight'],
      [expect.any(String), 'SUCCEEDED', '4m12s', 'full', '4', '0', '2', 'last-night'],
    ]);
    expect(text.stdout).toContain(
      '  RUNNING for 3m20s: PruneVolumes: 5 succeeded, 1 failed, 4 running of 12\n',
    );
  });

  it('GIVEN a run that found nothing to back up WHEN status THEN it says so plainly', async () => {
    const { cli, sfn, hoursAgo } = givenStatus();
    const empty = succeeded('empty', hoursAgo(1), 0);
    sfn.add({
      ...empty,
      output: {
        ...(empty.output as SummariseOutput),
        counts: { ...(empty.output as SummariseOutput).counts, skippedTargets: 0 },
      },
    });
    const result = await cli.run('status');
    expect(result.stdout).toContain(
      '    no instance or volume carries the tag Backup-Generation in us-east-1\n',
    );
  });

  it('GIVEN no execution yet WHEN status THEN it says so with the console link, exit 0', async () => {
    const { cli } = givenStatus();
    const result = await cli.run('status');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^No executions of EbsGenerationBackup-Backup yet\.\n {2}https:\/\/us-east-1\.console/,
    );
  });
});
