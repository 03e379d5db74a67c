import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import { SimulatedAccount } from '../../local/simulated-account';
import { runCli, runOnEndpoint, SIMULATED_ENDPOINT_URL } from '../fixtures/demo-cli';
import {
  keptOpenHtmlEndpoint,
  REFUSED_ENDPOINT,
  runProcess,
  silentEndpoint,
  withEnv,
} from '../fixtures/endpoints';

const DAY = 24 * 3_600_000;
const MARKER = 'EbsGenerationBackup';

/**
 * `--target aws` reaches whatever EC2 the SDK's settings point at; here AWS_ENDPOINT_URL_EC2
 * names a simulated account's endpoint (`runOnEndpoint`), so no network is needed. Real time:
 * snapshots complete at once.
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
  // Virtual time: a live run's pruning loop polls before the first snapshot exists, and its Retry
  // waits 30 s and more.
  const run = (argv: string[], options: { isTTY?: boolean; answers?: string[] } = {}) =>
    runOnEndpoint(account, argv, { virtualTime: true, ...options });
  return { sim, volumeId, history, mutations, run };
}

describe('npm start -- --target aws: the runner on an account through the SDK settings (SPEC §9.2)', () => {
  it('GIVEN --live without --yes and stdin not a terminal WHEN run THEN it refuses in one line, exit 2, no call made', async () => {
    const { sim, run } = givenAccount();
    const { code, stdout, stderr } = await run(['--target', 'aws', '--live']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'ebs-backup-local: --live needs a typed confirmation but stdin is not a terminal; add --yes to confirm\n',
    );
    expect(Object.values(sim.calls()).every((c) => c.succeeded + c.throttled + c.failed === 0)).toBe(true);
  });

  it('GIVEN no --live WHEN run THEN the plan of `ebs-backup plan`: what would be created and deleted, nothing changed', async () => {
    const { sim, volumeId, history, mutations, run } = givenAccount();
    const { code, stdout, stderr } = await run(['--target', 'aws']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      `Target: ${SIMULATED_ENDPOINT_URL}, region us-east-1. Instances tagged Backup-Generation; snapshots marked Backup-Managed-By=${MARKER}.`,
    );
    expect(stdout).toContain(
      `The plan, as \`ebs-backup plan --tag-key Backup-Generation --managed-by ${MARKER}\` shows it`,
    );
    const row = stdout
      .split('\n')
      .find((line) => line.startsWith(volumeId))
      ?.split(/\s{2,}/);
    expect(row).toEqual([volumeId, 'web', '1', '1', '0', '2', `delete ${[...history].reverse().join(', ')}`]);
    expect(stdout).toContain('The run would end SUCCEEDED.');
    expect(stdout).not.toContain('Live run');
    expect(mutations()).toBe(0);
    expect(sim.snapshotsOf(volumeId).map((s) => s.SnapshotId)).toEqual(history);
  });

  it('GIVEN --live WHEN the confirmation typed is not "yes" THEN nothing is created or deleted, exit 2', async () => {
    const { mutations, run } = givenAccount();
    const { code, stderr, prompts } = await run(['--target', 'aws', '--live'], {
      isTTY: true,
      answers: ['y'],
    });
    expect(prompts).toEqual(['Create 1 snapshot(s) and delete up to 2 in us-east-1? Type yes to continue: ']);
    expect(code).toBe(2);
    expect(stderr).toBe('ebs-backup-local: --live: nothing was created or deleted: not confirmed\n');
    expect(mutations()).toBe(0);
  });

  it('GIVEN --live WHEN the operator presses Ctrl+C or Ctrl+D at the confirmation THEN exit 2 as the help says, nothing changed', async () => {
    const { mutations, run } = givenAccount();
    // The terminal's readLine answers undefined for both (see test/demo/terminal.test.ts).
    const { code, stderr } = await run(['--target', 'aws', '--live'], {
      isTTY: true,
      answers: [],
    });
    expect(code).toBe(2);
    expect(stderr).toBe('ebs-backup-local: --live: nothing was created or deleted: not confirmed\n');
    expect(mutations()).toBe(0);
  });

  it('GIVEN --live and "yes" typed WHEN run THEN the plan, then the real run, which deletes exactly what the plan said', async () => {
    const { sim, volumeId, history, run } = givenAccount();
    const { code, stdout } = await run(['--target', 'aws', '--live', '--json'], {
      isTTY: true,
      answers: ['yes'],
    });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      plan: { tonight: string; volumes: { volumeId: string; delete: string[] }[] };
      runs: { dryRun: boolean; status: string; volumes: { created?: string; deleted: string[] }[] }[];
    };
    expect(doc.plan.tonight).toBe('SUCCEEDED');
    expect(doc.plan.volumes.map((v) => [v.volumeId, [...v.delete].sort()])).toEqual([
      [volumeId, [...history].sort()],
    ]);
    expect(doc.runs.map((r) => [r.dryRun, r.status])).toEqual([[false, 'SUCCEEDED']]);
    expect([...doc.runs[0].volumes[0].deleted].sort()).toEqual([...doc.plan.volumes[0].delete].sort());
    const remaining = sim.snapshotsOf(volumeId).map((s) => s.SnapshotId);
    expect(remaining).toEqual([doc.runs[0].volumes[0].created]);
    expect(sim.calls().CreateSnapshot.succeeded).toBe(1);
  });

  it('GIVEN --live --yes and another marker WHEN run THEN snapshots of other deployments are not touched', async () => {
    const { sim, volumeId, history, run } = givenAccount();
    const { code } = await run(['--target', 'aws', '--live', '--yes', '--managed-by', 'OtherStack'], {});
    expect(code).toBe(0);
    const after = sim.snapshotsOf(volumeId);
    expect(after.map((s) => s.SnapshotId).slice(0, 2)).toEqual(history);
    expect(after).toHaveLength(3);
    expect(after[2].Tags).toContainEqual({ Key: 'Backup-Managed-By', Value: 'OtherStack' });
  });

  it('GIVEN a live run that ends FAILED WHEN shown THEN no s3:// report is named (the work files were in memory), exit 1', async () => {
    const { sim, run } = givenAccount();
    sim.addInstance({ name: 'typo', tags: { 'Backup-Generation': '2.5' } });
    const { code, stdout } = await run(['--target', 'aws', '--live', '--yes']);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /Outcome: FAILED \(BackupFailed: 0 volumes failed, 1 invalid tag value\. Full report: kept in memory, shown below\)/,
    );
    expect(stdout).not.toContain('s3://');
  });

  it('GIVEN SDK settings without a Region WHEN run THEN one line says what to set, exit 2', async () => {
    const { code, stdout, stderr } = await withEnv(
      {
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: '/nonexistent',
      },
      () => runCli(['--target', 'aws']),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'ebs-backup-local: no AWS Region: set AWS_REGION or use a profile that has one (Region is missing)\n',
    );
  });

  it('GIVEN EC2 denies discovery WHEN run THEN one line naming the permission, exit 2, no plan shown', async () => {
    const { sim, run } = givenAccount();
    sim.injectFault({
      action: 'DescribeInstances',
      error: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      times: 10,
    });
    const { code, stdout, stderr } = await run(['--target', 'aws']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'ebs-backup-local: ec2:DescribeInstances was denied: the caller needs an IAM policy allowing ec2:DescribeInstances (see README, "Operator permissions"): You are not authorized to perform this operation.\n',
    );
    expect(stdout).not.toContain('VOLUME');
  });
});

describe('npm start -- --target aws against an endpoint that is wrong, in a process of its own', () => {
  it('GIVEN a refused port WHEN run THEN it says so within seconds (no retries of Discover), exit 2', async () => {
    const run = await runProcess('ebs-backup-local.ts', ['--target', 'aws'], {
      AWS_ENDPOINT_URL_EC2: REFUSED_ENDPOINT,
    });
    expect(run.stderr).toMatch(
      /^ebs-backup-local: cannot reach the AWS endpoint for ec2:Describe\w+: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
    );
    expect(run.code).toBe(2);
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);

  it('GIVEN a web server that answers HTML and keeps its connections open WHEN run THEN after the refusal the process ends by itself, its connection closed, exit 2', async () => {
    const endpoint = await keptOpenHtmlEndpoint();
    try {
      // Were the page's connection left open, the process would never end: killed after 20 s, code -1.
      const run = await runProcess(
        'ebs-backup-local.ts',
        ['--target', 'aws'],
        { AWS_ENDPOINT_URL_EC2: endpoint.url },
        20_000,
      );
      expect(run.stderr).toMatch(
        /^ebs-backup-local: the endpoint for ec2:Describe\w+ did not answer like AWS/,
      );
      expect(run.code).toBe(2);
      const { accepted, closed } = endpoint.connections();
      expect(accepted).toBeGreaterThan(0);
      expect(closed).toBe(accepted);
    } finally {
      await endpoint.close();
    }
  }, 30_000);

  it('GIVEN an endpoint that accepts and never answers WHEN run THEN the request times out and the process exits, exit 2', async () => {
    const endpoint = await silentEndpoint();
    try {
      const run = await runProcess(
        'ebs-backup-local.ts',
        ['--target', 'aws'],
        { AWS_ENDPOINT_URL_EC2: endpoint.url },
        45_000,
      );
      expect(run.stderr).toMatch(
        /^ebs-backup-local: cannot reach the AWS endpoint for ec2:Describe\w+: TimeoutError: .*10000 ms requestTimeout/,
      );
      expect(run.code).toBe(2);
      // One attempt of 10 s, and tsx's start-up.
      expect(run.ms).toBeLessThan(30_000);
      expect(endpoint.connections().accepted).toBeGreaterThan(0);
    } finally {
      await endpoint.close();
    }
  }, 60_000);
});
