import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import { addCopy, COPY_REGION, givenCli, STATE_MACHINE_ARN, WORK_BUCKET } from '../fixtures/cli';
import { executionArn } from '../fixtures/step-functions';

// Every command works without CloudFormation once the options name what it needs of the
// deployment; when the stack cannot be read, the error names those options.

const TAG = 'Custom-Generation';
const MARKER = 'OtherMarker';

/**
 * An account with no such stack (every DescribeStacks fails) and a deployment marked MARKER,
 * targeting TAG: one instance with two completed backups and a copy in the copy region, and a
 * snapshot of the original recipe.
 */
function givenNoStack() {
  const cli = givenCli({ stack: 'missing' });
  const now = cli.clock.now();
  const { instanceId, volumeIds } = cli.sim.addInstance({ name: 'web', tags: { [TAG]: '2' } });
  const [volumeId] = volumeIds;
  const backups = [2, 1].map((daysAgo) =>
    cli.sim.addSnapshot({
      volumeId,
      startTime: now - daysAgo * 86_400_000,
      tags: Object.fromEntries(
        snapshotTags({
          managedBy: MARKER,
          executionName: `night-${daysAgo}`,
          runId: `night-${daysAgo}`,
          volumeId,
          instanceId,
          instanceName: 'web',
          generations: 2,
        }).map((t) => [t.Key, t.Value]),
      ),
    }),
  );
  const copy = addCopy(cli.copySim, {
    volumeId,
    sourceSnapshotId: backups[1],
    startTime: now - 86_400_000,
    managedBy: MARKER,
  });
  const recipe = cli.sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}(web)` });
  const stackReads = () => cli.cfn.commandCalls(DescribeStacksCommand).length;
  return { cli, volumeId, backups, copy, recipe, stackReads };
}

describe('ebs-backup without CloudFormation: the options name the deployment', () => {
  it('GIVEN --tag-key, --managed-by and --copy-regions WHEN plan THEN the plan, copies included, and no stack read', async () => {
    const { cli, volumeId, stackReads } = givenNoStack();

    const result = await cli.run(
      'plan',
      '--json',
      ...['--tag-key', TAG, '--managed-by', MARKER, '--copy-regions', COPY_REGION],
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const plan = result.json<{ copyRegions: string[]; volumes: { volumeId: string; keep: string[] }[] }>();
    expect(plan).not.toHaveProperty('stack');
    expect(plan.copyRegions).toEqual([COPY_REGION]);
    expect(plan.volumes.map((v) => [v.volumeId, v.keep.length])).toEqual([[volumeId, 1]]);
    expect(stackReads()).toBe(0);
  });

  it('GIVEN --managed-by, --tag-key and --copy-regions WHEN generations THEN the volume’s snapshots and copies, no stack read', async () => {
    const { cli, volumeId, backups, copy, stackReads } = givenNoStack();

    const result = await cli.run(
      'generations',
      '--json',
      ...['--managed-by', MARKER, '--tag-key', TAG, '--copy-regions', COPY_REGION],
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = result.json<{
      copiesListed: boolean;
      instances: {
        volumes: {
          volumeId: string;
          generations: number;
          snapshots: { snapshotId: string }[];
          copies: object[];
        }[];
      }[];
    }>();
    expect(report).not.toHaveProperty('stackName');
    expect(report.copiesListed).toBe(true);
    const [volume] = report.instances[0].volumes;
    expect(volume).toMatchObject({ volumeId, generations: 2 });
    expect(volume.snapshots.map((s) => s.snapshotId)).toEqual([backups[1], backups[0]]);
    expect(volume.copies).toEqual([
      expect.objectContaining({
        region: COPY_REGION,
        snapshots: [expect.objectContaining({ snapshotId: copy })],
      }),
    ]);
    expect(stackReads()).toBe(0);
  });

  it('GIVEN --managed-by and --tag-key only WHEN generations THEN the copies are not listed, and the text says how to list them', async () => {
    const { cli, stackReads } = givenNoStack();

    const json = await cli.run('generations', '--json', '--managed-by', MARKER, '--tag-key', TAG);
    const text = await cli.run('generations', '--managed-by', MARKER, '--tag-key', TAG);

    expect(json.json()).toMatchObject({ copiesListed: false });
    expect(json.json()).not.toHaveProperty('copyRegions');
    expect(text.stdout).toContain(
      "Copies are not listed: the copy regions are the stack's outputs (or pass --copy-regions)",
    );
    expect(stackReads()).toBe(0);
  });

  it('GIVEN --managed-by WHEN adopt --dry-run and restore THEN both work, no stack read', async () => {
    const { cli, volumeId, backups, recipe, stackReads } = givenNoStack();

    const adopt = await cli.run('adopt', '--dry-run', '--json', '--managed-by', MARKER);
    const restore = await cli.run('restore', volumeId, '--dry-run', '--json', '--managed-by', MARKER);

    expect(adopt.code).toBe(0);
    expect(adopt.json()).toMatchObject({
      managedBy: MARKER,
      adopt: [expect.objectContaining({ snapshotId: recipe })],
    });
    expect(restore.stderr).toBe('');
    expect(restore.json()).toMatchObject({ snapshot: { snapshotId: backups[1] } });
    expect(stackReads()).toBe(0);
  });

  it('GIVEN --state-machine-arn, --work-bucket and --tag-key WHEN status THEN the executions, no stack read', async () => {
    const { cli, stackReads } = givenNoStack();
    cli.sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    const result = await cli.run(
      'status',
      '--json',
      ...['--state-machine-arn', STATE_MACHINE_ARN, '--work-bucket', WORK_BUCKET, '--tag-key', TAG],
    );

    expect(result.stderr).toBe('');
    expect(result.json()).toEqual({ stateMachineArn: STATE_MACHINE_ARN, executions: [] });
    expect(stackReads()).toBe(0);
  });

  it('GIVEN run --follow with --state-machine-arn only WHEN the stack cannot be read THEN nothing is started and the error names what else to give', async () => {
    const { cli } = givenNoStack();
    cli.sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('x'), startDate: new Date() });

    const result = await cli.run('run', '--follow', '--state-machine-arn', STATE_MACHINE_ARN);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ebs-backup: no stack "${DEFAULT_STACK_NAME}" in this account and region: deploy it, or pass --stack, --region or --profile; or name the deployment without CloudFormation: --work-bucket <bucket> --tag-key <key>\n`,
    );
    expect(cli.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it.each([
    [['generations'], '--managed-by <marker> --tag-key <key>'],
    [['adopt', '--dry-run'], '--managed-by <marker>'],
    [['status'], '--state-machine-arn <arn> --work-bucket <bucket> --tag-key <key>'],
    [['plan', '--tag-key', TAG], '--managed-by <marker>'],
  ])('GIVEN no stack WHEN %j THEN the error names the options that do without it', async (argv, options) => {
    const { cli } = givenNoStack();

    const result = await cli.run(...argv);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^ebs-backup: no stack .*; or name the deployment without CloudFormation: ${options}\\n$`),
    );
  });

  it('GIVEN DescribeStacks is denied WHEN adopt THEN the denial and the option that does without it', async () => {
    const { cli } = givenNoStack();
    const denied = Object.assign(
      new Error('User is not authorized to perform: cloudformation:DescribeStacks'),
      {
        name: 'AccessDenied',
      },
    );
    cli.cfn.on(DescribeStacksCommand).rejects(denied);

    const result = await cli.run('adopt', '--dry-run');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: cloudformation:DescribeStacks was denied: .*; or name the deployment without CloudFormation: --managed-by <marker>\n$/,
    );
  });

  it('GIVEN --copy-regions that are not regions WHEN plan THEN exit 2 naming the option', async () => {
    const result = await givenCli().run('plan', '--copy-regions', 'eu-west-1,europe');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'ebs-backup: --copy-regions: "europe" is not a Region code; give Region codes such as eu-west-1,us-west-2, or none\n',
    );
  });
});
