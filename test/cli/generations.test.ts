import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import type { SimulatedEc2 } from '../../local/simulated-account';
import { addCopy, COPY_REGION, givenCli } from '../fixtures/cli';

const DAY = 24 * 3_600_000;
const TAG = 'Backup-Generation';

interface CopiesDoc {
  region: string;
  managed: boolean;
  generations: number | null;
  completed: number;
  status: string;
  remark: string;
  deletesNext: string[];
  snapshots: {
    snapshotId: string;
    state: string;
    startTime: string;
    sizeGiB: number | null;
    generation: number | null;
    encrypted: boolean;
    kmsKeyId: string | null;
    sourceSnapshotId: string | null;
  }[];
}

interface Report {
  stackName: string;
  managedBy: string;
  tagKey: string;
  region: string;
  copyTagKey: string;
  copyRegions: string[];
  copiesListed: boolean;
  retiredCopyRegions: string[];
  retiredCopyRegionsUnknown?: string;
  generatedAt: string;
  instances: {
    instanceId: string | null;
    instanceName: string | null;
    volumes: {
      volumeId: string;
      generations: number | null;
      notBackedUp: string | null;
      completed: number;
      status: string;
      remark: string;
      deletesNext: string[];
      snapshots: {
        snapshotId: string;
        state: string;
        startTime: string;
        sizeGiB: number | null;
        generation: number | null;
      }[];
      copyGenerations: number | null;
      copies: CopiesDoc[];
    }[];
  }[];
}

/** Earlier backups of a volume as the workflow tags them (SPEC §2.2), one per `daysAgo`. */
function history(
  sim: SimulatedEc2,
  now: number,
  volumeId: string,
  instance: { instanceId?: string; name?: string },
  daysAgo: readonly number[],
  options: { state?: 'completed' | 'pending' | 'error'; managedBy?: string } = {},
): string[] {
  return daysAgo.map((days) =>
    sim.addSnapshot({
      volumeId,
      startTime: now - days * DAY,
      state: options.state ?? 'completed',
      tags: Object.fromEntries(
        snapshotTags({
          managedBy: options.managedBy ?? DEFAULT_STACK_NAME,
          executionName: `earlier-${days}`,
          runId: `earlier-${days}-key`,
          volumeId,
          ...(instance.instanceId !== undefined && { instanceId: instance.instanceId }),
          ...(instance.name !== undefined && { instanceName: instance.name }),
          generations: 2,
        }).map((t) => [t.Key, t.Value]),
      ),
    }),
  );
}

/**
 * A fleet with one case per line of the report: over, under and at N, pending and error
 * snapshots, generation 0, an invalid value, a volume's own tag, an unattached volume, a
 * terminated instance's and a deleted volume's families, and snapshots that are not ours.
 */
