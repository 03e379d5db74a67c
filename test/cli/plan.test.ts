import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { planBackup } from '../../cli/backup-plan';
import { REQUEST_HANDLER_OPTIONS } from '../../lambdas/commons/clients';
import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import { givenAccount } from '../fixtures/account';
import { givenCli } from '../fixtures/cli';
import { htmlEndpoint, REFUSED_ENDPOINT, runProcess } from '../fixtures/endpoints';

const TAG = 'Backup-Generation';
const MARKER = 'EbsGenerationBackup';
const DAY = 24 * 3_600_000;

interface PlanDoc {
  stack?: string;
  region: string;
  tagKey: string;
  managedBy: string;
  instanceIds?: string[];
  tonight: 'SUCCEEDED' | 'FAILED';
  nothingTagged: boolean;
  counts: Record<string, number>;
  volumes: {
    volumeId: string;
    instanceId?: string;
    instanceName?: string;
    generations: number;
    create: string;
    keep: string[];
    delete: string[];
    deleteCount: number;
    pending: number;
  }[];
  invalid: { resource: string; id: string; value?: string; reason: string }[];
  skipped: { resource: string; id: string; reason: string }[];
}

/**
 * web (N=2) has 4 completed generations, one in error and one pending of another run, plus the
 * recipe's own untagged snapshot; web-data is excluded by its own tag 0; db (N=3) has none; typo
 * has an invalid value; legacy is tagged 0.
 */
function givenFleet(options: Parameters<typeof givenCli>[0] = {}) {
  const cli = givenCli(options);
  const { sim } = cli;
  const now = cli.clock.now();
  const web = sim.addInstance({
    name: 'web',
    tags: { [TAG]: '2' },
    volumes: [{}, { tags: { [TAG]: '0' } }],
  });
  const [webRoot, webData] = web.volumeIds;
  const managed = (daysAgo: number, state?: 'error' | 'pending') =>
    sim.addSnapshot({
      volumeId: webRoot,
      startTime: now - daysAgo * DAY,
      ...(state && { state }),
      tags: Object.fromEntries(
        snapshotTags({
          managedBy: MARKER,
          executionName: `night-${daysAgo}`,
          runId: `night-${daysAgo}`,
          volumeId: webRoot,
          instanceId: web.instanceId,
          instanceName: 'web',
          generations: 2,
        }).map((t) => [t.Key, t.Value]),
      ),
    });
  const [day1, day2, day3, day4] = [1, 2, 3, 4].map((days) => managed(days));
  const failed = managed(5, 'error');
  const pending = managed(0.1, 'pending');
  const recipe = sim.addSnapshot({ volumeId: webRoot, description: `Auto Snapshot ${webRoot}(web)` });
  const db = sim.addInstance({ name: 'db', tags: { [TAG]: '3' } });
  const typo = sim.addInstance({ name: 'typo', tags: { [TAG]: '2.5' } });
  const legacy = sim.addInstance({ name: 'legacy', tags: { [TAG]: '0' } });
  const mutations = () => {
    const calls = sim.calls();
    return calls.CreateSnapshot.succeeded + calls.DeleteSnapshot.succeeded + calls.CreateTags.succeeded;
  };
  return {
    cli,
    web: {
      ...web,
      root: webRoot,
      data: webData,
      history: { day1, day2, day3, day4, failed, pending, recipe },
    },
    db,
    typo,
    legacy,
    mutations,
  };
}

