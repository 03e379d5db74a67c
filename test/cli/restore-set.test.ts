import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import type { CreatedSet, SetWorkItem } from '../../lambdas/contracts/sets';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { createSnapshotSet } from '../../lambdas/steps/snapshot-set';
import { givenCli } from '../fixtures/cli';

const DAY = 24 * 60 * 60_000;

interface SetRestoreJson {
  dryRun: boolean;
  region: string;
  set: {
    setId: string;
    instanceId: string;
    consistency: 'application' | 'crash';
    startTime: string;
    newerNotCompleted: string[];
  };
  volumes: {
    volumeId: string | null;
    source: { volumeId: string; exists: boolean; attachments: { instanceId: string; device: string }[] };
    snapshotId: string;
    volume: {
      availabilityZone: string;
      volumeType: string;
      size: number | null;
      iops: number | null;
      throughput: number | null;
      encrypted: boolean;
      kmsKeyId: string | null;
    };
    tags: Record<string, string>;
    attachCommand: string | null;
  }[];
}

/**
 * An instance `db` in us-east-1b with a root, a data (io2, 6000 IOPS) and a log volume, taken as a
 * set on two nights by the real CreateSnapshotSet step (one CreateSnapshots call each, tagged as
 * the workflow tags them), the second night application-consistent; and a single volume `web`
 * backed up on its own.
 */
async function givenSets() {
  const cli = givenCli();
  const { sim, account, clock } = cli;
  const { instanceId, volumeIds } = sim.addInstance({
    name: 'db',
    tags: { 'Backup-Generation': '3', 'Backup-Consistency': 'instance' },
    volumes: [
      { sizeGiB: 8, volumeType: 'gp3', availabilityZone: 'us-east-1b' },
      { sizeGiB: 50, volumeType: 'io2', iops: 6000, availabilityZone: 'us-east-1b' },
      { sizeGiB: 10, volumeType: 'gp3', availabilityZone: 'us-east-1b' },
    ],
  });
  const set: SetWorkItem = {
    instanceId,
    instanceName: 'db',
    mode: 'application',
    volumes: [...volumeIds].sort().map((volumeId) => ({
      volumeId,
      instanceId,
      instanceName: 'db',
      description: `Auto Snapshot ${volumeId}(db)`,
      generations: 3,
    })),
    excludeBootVolume: false,
    excludeDataVolumeIds: [],
    onPreScriptFailure: 'crash-consistent',
  };
  const ec2 = account.ec2Client();
  const night = async (n: number, preScript: 'Success' | 'Failed') =>
    (await createSnapshotSet(
      { ec2, managedBy: DEFAULT_STACK_NAME },
      {
        state: {
          set,
          executionName: `night-${n}`,
          runId: `run-${n}`,
          absenceConfirmed: false,
          preScript: { phase: 'pre', status: preScript, ran: true, message: '' },
        },
      },
    )) as CreatedSet;
  const first = await night(1, 'Failed');
  clock.advance(DAY);
  const second = await night(2, 'Success');
  return { ...cli, instanceId, volumeIds, first, second };
}

/** `volumeId`'s snapshot in `set`. */
const snapshotOf = (set: CreatedSet, volumeId: string) =>
  set.volumes.find((v) => v.volumeId === volumeId)?.snapshotId as string;