function givenFleet() {
  const cli = givenCli();
  const { sim } = cli;
  const now = cli.clock.now();
  const web = sim.addInstance({ name: 'web', tags: { [TAG]: '2' }, volumes: [{ sizeGiB: 30 }] });
  const [webRoot] = web.volumeIds;
  const webSnaps = history(sim, now, webRoot, { ...web, name: 'web' }, [1, 2, 3]);
  history(sim, now, webRoot, web, [0.5], { managedBy: 'OtherStack' });
  sim.addSnapshot({
    volumeId: webRoot,
    description: `Auto Snapshot ${webRoot}(web)`,
    startTime: now - 9 * DAY,
  });

  const db = sim.addInstance({ name: 'db', tags: { [TAG]: '3' }, volumes: [{}, { tags: { [TAG]: '1' } }] });
  const [dbRoot, dbData] = db.volumeIds;
  const dbRootDone = history(sim, now, dbRoot, { ...db, name: 'db' }, [1]);
  const dbRootPending = history(sim, now, dbRoot, { ...db, name: 'db' }, [0.01], { state: 'pending' });
  const dbDataDone = history(sim, now, dbData, { ...db, name: 'db' }, [1]);
  const dbDataError = history(sim, now, dbData, { ...db, name: 'db' }, [0.02], { state: 'error' });

  const legacy = sim.addInstance({ name: 'legacy', tags: { [TAG]: '0' } });
  history(sim, now, legacy.volumeIds[0], { ...legacy, name: 'legacy' }, [5]);
  const typo = sim.addInstance({ name: 'typo', tags: { [TAG]: '2.5' } });
  history(sim, now, typo.volumeIds[0], { ...typo, name: 'typo' }, [3]);
  const blank = sim.addInstance({ name: '  ', tags: { [TAG]: '1' } });
  const spare = sim.addVolume({ tags: { [TAG]: '1' } });

  const old = sim.addInstance({ name: 'old', tags: { [TAG]: '1' } });
  const oldSnaps = history(sim, now, old.volumeIds[0], { ...old, name: 'old' }, [40, 41]);
  sim.setInstanceState(old.instanceId, 'terminated');
  const untagged = sim.addInstance({ name: 'scratch' });
  const goneVolume = sim.addVolume({ instanceId: web.instanceId });
  history(sim, now, goneVolume, { ...web, name: 'web' }, [20]);
  sim.deleteVolume(goneVolume);
  return {
    cli,
    web: { ...web, root: webRoot, snaps: webSnaps, gone: goneVolume },
    db: { ...db, root: dbRoot, data: dbData, dbRootDone, dbRootPending, dbDataDone, dbDataError },
    legacy,
    typo,
    blank,
    spare,
    old: { ...old, snaps: oldSnaps },
    untagged,
  };
}

function volume(report: Report, volumeId: string) {
  for (const instance of report.instances) {
    const found = instance.volumes.find((v) => v.volumeId === volumeId);
    if (found) return { instance, ...found };
  }
  throw new Error(`${volumeId} is not in the report`);
}

