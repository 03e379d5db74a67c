import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { planBackup } from '../../cli/backup-plan';
import { REQUEST_HANDLER_OPTIONS } from '../../lambdas/commons/clients';
import { SnapshotTag, snapshotTags } from '../../lambdas/core/snapshot-tags';
import { givenAccount } from '../fixtures/account';
import { addCopy, COPY_REGION, givenCli } from '../fixtures/cli';
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
    keepCount: number;
    delete: string[];
    deleteCount: number;
    pending: number;
    copyGenerations?: number;
    copies?: PlannedCopiesDoc[];
  }[];
  invalid: { resource: string; tagKey?: string; id: string; value?: string; reason: string }[];
  skipped: { resource: string; id: string; reason: string }[];
  copyTagKey?: string;
  copyRegions?: string[];
  retiredCopyRegions: { region: string; copies?: number; message: string }[];
  retiredCopyRegionsUnknown?: string;
}

interface PlannedCopiesDoc {
  region: string;
  keep: string[];
  keepCount: number;
  delete: string[];
  deleteCount: number;
  pending: number;
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
          keepCount: 0,
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
          keepCount: 1,
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
      copyCreate: 0,
      copyDelete: 0,
      copyKeep: 0,
      sets: 0,
    });
    // A stack deployed before copies has no copy outputs: no copies.
    expect(doc).toMatchObject({
      copyTagKey: 'Backup-Copy-Generation',
      copyRegions: [],
      retiredCopyRegions: [],
    });
    expect(doc.volumes.some((v) => 'copies' in v)).toBe(false);
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
      'Tonight: 2 snapshots to create, 4 to delete, 1 kept, on 2 volumes; 1 invalid, 2 excluded. The run would end FAILED.',
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
    const text = await cli.run('plan', '--instance-ids', db.instanceId);
    // One of each is said in the singular.
    expect(text.stdout).toContain(
      'Tonight: 1 snapshot to create, 0 to delete, 0 kept, on 1 volume; 0 invalid, 0 excluded.',
    );
  });

  it('GIVEN N=300 and 400 generations WHEN planned THEN the newest kept are listed, all 299 counted, as a run reports them', async () => {
    const cli = givenCli();
    const db = cli.sim.addInstance({ name: 'db', tags: { [TAG]: '300' }, volumes: [{}] });
    const now = cli.clock.now();
    for (let hours = 1; hours <= 400; hours++) {
      cli.sim.addSnapshot({
        volumeId: db.volumeIds[0],
        startTime: now - hours * 3_600_000,
        tags: { [SnapshotTag.managedBy]: MARKER, [SnapshotTag.volumeId]: db.volumeIds[0] },
      });
    }

    const doc = (await cli.run('plan', '--json')).json<PlanDoc>();

    expect(doc.volumes[0]).toMatchObject({ keepCount: 299, deleteCount: 101 });
    // A result lists the newest 100 kept; tonight's snapshot is the first of them.
    expect(doc.volumes[0].keep).toHaveLength(99);
    expect(doc.counts.keep).toBe(299);
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
    // The copy regions are the stack's: without it, copies are not planned, and it says so.
    expect(doc).not.toHaveProperty('copyRegions');
    const text = await cli.run('plan', '--tag-key', 'Keep', '--managed-by', 'Other');
    expect(text.stdout.split('\n')[2]).toBe(
      "Copies are not planned: the copy regions are the stack's outputs (or pass --copy-regions)",
    );
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
    expect(result.stdout).toMatch(
      /Exit codes: 0 success; 1 the run or the check failed \(plan: tonight's run would end FAILED;/,
    );
    expect(result.stdout).toMatch(
      /With the stack \(or --copy-regions\), copies in the copy regions are planned/,
    );
    expect(result.stdout).toMatch(/copies are then planned only with --copy-regions/);
  });
});

const COPY_TAG = 'Backup-Copy-Generation';
const RETIRED_REGION = 'us-west-2';

/**
 * A deployment keeping copies in eu-west-1 (and formerly in us-west-2). web (N=2, 2 copies) has
 * three completed copies there and one pending, besides a copy of another deployment's and one
 * from another source region; app (N=1, 1 copy) has none yet; db (N=3) has no copy tag but an
 * old copy, left alone; typo's copy tag is invalid; us-west-2 still holds 2 copies of web.
 */