describe('ebs-backup plan: what tonight’s run would do (SPEC §11.2)', () => {
  it('GIVEN a fleet with history, exclusions and an invalid value WHEN planned THEN per volume what would be created, deleted and kept; nothing changed; exit 1', async () => {
    const { cli, web, db, typo, legacy, mutations } = givenFleet();

    const result = await cli.run('plan', '--json');

    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const doc = result.json<PlanDoc>();
    expect(doc).toMatchObject({
      stack: 'EbsGenerationBackup',
      region: 'us-east-1',
      tagKey: TAG,
      managedBy: MARKER,
      tonight: 'FAILED',
      nothingTagged: false,
    });
    expect(doc.volumes).toEqual(
      [
        {
          volumeId: db.volumeIds[0],
          instanceId: db.instanceId,
          instanceName: 'db',
          generations: 3,
          create: `Auto Snapshot ${db.volumeIds[0]}(db)`,
          keep: [],
          delete: [],
          deleteCount: 0,
          pending: 0,
        },
        {
          volumeId: web.root,
          instanceId: web.instanceId,
          instanceName: 'web',
          generations: 2,
          create: `Auto Snapshot ${web.root}(web)`,
          // N=2: the new snapshot and the newest completed one; the error one goes too.
          keep: [web.history.day1],
          delete: expect.arrayContaining([
            web.history.day2,
            web.history.day3,
            web.history.day4,
            web.history.failed,
          ]),
          deleteCount: 4,
          pending: 1,
        },
      ].sort((a, b) => (a.volumeId < b.volumeId ? -1 : 1)),
    );
    expect(doc.invalid).toEqual([
      {
        resource: 'instance',
        id: typo.instanceId,
        value: '2.5',
        reason: 'is not a whole number of ASCII digits; expected 0 to 1000',
      },
    ]);
    expect(doc.skipped).toEqual([
      { resource: 'instance', id: legacy.instanceId, reason: 'instance tag is 0' },
      { resource: 'volume', id: web.data, reason: 'volume tag is 0' },
    ]);
    expect(doc.counts).toEqual({
      volumes: 2,
      create: 2,
      delete: 4,
      keep: 1,
      invalid: 1,
      skipped: 2,
      taggedInstances: 4,
      taggedVolumes: 1,
    });
    expect(mutations()).toBe(0);
    expect(cli.sim.snapshotsOf(web.root)).toHaveLength(7);
  });

  it('GIVEN the same fleet WHEN shown as text THEN a row per volume, the invalid and excluded targets, and the totals', async () => {
    const { cli, web, typo } = givenFleet();

    const { stdout, code } = await cli.run('plan');

    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      "Plan for stack EbsGenerationBackup in us-east-1: what tonight's run would do (nothing is changed)",
    );
    expect(lines[1]).toBe(
      `Instances and volumes tagged ${TAG}; snapshots marked Backup-Managed-By=${MARKER}`,
    );
    const row = lines.find((line) => line.startsWith(web.root))?.split(/\s{2,}/);
    expect(row?.slice(1, 6)).toEqual(['web', '2', '1', '1', '4']);
    expect(row?.[6]).toMatch(
      /^delete snap-\w+, snap-\w+, snap-\w+ and 1 more; 1 pending of another run left alone$/,
    );
    expect(stdout).toContain(
      `Invalid tag values (not backed up; tonight's run would end FAILED):\n  instance ${typo.instanceId}: tag value "2.5" is not a whole number`,
    );
    expect(stdout).toContain(`  volume ${web.data}: volume tag is 0`);
    expect(lines.at(-2)).toBe(
      'Tonight: 2 snapshot(s) to create, 4 to delete, 1 kept, on 2 volume(s); 1 invalid, 2 excluded. The run would end FAILED.',
    );
  });

  it('GIVEN --instance-ids WHEN planned THEN only those instances, and a requested one that is not targeted is invalid', async () => {
    const { cli, db, web } = givenFleet();
    const absent = 'i-0123456789abcdef0';

    const result = await cli.run('plan', '--json', '--instance-ids', `${db.instanceId},${absent}`);

    expect(result.code).toBe(1);
    const doc = result.json<PlanDoc>();
    expect(doc.instanceIds).toEqual([db.instanceId, absent]);
    expect(doc.volumes.map((v) => v.volumeId)).toEqual([db.volumeIds[0]]);
    expect(doc.volumes.map((v) => v.volumeId)).not.toContain(web.root);
    expect(doc.invalid).toEqual([
      {
        resource: 'instance',
        id: absent,
        reason: expect.stringMatching(/^was requested in instanceIds but is not an existing/),
      },
    ]);
  });

  it('GIVEN only valid targets WHEN planned THEN the run would succeed: exit 0', async () => {
    const cli = givenCli();
    const db = cli.sim.addInstance({ name: 'db', tags: { [TAG]: '3' } });

    const result = await cli.run('plan', '--json', '--instance-ids', db.instanceId);

    expect(result.code).toBe(0);
    expect(result.json<PlanDoc>()).toMatchObject({ tonight: 'SUCCEEDED', counts: { volumes: 1, create: 1 } });
  });

  it('GIVEN an --instance-ids value that is not an instance ID WHEN run THEN one line naming the option, exit 2', async () => {
    const result = await givenCli().run('plan', '--instance-ids', 'web');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'ebs-backup: --instance-ids: must be an instance ID like "i-0123456789abcdef0", got "web"\n',
    );
  });

  it('GIVEN nothing carries the tag (a wrong region looks like this) WHEN planned THEN it says so plainly, exit 0', async () => {
    const cli = givenCli();
    cli.sim.addInstance({ name: 'untagged' });

    const text = await cli.run('plan');
    const json = await cli.run('plan', '--json');

    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `No instance or volume carries the tag ${TAG} in us-east-1: nothing would be backed up.\nA wrong region, profile or endpoint looks exactly like this.`,
    );
    expect(text.stdout).not.toContain('VOLUME');
    expect(json.json<PlanDoc>()).toMatchObject({ nothingTagged: true, tonight: 'SUCCEEDED', volumes: [] });
  });

  it('GIVEN --tag-key and --managed-by WHEN planned THEN no stack is looked up, and those are used', async () => {
    const cli = givenCli({ stack: 'missing' });
    const other = cli.sim.addInstance({ name: 'other', tags: { Keep: '1' } });

    const result = await cli.run('plan', '--json', '--tag-key', 'Keep', '--managed-by', 'Other');

    expect(result.code).toBe(0);
    const doc = result.json<PlanDoc>();
    expect(doc.stack).toBeUndefined();
    expect(doc).toMatchObject({ tagKey: 'Keep', managedBy: 'Other' });
    expect(doc.volumes.map((v) => v.volumeId)).toEqual(other.volumeIds);
    expect(cli.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('GIVEN EC2 denies DescribeSnapshots WHEN planned THEN one line naming the permission, exit 2', async () => {
    const { cli } = givenFleet();
    cli.sim.injectFault({
      action: 'DescribeSnapshots',
      error: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      times: 10,
    });

    const result = await cli.run('plan');

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^ebs-backup: ec2:DescribeSnapshots was denied: the caller needs an IAM policy allowing ec2:DescribeSnapshots .*\n$/,
    );
  });

  it('GIVEN an endpoint that answers 200 with an HTML page WHEN planned THEN not a plan of 0 volumes: one line, exit 2', async () => {
    const endpoint = await htmlEndpoint();
    try {
      // What the SDK does with such a page: an empty, successful answer.
      const plain = new EC2Client({ endpoint: endpoint.url, maxAttempts: 1 });
      await expect(plain.send(new DescribeVolumesCommand({}))).resolves.not.toHaveProperty('Volumes');
      const ec2Client = new EC2Client({
        endpoint: endpoint.url,
        maxAttempts: 1,
        requestHandler: REQUEST_HANDLER_OPTIONS,
      });

      const result = await givenCli({ ec2Client }).run('plan');

      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^ebs-backup: the endpoint for ec2:Describe(Instances|Volumes) did not answer like AWS \(is AWS_ENDPOINT_URL right\?\): .*HTML page \(text\/html; charset=utf-8\)\n$/,
      );
    } finally {
      await endpoint.close();
    }
  });

  it('GIVEN a refused port WHEN `ebs-backup plan` runs in a process of its own THEN one line within seconds, exit 2', async () => {
    const run = await runProcess(
      'ebs-backup.ts',
      ['plan', '--tag-key', TAG, '--managed-by', MARKER, '--region', 'us-east-1'],
      { AWS_ENDPOINT_URL_EC2: REFUSED_ENDPOINT },
    );
    expect(run.stderr).toMatch(
      /^ebs-backup: cannot reach the AWS endpoint for ec2:Describe\w+: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
    );
    expect(run.code).toBe(2);
    // tsx's own start-up included.
    expect(run.ms).toBeLessThan(15_000);
  }, 30_000);

  it('GIVEN plan --help WHEN run THEN it describes each option and the exit codes', async () => {
    const result = await givenCli().run('plan', '--help');
    expect(result.code).toBe(0);
    for (const option of ['--instance-ids <ids...>', '--tag-key <key>', '--managed-by <marker>']) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).toMatch(/Exit codes: 0 the run would succeed/);
  });
});