describe('ebs-backup generations (SPEC §3, §11)', () => {
  it('GIVEN generations --help WHEN run THEN each option is described', async () => {
    const { stdout, code } = await givenCli().run('generations', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/--instance-ids <ids\.\.\.>\s+only the volumes of these instances/);
    expect(stdout).toMatch(/--volume-ids <ids\.\.\.>\s+only these volumes/);
    expect(stdout).toMatch(/--no-copies\s+leave out the copies in other regions/);
    expect(stdout).toMatch(/--region is the home region/);
  });

  describe('GIVEN a fleet with every case', () => {
    let fleet: ReturnType<typeof givenFleet>;
    let report: Report;
    beforeAll(async () => {
      fleet = givenFleet();
      const result = await fleet.cli.run('generations', '--json');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      report = result.json<Report>();
    });

    it('WHEN listed THEN the deployment and the time are stated', () => {
      expect(report).toEqual(
        expect.objectContaining({
          stackName: DEFAULT_STACK_NAME,
          managedBy: DEFAULT_STACK_NAME,
          tagKey: TAG,
          generatedAt: new Date(fleet.cli.clock.now()).toISOString(),
        }),
      );
    });

    it('WHEN a volume has more completed generations than N THEN they are numbered newest first and it is over N', () => {
      const web = volume(report, fleet.web.root);
      expect(web.instance).toEqual(
        expect.objectContaining({ instanceId: fleet.web.instanceId, instanceName: 'web' }),
      );
      expect(web).toEqual(
        expect.objectContaining({ generations: 2, completed: 3, status: 'over-n', notBackedUp: null }),
      );
      // The next backup's own snapshot counts toward N: 3 completed + 1 new, N=2, so 2 go.
      expect(web.remark).toMatch(/^over N by 1: the next successful backup deletes the oldest 2,/);
      expect(web.deletesNext).toEqual([fleet.web.snaps[1], fleet.web.snaps[2]]);
      // Only this deployment's snapshots: not OtherStack's, not the untagged recipe one.
      expect(web.snapshots).toEqual(
        fleet.web.snaps.map((snapshotId, i) => ({
          snapshotId,
          state: 'completed',
          startTime: new Date(fleet.cli.clock.now() - (i + 1) * DAY).toISOString(),
          sizeGiB: 30,
          generation: i + 1,
        })),
      );
    });

    it('WHEN a volume has a pending snapshot THEN it is shown unnumbered and named as why the volume is under N', () => {
      const dbRoot = volume(report, fleet.db.root);
      expect(dbRoot.snapshots.map((s) => [s.snapshotId, s.state, s.generation])).toEqual([
        [fleet.db.dbRootPending[0], 'pending', null],
        [fleet.db.dbRootDone[0], 'completed', 1],
      ]);
      expect(dbRoot).toEqual(expect.objectContaining({ generations: 3, completed: 1, status: 'under-n' }));
      expect(dbRoot.remark).toBe(
        `under N by 2: one more with each successful backup; ${fleet.db.dbRootPending[0]} pending: not counted until completed`,
      );
    });

    it("WHEN a volume's own tag sets N and it has an error snapshot THEN N is its own and the error is not counted", () => {
      const dbData = volume(report, fleet.db.data);
      expect(dbData).toEqual(expect.objectContaining({ generations: 1, completed: 1, status: 'at-n' }));
      expect(dbData.snapshots.map((s) => [s.state, s.generation])).toEqual([
        ['error', null],
        ['completed', 1],
      ]);
      expect(dbData.remark).toBe(
        `= N: the next successful backup deletes the oldest, unless EC2 refuses because it is in use (e.g. by an AMI); ${fleet.db.dbDataError[0]} in error: not counted; the next successful backup deletes it`,
      );
    });

    it('WHEN an instance is tagged 0 or invalid THEN its volumes say why they are not backed up', () => {
      const legacy = volume(report, fleet.legacy.volumeIds[0]);
      expect(legacy).toEqual(
        expect.objectContaining({
          generations: null,
          completed: 1,
          status: 'not-backed-up',
          notBackedUp: `${TAG} is 0 on instance ${fleet.legacy.instanceId}`,
        }),
      );
      expect(legacy.remark).toBe(
        `not backed up: ${TAG} is 0 on instance ${fleet.legacy.instanceId}; its snapshots are left alone`,
      );
      expect(volume(report, fleet.typo.volumeIds[0]).notBackedUp).toBe(
        `${TAG} "2.5" on instance ${fleet.typo.instanceId} is not a whole number of ASCII digits; expected 0 to 1000`,
      );
      // Not backed up and no snapshot: nothing to show (unless asked for by ID).
      expect(report.instances.map((i) => i.instanceId)).not.toContain(fleet.untagged.instanceId);
    });

    it('WHEN a targeted volume has no snapshot yet THEN it is listed under N; a blank Name sorts and shows as its ID', () => {
      const blank = volume(report, fleet.blank.volumeIds[0]);
      expect(blank).toEqual(
        expect.objectContaining({ generations: 1, completed: 0, status: 'under-n', snapshots: [] }),
      );
      const spare = volume(report, fleet.spare);
      expect(spare.instance.instanceId).toBeNull();
      expect(spare.generations).toBe(1);
    });

    it('WHEN a family belongs to a terminated instance or a deleted volume THEN it is still shown, not backed up', () => {
      const old = volume(report, fleet.old.volumeIds[0]);
      expect(old.instance).toEqual(
        expect.objectContaining({ instanceId: fleet.old.instanceId, instanceName: 'old' }),
      );
      expect(old.snapshots.map((s) => s.snapshotId)).toEqual([...fleet.old.snaps]);
      expect(old.notBackedUp).toMatch(
        new RegExp(`^no ${TAG} tag on it or on a live instance it is attached to`),
      );
      const gone = volume(report, fleet.web.gone);
      expect(gone.instance.instanceId).toBe(fleet.web.instanceId);
      expect(gone.status).toBe('not-backed-up');
    });

    it('WHEN listed THEN instances are ordered by label, the volumes without an instance last', () => {
      // A blank Name is labelled (and sorted) by the instance ID.
      const label = (i: Report['instances'][number]) =>
        i.instanceName?.trim() ? i.instanceName : i.instanceId;
      expect(report.instances.map(label)).toEqual([
        'db',
        fleet.blank.instanceId,
        'legacy',
        'old',
        'typo',
        'web',
        null,
      ]);
    });
  });

  it('GIVEN --instance-ids WHEN run THEN only those instances, an untagged one and an unknown one included', async () => {
    const fleet = givenFleet();
    const result = await fleet.cli.run(
      'generations',
      '--json',
      '--instance-ids',
      `${fleet.db.instanceId},${fleet.untagged.instanceId}`,
      'i-00000000000000fff',
    );
    expect(result.code).toBe(0);
    const report = result.json<Report>();
    expect(
      report.instances.map((i) => [i.instanceId, i.instanceName, i.volumes.map((v) => v.volumeId)]),
    ).toEqual([
      [fleet.db.instanceId, 'db', [fleet.db.root, fleet.db.data].sort()],
      ['i-00000000000000fff', null, []],
      [fleet.untagged.instanceId, 'scratch', [fleet.untagged.volumeIds[0]]],
    ]);
    expect(report.instances[2].volumes[0]).toEqual(
      expect.objectContaining({ status: 'not-backed-up', snapshots: [] }),
    );
  });

  it('GIVEN --volume-ids WHEN run THEN only those volumes, found by their tag in EC2, a deleted one too', async () => {
    const fleet = givenFleet();
    fleet.cli.sim.resetCalls();
    const result = await fleet.cli.run(
      'generations',
      '--json',
      '--volume-ids',
      fleet.web.gone,
      fleet.db.data,
    );
    expect(result.code).toBe(0);
    const report = result.json<Report>();
    expect(
      report.instances.flatMap((i) => i.volumes.map((v) => [i.instanceName, v.volumeId, v.status])),
    ).toEqual([
      ['db', fleet.db.data, 'at-n'],
      ['web', fleet.web.gone, 'not-backed-up'],
    ]);
    expect(fleet.cli.sim.calls().DescribeSnapshots.succeeded).toBe(2);
  });

  it('GIVEN an ID that is not one WHEN run THEN one line naming it, exit 2', async () => {
    const result = await givenCli().run('generations', '--volume-ids', 'vol-1,web');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ebs-backup: option '--volume-ids <ids...>' argument 'vol-1,web' is invalid. "vol-1" is not a volume ID such as vol-0123456789abcdef0.\n`,
    );
  });

  it('GIVEN DescribeSnapshots is denied WHEN run THEN one line naming the permission, exit 2', async () => {
    const cli = givenCli();
    cli.sim.injectFault({
      action: 'DescribeSnapshots',
      error: 'UnauthorizedOperation',
      message: 'not authorized',
    });
    const result = await cli.run('generations');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: ec2:DescribeSnapshots was denied: the caller needs an IAM policy allowing ec2:DescribeSnapshots/,
    );
  });

  it('GIVEN the fleet WHEN shown as text THEN a block per instance and a table per volume, pending and error unnumbered', async () => {
    const fleet = givenFleet();
    const { stdout, code } = await fleet.cli.run('generations', '--volume-ids', fleet.db.root);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Instance db (${fleet.db.instanceId}), mode volume`);
    expect(lines[1]).toBe(
      `  ${fleet.db.root}  N=3, 1 completed: under N by 2: one more with each successful backup; ${fleet.db.dbRootPending[0]} pending: not counted until completed`,
    );
    expect(lines[2].trim().split(/\s{2,}/)).toEqual([
      'GEN',
      'SNAPSHOT',
      'STATE',
      'STARTED (UTC)',
      'AGE',
      'SIZE',
    ]);
    expect(lines[3].trim().split(/\s{2,}/)).toEqual([
      '-',
      fleet.db.dbRootPending[0],
      'pending',
      '2024-12-31 23:45',
      '14m',
      '8 GiB',
    ]);
    expect(lines[4].trim().split(/\s{2,}/)).toEqual([
      '1',
      fleet.db.dbRootDone[0],
      'completed',
      '2024-12-31 00:00',
      '1d 00h',
      '8 GiB',
    ]);
  });
});

