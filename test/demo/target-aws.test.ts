import { EC2Client } from '@aws-sdk/client-ec2';
import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import { SimulatedAccount } from '../../local/simulated-account';
import { runCli, tableAfter } from '../fixtures/demo-cli';

const DAY = 24 * 3_600_000;
const MARKER = 'EbsGenerationBackup';

/**
 * `--target aws` reaches whatever EC2 the SDK's settings point at; here a simulated account's
 * client is injected in its place, so no network is needed. Real time: snapshots complete at once.
 */
function givenAccount() {
  const account = new SimulatedAccount({ ec2: { completionDelayMs: 0 } });
  const sim = account.ec2;
  const web = sim.addInstance({ name: 'web', tags: { 'Backup-Generation': '1' } });
  const volumeId = web.volumeIds[0];
  const history = [2, 1].map((daysAgo) =>
    sim.addSnapshot({
      volumeId,
      startTime: Date.now() - daysAgo * DAY,
      tags: Object.fromEntries(
        snapshotTags({
          managedBy: MARKER,
          executionName: `earlier-${daysAgo}`,
          runId: `earlier-${daysAgo}-key`,
          volumeId,
          instanceId: web.instanceId,
          instanceName: 'web',
          generations: 1,
        }).map((t) => [t.Key, t.Value]),
      ),
    }),
  );
  const mutations = () => {
    const calls = sim.calls();
    return calls.CreateSnapshot.succeeded + calls.DeleteSnapshot.succeeded + calls.CreateTags.succeeded;
  };
  return { sim, volumeId, history, mutations, deps: { ec2Client: () => account.ec2Client() } };
}

describe('npm start -- --target aws: the runner on an account through the SDK settings (SPEC §9.2)', () => {
  it('GIVEN --live without --yes and stdin not a terminal WHEN run THEN it refuses in one line, exit 2, no call made', async () => {
    const { sim, deps } = givenAccount();
    const { code, stdout, stderr } = await runCli(['--target', 'aws', '--live'], { deps });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'ebs-backup-local: --live needs a typed confirmation but stdin is not a terminal; add --yes to confirm\n',
    );
    expect(Object.values(sim.calls()).every((c) => c.succeeded + c.throttled + c.failed === 0)).toBe(true);
  });

  it('GIVEN no --live WHEN run THEN it plans only: what would be created and deleted, nothing changed', async () => {
    const { sim, volumeId, history, mutations, deps } = givenAccount();
    const { code, stdout, stderr } = await runCli(['--target', 'aws'], { deps });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      `Target: AWS, region us-east-1. Instances tagged Backup-Generation; snapshots marked Backup-Managed-By=${MARKER}.`,
    );
    expect(stdout).toMatch(/^Plan \(dry run\) · execution local-plan-\d{8}T\d{6}Z-[0-9a-f]{4}$/m);
    expect(stdout).toContain('Outcome: dry run, SUCCEEDED');
    expect(tableAfter(stdout, /^Plan \(dry run\)/)).toEqual([
      [
        volumeId,
        'web',
        '1',
        '(new snapshot)',
        '1',
        '2',
        '-',
        `would create 1, delete ${[...history].reverse().join(', ')}`,
      ],
    ]);
    expect(stdout).not.toContain('Live run');
    expect(mutations()).toBe(0);
    expect(sim.snapshotsOf(volumeId).map((s) => s.SnapshotId)).toEqual(history);
  });

  it('GIVEN --live WHEN the confirmation typed is not "yes" THEN nothing is created or deleted, exit 2', async () => {
    const { mutations, deps } = givenAccount();
    const { code, stderr, prompts } = await runCli(['--target', 'aws', '--live'], {
      deps,
      isTTY: true,
      answers: ['y'],
    });
    expect(prompts).toEqual(['Type "yes" to create 1 snapshot(s) and delete up to 2 in us-east-1: ']);
    expect(code).toBe(2);
    expect(stderr).toBe('ebs-backup-local: --live not confirmed: nothing was created or deleted\n');
    expect(mutations()).toBe(0);
  });

  it('GIVEN --live and "yes" typed WHEN run THEN the plan, then the real run: one new snapshot kept, older ones deleted', async () => {
    const { sim, volumeId, deps } = givenAccount();
    const { code, stdout } = await runCli(['--target', 'aws', '--live', '--json'], {
      deps,
      isTTY: true,
      answers: ['yes'],
    });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      runs: { dryRun: boolean; status: string; volumes: { created?: string }[] }[];
    };
    expect(doc.runs.map((r) => [r.dryRun, r.status])).toEqual([
      [true, 'SUCCEEDED'],
      [false, 'SUCCEEDED'],
    ]);
    const remaining = sim.snapshotsOf(volumeId).map((s) => s.SnapshotId);
    expect(remaining).toEqual([doc.runs[1].volumes[0].created]);
    expect(sim.calls().CreateSnapshot.succeeded).toBe(1);
  });

  it('GIVEN --live --yes and another marker WHEN run THEN snapshots of other deployments are not touched', async () => {
    const { sim, volumeId, history, deps } = givenAccount();
    const { code } = await runCli(['--target', 'aws', '--live', '--yes', '--managed-by', 'OtherStack'], {
      deps,
    });
    expect(code).toBe(0);
    const after = sim.snapshotsOf(volumeId);
    expect(after.map((s) => s.SnapshotId).slice(0, 2)).toEqual(history);
    expect(after).toHaveLength(3);
    expect(after[2].Tags).toContainEqual({ Key: 'Backup-Managed-By', Value: 'OtherStack' });
  });

  it('GIVEN SDK settings without a Region WHEN run THEN one line says what to set, exit 1', async () => {
    const noRegion = new EC2Client({
      region: async () => {
        throw new Error('Region is missing');
      },
    });
    const { code, stdout, stderr } = await runCli(['--target', 'aws'], {
      deps: { ec2Client: () => noRegion },
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'ebs-backup-local: no AWS Region: set AWS_REGION or use a profile that has one (Region is missing)\n',
    );
  });

  it('GIVEN EC2 refuses discovery WHEN run THEN the plan shows the readable cause and exit 1', async () => {
    const { sim, deps } = givenAccount();
    sim.injectFault({
      action: 'DescribeInstances',
      error: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      times: 10,
    });
    const { code, stdout } = await runCli(['--target', 'aws'], { deps });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}Discover {9}did not finish$/m);
    expect(stdout).toContain(
      'Outcome: dry run, FAILED (UnauthorizedOperation: You are not authorized to perform this operation.)',
    );
    expect(stdout).not.toContain('VOLUME');
  });
});