describe('planBackup with the deployment’s copy settings (SPEC §10.2)', () => {
  const COPY = 'Backup-Copy-Generation';

  it('GIVEN copy tags WHEN planned with copy regions THEN the same copy decision as a run; without, none', async () => {
    const { sim, ec2, clock } = givenAccount();
    const { volumeIds } = sim.addInstance({ tags: { [TAG]: '2', [COPY]: '3' }, volumes: [{}] });
    const typo = sim.addInstance({ tags: { [TAG]: '1', [COPY]: 'x' }, volumes: [{}] });
    const scope = { tagKey: TAG, managedBy: MARKER, now: clock.now };
    const copies = { copyTagKey: COPY, copyRegions: [{ region: 'eu-west-1' }] };

    const withCopies = await planBackup(ec2, { ...scope, copies });
    expect(new Map(withCopies.volumes.map((v) => [v.volumeId, v.copyGenerations]))).toEqual(
      new Map([
        [volumeIds[0], 3],
        [typo.volumeIds[0], undefined],
      ]),
    );
    expect(withCopies.invalid).toEqual([
      { resource: 'instance', tagKey: COPY, id: typo.instanceId, value: 'x', reason: expect.any(String) },
    ]);

    const without = await planBackup(ec2, scope);
    expect(without.volumes.some((v) => 'copyGenerations' in v)).toBe(false);
    expect(without.invalid).toEqual([]);
  });
});