const COPY_TAG = 'Backup-Copy-Generation';
const RETIRED_REGION = 'us-west-2';

/**
 * A deployment keeping copies in eu-west-1 (encrypted with its key) and formerly in us-west-2:
 * web (N=2, 2 copies) has three completed copies there and a pending one (besides another
 * deployment's and one of another source region); app (1 copy) has none yet; db has no copy tag
 * but an old copy; typo's copy tag is invalid; a deleted volume has only copies left; us-west-2
 * still holds 2 copies of web.
 */
async function givenCopyFleet() {
  const cli = givenCli({ copyRegions: [{ region: COPY_REGION }] });
  const { sim, copySim, account } = cli;
  const now = cli.clock.now();
  const key = account.createKmsKey(COPY_REGION);
  const web = sim.addInstance({ name: 'web', tags: { [TAG]: '2', [COPY_TAG]: '2' } });
  const [root] = web.volumeIds;
  const [source] = history(sim, now, root, { ...web, name: 'web' }, [1]);
  const copy = (volumeId: string, daysAgo: number, extra: Partial<Parameters<typeof addCopy>[1]> = {}) =>
    addCopy(copySim, {
      volumeId,
      instanceId: web.instanceId,
      instanceName: 'web',
      sourceSnapshotId: source,
      startTime: now - daysAgo * DAY,
      kmsKeyId: key,
      ...extra,
    });
  const webCopies = {
    pending: copy(root, 0.01, { state: 'pending' }),
    day1: copy(root, 1),
    day2: copy(root, 2),
    day3: copy(root, 3),
  };
  copy(root, 0.5, { managedBy: 'SomeoneElse' });
  copy(root, 0.6, { sourceRegion: 'eu-central-1' });
  const app = sim.addInstance({ name: 'app', tags: { [TAG]: '1', [COPY_TAG]: '1' } });
  const db = sim.addInstance({ name: 'db', tags: { [TAG]: '1' } });
  const dbCopy = copy(db.volumeIds[0], 4, { instanceId: db.instanceId, instanceName: 'db' });
  const typo = sim.addInstance({
    name: 'typo',
    tags: { [TAG]: '1', [COPY_TAG]: 'x' },
    volumes: [{}, { tags: { [TAG]: '0' } }],
  });
  const typoCopy = copy(typo.volumeIds[0], 5, { instanceId: typo.instanceId, instanceName: 'typo' });
  history(sim, now, typo.volumeIds[1], { ...typo, name: 'typo' }, [2]);
  const gone = sim.addVolume({ instanceId: web.instanceId });
  sim.deleteVolume(gone);
  const goneCopy = copy(gone, 30);
  const retired = account.ec2In(RETIRED_REGION);
  const retiredCopies = [10, 11].map((days) =>
    addCopy(retired, { volumeId: root, sourceSnapshotId: source, startTime: now - days * DAY }),
  );
  await cli.recordCopyRegions([COPY_REGION, RETIRED_REGION]);
  return {
    cli,
    key,
    web: { ...web, root, source, copies: webCopies, retiredCopies, gone, goneCopy },
    app,
    db: { ...db, copy: dbCopy },
    typo: { ...typo, copy: typoCopy },
  };
}