function givenCopyFleet() {
  const cli = givenCli({ copyRegions: [{ region: COPY_REGION }] });
  const { sim, copySim, account } = cli;
  const now = cli.clock.now();
  const web = sim.addInstance({ name: 'web', tags: { [TAG]: '2', [COPY_TAG]: '2' } });
  const [root] = web.volumeIds;
  const source = sim.addSnapshot({ volumeId: root, startTime: now - DAY });
  const copy = (daysAgo: number, extra: Partial<Parameters<typeof addCopy>[1]> = {}) =>
    addCopy(copySim, {
      volumeId: root,
      instanceId: web.instanceId,
      instanceName: 'web',
      sourceSnapshotId: source,
      startTime: now - daysAgo * DAY,
      ...extra,
    });
  const copies = {
    day1: copy(1),
    day2: copy(2),
    day3: copy(3),
    pending: copy(0.1, { state: 'pending' }),
    foreign: copy(0.5, { managedBy: 'SomeoneElse' }),
    otherSource: copy(0.6, { sourceRegion: 'eu-central-1' }),
  };
  const app = sim.addInstance({ name: 'app', tags: { [TAG]: '1', [COPY_TAG]: '1' } });
  const db = sim.addInstance({ name: 'db', tags: { [TAG]: '3' } });
  const dbCopy = addCopy(copySim, {
    volumeId: db.volumeIds[0],
    sourceSnapshotId: source,
    startTime: now - DAY,
  });
  const typo = sim.addInstance({ name: 'typo', tags: { [TAG]: '1', [COPY_TAG]: 'x' } });
  const retired = account.ec2In(RETIRED_REGION);
  addCopy(retired, { volumeId: root, sourceSnapshotId: source, startTime: now - 10 * DAY });
  addCopy(retired, { volumeId: root, sourceSnapshotId: source, startTime: now - 11 * DAY });
  addCopy(retired, {
    volumeId: root,
    sourceSnapshotId: source,
    startTime: now,
    sourceRegion: 'eu-central-1',
  });
  const mutations = () =>
    [sim, copySim, retired].reduce((n, region) => {
      const calls = region.calls();
      return (
        n + calls.CreateSnapshot.succeeded + calls.CopySnapshot.succeeded + calls.DeleteSnapshot.succeeded
      );
    }, 0);
  return { cli, web: { ...web, root, copies }, app, db: { ...db, copy: dbCopy }, typo, mutations };
}