describe('ebs-backup restore --set: every volume of a consistent set (SPEC §11.3, §12)', () => {
  it('GIVEN a set WHEN restored by its ID THEN a new volume from each of its snapshots, each like its original, in its zone, tagged with its origin; the originals untouched', async () => {
    const { run, sim, instanceId, volumeIds, first } = await givenSets();
    const [root, data, log] = volumeIds;
    const before = volumeIds.map((v) => sim.volume(v));

    const result = await run('restore', '--set', first.setId, '--json');

    expect(result.code).toBe(0);
    const json = result.json<SetRestoreJson>();
    expect(json.set).toEqual({
      setId: `${instanceId}/run-1`,
      instanceId,
      consistency: 'crash',
      startTime: new Date(first.startTime).toISOString(),
      newerNotCompleted: [],
    });
    expect(json.volumes.map((v) => [v.source.volumeId, v.snapshotId])).toEqual(
      [root, data, log].sort().map((v) => [v, snapshotOf(first, v)]),
    );
    const byOriginal = new Map(json.volumes.map((v) => [v.source.volumeId, v]));
    const dataVolume = byOriginal.get(data);
    expect(dataVolume).toEqual({
      volumeId: expect.stringMatching(/^vol-/),
      source: { volumeId: data, exists: true, attachments: [{ instanceId, device: '/dev/sdf' }] },
      snapshotId: snapshotOf(first, data),
      volume: {
        availabilityZone: 'us-east-1b',
        volumeType: 'io2',
        size: 50,
        iops: 6000,
        throughput: null,
        encrypted: false,
        kmsKeyId: null,
      },
      tags: {
        Name: `db restored from ${snapshotOf(first, data)}`,
        'Backup-Restored-From': snapshotOf(first, data),
        'Backup-Restored-Volume': data,
      },
      attachCommand: `aws ec2 attach-volume --volume-id ${dataVolume?.volumeId} --instance-id <instance-id> --device <device>`,
    });
    for (const restored of json.volumes) {
      expect(sim.volume(restored.volumeId as string)).toMatchObject({
        SnapshotId: restored.snapshotId,
        AvailabilityZone: 'us-east-1b',
        Attachments: [],
        Tags: Object.entries(restored.tags).map(([Key, Value]) => ({ Key, Value })),
      });
    }
    expect(volumeIds.map((v) => sim.volume(v))).toEqual(before);
    expect(sim.volumes()).toHaveLength(6);
  });

  it('GIVEN two sets WHEN restored with --set latest --instance-id THEN the newest, application-consistent; as text, each new volume with the one it came from and how to attach them', async () => {
    const { run, sim, instanceId, volumeIds, second } = await givenSets();

    const result = await run(
      'restore',
      '--set',
      'latest',
      '--instance-id',
      instanceId,
      '--region',
      'us-east-1',
    );

    expect(result.code).toBe(0);
    const created = (v: string) =>
      sim.volumes().find((n) => n.SnapshotId === snapshotOf(second, v))?.VolumeId as string;
    const [root, data, log] = volumeIds;
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(
      `Created 3 volumes from set ${instanceId}/run-2 (application-consistent, taken ${new Date(second.startTime).toISOString().slice(0, 16).replace('T', ' ')} UTC):`,
    );
    expect(lines).toContain(
      `  ${created(root)} from ${snapshotOf(second, root)} of ${root} (/dev/xvda), in us-east-1b: gp3, 8 GiB, 3000 IOPS, 125 MiB/s, Name "db restored from ${snapshotOf(second, root)}"`,
    );
    expect(lines).toContain(
      `  ${created(data)} from ${snapshotOf(second, data)} of ${data} (/dev/sdf), in us-east-1b: io2, 50 GiB, 6000 IOPS, Name "db restored from ${snapshotOf(second, data)}"`,
    );
    expect(lines).toContain(
      `  aws ec2 wait volume-available --volume-ids ${[root, data, log].sort().map(created).join(' ')} --region us-east-1`,
    );
    expect(lines).toContain(
      `  aws ec2 attach-volume --volume-id ${created(log)} --instance-id <instance-id> --device <device> --region us-east-1`,
    );
  });

  it('GIVEN the newest set is not completed yet WHEN restored with --set latest THEN the one before, saying which was passed over; by its ID THEN exit 2 naming the snapshot and its state', async () => {
    const { run, sim, instanceId, volumeIds, first, second } = await givenSets();
    const [, data] = volumeIds;
    sim.failSnapshot(snapshotOf(second, data));

    const latest = await run('restore', '--set', 'latest', '--instance-id', instanceId, '--json');
    const byId = await run('restore', '--set', second.setId);

    expect(latest.code).toBe(0);
    expect(latest.json<SetRestoreJson>().set).toMatchObject({
      setId: first.setId,
      newerNotCompleted: [second.setId],
    });
    expect(byId.code).toBe(2);
    expect(byId.stderr).toBe(
      `ebs-backup: --set ${second.setId} is not completed: ${snapshotOf(second, data)} (${data}) is error; only a set whose every snapshot is completed can be restored\n`,
    );
    expect(sim.volumes()).toHaveLength(6);
  });

  it('GIVEN --dry-run WHEN a set is restored THEN EC2 is asked with DryRun for each volume, nothing created', async () => {
    const { run, sim, first } = await givenSets();

    const json = await run('restore', '--set', first.setId, '--dry-run', '--json');
    const text = await run('restore', '--set', first.setId, '--dry-run');

    expect(json.code).toBe(0);
    const document = json.json<SetRestoreJson>();
    expect(document.dryRun).toBe(true);
    expect(document.volumes.map((v) => [v.volumeId, v.attachCommand])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
    expect(text.stdout).toMatch(
      /^Dry run: EC2 would create 3 volumes from set i-[0-9a-f]+\/run-1 \(crash-consistent/,
    );
    expect(text.stdout).toContain('Nothing was created.');
    expect(sim.volumes()).toHaveLength(3);
    expect(sim.calls().CreateVolume).toEqual({ succeeded: 0, throttled: 0, failed: 6 });
  });

  it('GIVEN --az and --type WHEN a set is restored THEN every volume in that zone and of that type; the io2 volume’s IOPS do not follow to gp3', async () => {
    const { run, volumeIds, first } = await givenSets();
    const [, data] = volumeIds;

    const result = await run(
      'restore',
      '--set',
      first.setId,
      '--az',
      'us-east-1c',
      '--type',
      'gp3',
      '--json',
    );

    expect(result.code).toBe(0);
    const volumes = result.json<SetRestoreJson>().volumes;
    expect(volumes.map((v) => [v.volume.availabilityZone, v.volume.volumeType])).toEqual([
      ['us-east-1c', 'gp3'],
      ['us-east-1c', 'gp3'],
      ['us-east-1c', 'gp3'],
    ]);
    expect(volumes.find((v) => v.source.volumeId === data)?.volume).toMatchObject({ size: 50, iops: 3000 });
  });

  it('GIVEN one original of the set is gone WHEN restored without --az THEN exit 2 asking for it, and no volume is created', async () => {
    const { run, sim, instanceId, volumeIds, first } = await givenSets();
    const [, , log] = volumeIds;
    sim.detachVolume(log, instanceId);
    sim.deleteVolume(log);

    const result = await run('restore', '--set', first.setId);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ebs-backup: ${log} no longer exists, so its Availability Zone is unknown: pass --az with the zone of the instance the new volume is for\n`,
    );
    expect(sim.volumes()).toHaveLength(2);
  });

  it('GIVEN CreateVolume fails for the second volume WHEN a set is restored THEN exit 1 naming the volume it failed on and the one already created, which stays', async () => {
    const { run, sim, volumeIds, first } = await givenSets();
    const [firstVolume, secondVolume] = [...volumeIds].sort();
    sim.injectFault({
      action: 'CreateVolume',
      snapshotId: snapshotOf(first, secondVolume),
      error: 'VolumeLimitExceeded',
      message: 'You have exceeded your maximum gp3 storage limit',
    });

    const result = await run('restore', '--set', first.setId);

    const made = sim.volumes().find((v) => v.SnapshotId === snapshotOf(first, firstVolume))?.VolumeId;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ebs-backup: ${secondVolume}: ec2:CreateVolume failed: VolumeLimitExceeded: You have exceeded your maximum gp3 storage limit; ` +
        `created before it: ${made} (of ${firstVolume}), which stay, unattached (delete them if not wanted)\n`,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(sim.volumes()).toHaveLength(4);
  });

  it('GIVEN one volume of a set WHEN restored on its own THEN that volume only, and the output names its set and how to restore all of it', async () => {
    const { run, sim, volumeIds, second } = await givenSets();
    const [, data] = volumeIds;

    const json = await run('restore', data, '--json');
    const text = await run('restore', data, '--dry-run');

    expect(json.code).toBe(0);
    expect(json.json<{ snapshot: { snapshotId: string; setId: string | null } }>().snapshot).toMatchObject({
      snapshotId: snapshotOf(second, data),
      setId: second.setId,
    });
    expect(text.stdout).toContain(
      `${snapshotOf(second, data)} is one of set ${second.setId}: \`ebs-backup restore --set ${second.setId}\` restores every volume of it.\n`,
    );
    expect(sim.volumes()).toHaveLength(4);
  });

  it.each([
    [
      ['--set', 'i-0123456789abcdef0/run-9'],
      /no snapshot marked Backup-Managed-By=EbsGenerationBackup carries Backup-Set-Id=i-0123456789abcdef0\/run-9 \(is --stack EbsGenerationBackup right\? `--set latest --instance-id i-0123456789abcdef0`/,
    ],
    [
      ['--set', 'latest', '--instance-id', 'i-0123456789abcdef0'],
      /--set latest: i-0123456789abcdef0 has no completed set marked Backup-Managed-By=EbsGenerationBackup; is --stack EbsGenerationBackup right\?/,
    ],
  ])(
    'GIVEN %j, of no set of this deployment THEN exit 2 saying so, nothing created',
    async (args, message) => {
      const { run, sim } = await givenSets();

      const result = await run('restore', ...args);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(sim.volumes()).toHaveLength(3);
    },
  );

  it('GIVEN a set of another deployment (another marker) THEN it is not found: exit 2', async () => {
    const { run, sim, first } = await givenSets();

    const result = await run('restore', '--set', first.setId, '--managed-by', 'SomeoneElse');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /no snapshot marked Backup-Managed-By=SomeoneElse carries .* \(is --managed-by SomeoneElse right\?/,
    );
    expect(sim.volumes()).toHaveLength(3);
  });

  it.each([
    [
      ['restore'],
      /^ebs-backup: give the volume to restore \(restore <volume-id>\), or a set with --set <set-id> or --set latest --instance-id <instance-id>\n$/,
    ],
    [
      ['restore', 'vol-0123456789abcdef0', '--set', 'latest'],
      /^ebs-backup: --set restores every volume of the set: leave out vol-0123456789abcdef0/,
    ],
    [
      [
        'restore',
        '--set',
        'i-0123456789abcdef0/run-1',
        '--snapshot',
        'snap-0123456789abcdef0',
        '--size',
        '50',
      ],
      /^ebs-backup: --set cannot go with --snapshot, --size: it restores each volume from its snapshot in the set, like its original \(it takes --az, --type, --dry-run\)/,
    ],
    [
      ['restore', '--set', 'i-0123456789abcdef0/run-1', '--generation', '2'],
      /--set cannot go with --generation/,
    ],
    [
      ['restore', '--set', 'i-0123456789abcdef0/run-1', '--from-region', 'eu-west-1'],
      /--set cannot go with --from-region/,
    ],
    [
      ['restore', '--set', 'latest'],
      /^ebs-backup: --set latest needs --instance-id: the instance whose newest completed set to restore\n$/,
    ],
    [
      ['restore', '--set', 'i-0123456789abcdef0/run-1', '--instance-id', 'i-0123456789abcdef0'],
      /--instance-id goes with --set latest only: the set ID i-0123456789abcdef0\/run-1 already names its instance/,
    ],
    [
      ['restore', 'vol-0123456789abcdef0', '--instance-id', 'i-0123456789abcdef0'],
      /--instance-id goes with --set latest only/,
    ],
    [
      ['restore', '--set', 'db'],
      /option '--set <set-id>' argument 'db' is invalid\. "db" is neither a set ID \(<instance-id>\/<run-id>, its Backup-Set-Id tag\) nor latest\./,
    ],
    [['restore', '--set', 'latest', '--instance-id', 'db'], /"db" is not an instance ID \(i-…\)/],
  ])('GIVEN %j THEN one line, exit 2, before any AWS call', async (argv, message) => {
    const { run, sim } = givenCli();

    const result = await run(...argv);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(Object.values(sim.calls()).every((c) => c.succeeded + c.failed + c.throttled === 0)).toBe(true);
  });

  it('GIVEN restore --help THEN --set and --instance-id are explained', async () => {
    const result = await givenCli().run('restore', '--help');

    const help = result.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('Usage: ebs-backup restore [options] [volume-id]');
    expect(help).toContain(
      `--set <set-id> restore every volume of this consistent set (its ${SnapshotTag.setId} tag, <instance-id>/<run-id>), or "latest" with --instance-id`,
    );
    expect(help).toContain('--instance-id <instance-id> with --set latest: the instance');
  });
});