describe('ebs-backup generations with copies in other regions (SPEC §10.4, §10.6, §11)', () => {
  let fleet: Awaited<ReturnType<typeof givenCopyFleet>>;
  let report: Report;
  beforeAll(async () => {
    fleet = await givenCopyFleet();
    const result = await fleet.cli.run('generations', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    report = result.json<Report>();
  });

  it('WHEN listed THEN the home region, the copy settings and the regions no longer configured are stated', () => {
    expect(report).toMatchObject({
      region: 'us-east-1',
      copyTagKey: COPY_TAG,
      copyRegions: [COPY_REGION],
      copiesListed: true,
      retiredCopyRegions: [RETIRED_REGION],
    });
  });

  it('WHEN a volume has more copies than its copy N THEN they are numbered like its snapshots, over N, with the pending one named; another deployment’s and another source region’s are not its', () => {
    const web = volume(report, fleet.web.root);
    expect(web.copyGenerations).toBe(2);
    expect(web.copies.map((c) => c.region)).toEqual([COPY_REGION, RETIRED_REGION]);
    const [copies] = web.copies;
    expect(copies).toMatchObject({ managed: true, generations: 2, completed: 3, status: 'over-n' });
    expect(copies.remark).toBe(
      `over N by 1: the next successful copy deletes the oldest 2, unless EC2 refuses because it is in use (e.g. by an AMI); ${fleet.web.copies.pending} pending: not counted until completed`,
    );
    const { pending, day1, day2, day3 } = fleet.web.copies;
    expect(copies.snapshots.map((s) => [s.snapshotId, s.state, s.generation])).toEqual([
      [pending, 'pending', null],
      [day1, 'completed', 1],
      [day2, 'completed', 2],
      [day3, 'completed', 3],
    ]);
    expect(copies.snapshots[1]).toEqual({
      snapshotId: day1,
      state: 'completed',
      startTime: new Date(fleet.cli.clock.now() - DAY).toISOString(),
      sizeGiB: 8,
      generation: 1,
      encrypted: true,
      kmsKeyId: fleet.key,
      sourceSnapshotId: fleet.web.source,
    });
  });

  it('WHEN a region was removed from copyRegions THEN its copies are listed as not managed any more, left untouched', () => {
    const retired = volume(report, fleet.web.root).copies[1];
    expect(retired).toMatchObject({
      region: RETIRED_REGION,
      managed: false,
      generations: null,
      completed: 2,
      status: 'not-managed',
      remark: 'not managed any more (region removed from copyRegions): left untouched',
    });
    expect(retired.snapshots.map((s) => s.snapshotId)).toEqual(fleet.web.retiredCopies);
  });

  it('WHEN a volume gets copies but has none yet THEN its copy region is listed under N', () => {
    const app = volume(report, fleet.app.volumeIds[0]);
    expect(app.copies).toEqual([
      {
        region: COPY_REGION,
        managed: true,
        generations: 1,
        completed: 0,
        status: 'under-n',
        remark: 'under N by 1: one more with each successful copy',
        deletesNext: [],
        snapshots: [],
      },
    ]);
  });

  it('WHEN a volume gets no copies (no copy tag, an invalid one, not backed up) THEN its copies there are left alone, with the reason', () => {
    const db = volume(report, fleet.db.volumeIds[0]);
    expect(db.copyGenerations).toBeNull();
    expect(db.copies).toEqual([
      expect.objectContaining({
        region: COPY_REGION,
        generations: null,
        status: 'not-copied',
        remark: `not copied: no ${COPY_TAG} tag on the volume or its instance, or it is 0; its copies here are left alone`,
      }),
    ]);
    const typo = volume(report, fleet.typo.volumeIds[0]);
    // An invalid copy tag does not stop the backup.
    expect(typo).toMatchObject({ generations: 1, status: 'under-n', notBackedUp: null });
    expect(typo.copies[0].remark).toBe(
      `not copied: invalid value "x" on instance ${fleet.typo.instanceId}: ${COPY_TAG} is not a whole number of ASCII digits; expected 0 to 1000; its copies here are left alone`,
    );
    // Nor does it explain why another volume of the instance is not backed up.
    expect(volume(report, fleet.typo.volumeIds[1]).notBackedUp).toBe(`${TAG} is 0 on the volume`);
    const gone = volume(report, fleet.web.gone);
    expect(gone.instance.instanceId).toBe(fleet.web.instanceId);
    expect(gone).toMatchObject({ status: 'not-backed-up', snapshots: [] });
    expect(gone.copies.map((c) => [c.status, c.remark, c.snapshots.map((s) => s.snapshotId)])).toEqual([
      [
        'not-copied',
        'not copied: the volume is not backed up; its copies here are left alone',
        [fleet.web.goneCopy],
      ],
    ]);
  });

  it('WHEN shown as text THEN each region’s copies follow the volume’s snapshots, with their encryption', async () => {
    const { stdout, code } = await fleet.cli.run('generations', '--volume-ids', fleet.web.root);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Instance web (${fleet.web.instanceId}), mode volume`);
    expect(lines[1]).toMatch(new RegExp(`^  ${fleet.web.root}  N=2, 1 completed: under N by 1`));
    expect(lines[4]).toBe(
      `    copies in ${COPY_REGION}  N=2, 3 completed: over N by 1: the next successful copy deletes the oldest 2, unless EC2 refuses because it is in use (e.g. by an AMI); ${fleet.web.copies.pending} pending: not counted until completed`,
    );
    const cells = (line: string) => line.trim().split(/\s{2,}/);
    expect(cells(lines[5])).toEqual([
      'GEN',
      'SNAPSHOT',
      'STATE',
      'STARTED (UTC)',
      'AGE',
      'SIZE',
      'ENCRYPTED',
    ]);
    expect(lines[5].startsWith('      GEN')).toBe(true);
    const keyId = fleet.key.replace(/^.*:key\//, 'key/');
    expect(cells(lines[7])).toEqual([
      '1',
      fleet.web.copies.day1,
      'completed',
      '2024-12-31 00:00',
      '1d 00h',
      '8 GiB',
      `yes, ${keyId}`,
    ]);
    expect(lines[10]).toBe(
      `    copies in ${RETIRED_REGION}: not managed any more (region removed from copyRegions): left untouched`,
    );
    expect(cells(lines[12])).toEqual([
      '1',
      fleet.web.retiredCopies[0],
      'completed',
      '2024-12-22 00:00',
      '10d 00h',
      '8 GiB',
      'no',
    ]);
  });
});

describe('ebs-backup generations: which regions it asks', () => {
  it('GIVEN --no-copies WHEN listed THEN no copy region is asked and no copies are shown', async () => {
    const fleet = await givenCopyFleet();
    const result = await fleet.cli.run('generations', '--json', '--no-copies');
    expect(result.code).toBe(0);
    const report = result.json<Report>();
    expect(report).toMatchObject({ copiesListed: false, retiredCopyRegions: [] });
    expect(report.instances.flatMap((i) => i.volumes.flatMap((v) => v.copies))).toEqual([]);
    // The copy N in force is still known.
    expect(volume(report, fleet.web.root).copyGenerations).toBe(2);
    expect(fleet.cli.copySim.calls().DescribeSnapshots.succeeded).toBe(0);
    expect(fleet.cli.account.ec2In(RETIRED_REGION).calls().DescribeSnapshots.succeeded).toBe(0);
  });

  it('GIVEN --volume-ids WHEN listed THEN the copies of those volumes only, asked by their tag in each region', async () => {
    const fleet = await givenCopyFleet();
    const result = await fleet.cli.run(
      'generations',
      '--json',
      '--volume-ids',
      fleet.db.volumeIds[0],
      fleet.app.volumeIds[0],
    );
    expect(result.code).toBe(0);
    const report = result.json<Report>();
    expect(
      report.instances.flatMap((i) => i.volumes.map((v) => [v.volumeId, v.copies.map((c) => c.status)])),
    ).toEqual([
      [fleet.app.volumeIds[0], ['under-n']],
      [fleet.db.volumeIds[0], ['not-copied']],
    ]);
    expect(fleet.cli.copySim.calls().DescribeSnapshots.succeeded).toBe(2);
  });

  it('GIVEN EC2 in a copy region is unreachable WHEN listed THEN one line naming the action and the region, exit 2', async () => {
    const fleet = await givenCopyFleet();
    fleet.cli.copySim.injectFault({
      action: 'DescribeSnapshots',
      error: 'UnauthorizedOperation',
      message: 'no',
      times: 5,
    });
    const result = await fleet.cli.run('generations');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ebs-backup: ec2:DescribeSnapshots in eu-west-1 was denied/);
  });

  it('GIVEN a stack deployed before copies WHEN listed THEN no copy region is asked', async () => {
    const cli = givenCli();
    cli.sim.addInstance({ name: 'web', tags: { [TAG]: '1', [COPY_TAG]: '1' } });
    const result = await cli.run('generations', '--json');
    expect(result.code).toBe(0);
    const report = result.json<Report>();
    expect(report).toMatchObject({ copyRegions: [], retiredCopyRegions: [], copiesListed: true });
    expect(report.instances[0].volumes[0]).toMatchObject({ copyGenerations: null, copies: [] });
    expect(cli.account.regions()).toEqual(['us-east-1', COPY_REGION]);
    expect(cli.copySim.calls().DescribeSnapshots.succeeded).toBe(0);
  });
});