describe('ebs-backup plan with copies in other regions (SPEC §10, §11.2)', () => {
  it('GIVEN a deployment with a copy region WHEN planned THEN per volume and region the copy and its retention, the invalid copy tag, and the retired region; nothing changed', async () => {
    const { cli, web, app, db, typo, mutations } = givenCopyFleet();
    await cli.recordCopyRegions([COPY_REGION, RETIRED_REGION]);

    const result = await cli.run('plan', '--json');

    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const doc = result.json<PlanDoc>();
    expect(doc).toMatchObject({ copyTagKey: COPY_TAG, copyRegions: [COPY_REGION], tonight: 'FAILED' });
    const byId = new Map(doc.volumes.map((v) => [v.volumeId, v]));
    expect(byId.get(web.root)).toMatchObject({
      generations: 2,
      copyGenerations: 2,
      copies: [
        {
          region: COPY_REGION,
          // N=2: tonight's copy and the newest completed one; not another deployment's, nor
          // copies of another source region.
          keep: [web.copies.day1],
          delete: expect.arrayContaining([web.copies.day2, web.copies.day3]),
          deleteCount: 2,
          pending: 1,
        },
      ],
    });
    expect(byId.get(web.root)?.copies?.[0].delete).not.toContain(web.copies.foreign);
    expect(byId.get(app.volumeIds[0])).toMatchObject({
      copyGenerations: 1,
      copies: [{ region: COPY_REGION, keep: [], delete: [], deleteCount: 0, pending: 0 }],
    });
    // No copy tag: no copies, and its copy there is left alone.
    expect(byId.get(db.volumeIds[0])).not.toHaveProperty('copies');
    // An invalid copy tag: backed up, not copied, and the run fails.
    expect(byId.get(typo.volumeIds[0])).not.toHaveProperty('copies');
    expect(doc.invalid).toEqual([
      {
        resource: 'instance',
        tagKey: COPY_TAG,
        id: typo.instanceId,
        value: 'x',
        reason: `${COPY_TAG} is not a whole number of ASCII digits; expected 0 to 1000`,
      },
    ]);
    expect(doc.retiredCopyRegions).toEqual([
      {
        region: RETIRED_REGION,
        copies: 2,
        message: 'no longer in copyRegions: 2 copies left untouched, not pruned',
      },
    ]);
    expect(doc.counts).toMatchObject({ volumes: 4, create: 4, copyCreate: 2, copyDelete: 2, copyKeep: 1 });
    expect(mutations()).toBe(0);
  });

  it('GIVEN the same deployment WHEN shown as text THEN a copies table, the invalid copy tag apart, the retired region and the copy totals', async () => {
    const { cli, web, app, typo } = givenCopyFleet();
    await cli.recordCopyRegions([COPY_REGION, RETIRED_REGION]);

    const { stdout, code } = await cli.run('plan');

    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[2]).toBe(`Copies in ${COPY_REGION} for volumes tagged ${COPY_TAG}`);
    const copies = lines.indexOf("Copies (made from tonight's snapshot once it completes):");
    expect(lines[copies + 1].split(/\s{2,}/)).toEqual([
      'VOLUME',
      'REGION',
      'N',
      'CREATE',
      'KEEP',
      'DELETE',
      'DETAILS',
    ]);
    const rows = lines.slice(copies + 2, copies + 4).map((line) => line.split(/\s{2,}/));
    expect(rows.map((row) => row.slice(0, 6))).toEqual(
      [
        [web.root, COPY_REGION, '2', '1', '1', '2'],
        [app.volumeIds[0], COPY_REGION, '1', '1', '0', '0'],
      ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    expect(rows.find((row) => row[0] === web.root)?.[6]).toMatch(
      /^delete snap-\w+, snap-\w+; 1 pending of another run left alone$/,
    );
    expect(stdout).toContain(
      "Invalid copy tag values (backed up but not copied, their copies left alone; tonight's run would end FAILED):\n" +
        `  instance ${typo.instanceId}: ${COPY_TAG} value "x" is not a whole number of ASCII digits; expected 0 to 1000`,
    );
    expect(stdout).not.toContain('Invalid tag values (not backed up');
    expect(stdout).toContain(
      'Copy regions no longer configured (not copied to, not pruned):\n' +
        `  ${RETIRED_REGION}: no longer in copyRegions: 2 copies left untouched, not pruned`,
    );
    expect(lines.at(-2)).toBe(
      'Tonight: 4 snapshots to create, 0 to delete, 0 kept, on 4 volumes; 2 copies to create, 2 to delete, 1 kept, in 1 region; 1 invalid, 0 excluded. The run would end FAILED.',
    );
  });

  it('GIVEN a retired region whose copies cannot be counted WHEN planned THEN it is reported without a count, as a run reports it', async () => {
    const { cli } = givenCopyFleet();
    await cli.recordCopyRegions([COPY_REGION, RETIRED_REGION]);
    cli.account.ec2In(RETIRED_REGION).injectFault({
      action: 'DescribeSnapshots',
      error: 'UnauthorizedOperation',
      message: 'not authorized',
      times: 10,
    });

    const result = await cli.run('plan', '--json');

    expect(result.code).toBe(1);
    expect(result.json<PlanDoc>().retiredCopyRegions).toEqual([
      {
        region: RETIRED_REGION,
        message: expect.stringMatching(
          /^no longer in copyRegions: its copies are left untouched, not pruned; they could not be counted \(CliError: ec2:DescribeSnapshots in us-west-2 was denied/,
        ),
      },
    ]);
  });

  it('GIVEN the record of copy regions cannot be read WHEN planned THEN the plan is made and says the retired regions are unknown', async () => {
    const { cli } = givenCopyFleet();
    const send = cli.s3.send.bind(cli.s3);
    cli.s3.send = ((command: object) =>
      command.constructor.name === 'GetObjectCommand'
        ? Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }))
        : send(command as never)) as typeof cli.s3.send;

    const json = await cli.run('plan', '--json');
    const text = await cli.run('plan');

    expect(json.code).toBe(1);
    expect(json.json<PlanDoc>()).toMatchObject({
      retiredCopyRegions: [],
      retiredCopyRegionsUnknown: expect.stringMatching(/^s3:GetObject was denied/),
    });
    expect(json.json<PlanDoc>().counts.copyCreate).toBe(2);
    expect(text.stdout).toContain(
      "Copy regions no longer configured: unknown, the work bucket's record could not be read (s3:GetObject was denied",
    );
  });

  it('GIVEN EC2 in the copy region denies DescribeSnapshots WHEN planned THEN one line naming the action and the region, exit 2', async () => {
    const { cli } = givenCopyFleet();
    cli.copySim.injectFault({
      action: 'DescribeSnapshots',
      error: 'UnauthorizedOperation',
      message: 'not authorized',
      times: 10,
    });

    const result = await cli.run('plan');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: ec2:DescribeSnapshots in eu-west-1 was denied: the caller needs an IAM policy allowing ec2:DescribeSnapshots in eu-west-1 /,
    );
  });
});

describe('planBackup with the deployment’s copy settings (SPEC §10.2)', () => {
  const COPY = 'Backup-Copy-Generation';

  it('GIVEN copy tags WHEN planned with copy regions THEN the same copy decision as a run; without, none', async () => {
    const { sim, ec2, clock, account } = givenAccount();
    const { volumeIds } = sim.addInstance({ tags: { [TAG]: '2', [COPY]: '3' }, volumes: [{}] });
    const typo = sim.addInstance({ tags: { [TAG]: '1', [COPY]: 'x' }, volumes: [{}] });
    const scope = { tagKey: TAG, managedBy: MARKER, now: clock.now };
    const copies = { copyTagKey: COPY, copyRegions: [{ region: 'eu-west-1' }] };

    const withCopies = await planBackup(ec2, { ...scope, copies, ec2In: (r) => account.ec2Client(r) });
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
