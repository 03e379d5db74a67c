import { restoredVolumeTags } from '../../cli/restore/restore-tags';
import { volumeSettings } from '../../cli/restore/volume-settings';
import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { givenCli } from '../fixtures/cli';

const DAY = 24 * 60 * 60_000;

interface RestoreJson {
  dryRun: boolean;
  volumeId: string | null;
  source: { volumeId: string; exists: boolean; attachments: { instanceId: string; device: string }[] };
  snapshot: { snapshotId: string; startTime: string; generation: number };
  volume: {
    availabilityZone: string;
    volumeType: string;
    size: number | null;
    iops: number | null;
    throughput: number | null;
  };
  tags: Record<string, string>;
  attachCommand: string | null;
}

/**
 * An instance `web` with a 20 GiB gp3 volume (4000 IOPS, 250 MiB/s) in us-east-1b, three
 * completed daily backups (oldest first), a pending one from tonight, and snapshots of the same
 * volume that are not this deployment's (another deployment's, the original recipe's).
 */
function givenBackedUpVolume() {
  const cli = givenCli();
  const { sim, clock } = cli;
  const { instanceId, volumeIds } = sim.addInstance({
    name: 'web',
    tags: { 'Backup-Generation': '3' },
    volumes: [
      { sizeGiB: 20, volumeType: 'gp3', iops: 4000, throughput: 250, availabilityZone: 'us-east-1b' },
    ],
  });
  const [volumeId] = volumeIds;
  const backup = (
    daysAgo: number,
    state: 'completed' | 'pending' = 'completed',
    managedBy = DEFAULT_STACK_NAME,
  ) =>
    sim.addSnapshot({
      volumeId,
      description: `Auto Snapshot ${volumeId}(web)`,
      startTime: clock.now() - daysAgo * DAY,
      state,
      tags: { Name: 'web', [SnapshotTag.managedBy]: managedBy, [SnapshotTag.volumeId]: volumeId },
    });
  const backups = [backup(3), backup(2), backup(1)];
  const pending = backup(0, 'pending');
  const foreign = backup(0.5, 'completed', 'SomeoneElse');
  const recipe = sim.addSnapshot({
    volumeId,
    description: `Auto Snapshot ${volumeId}(web)`,
    startTime: clock.now(),
  });
  return { ...cli, instanceId, volumeId, backups, pending, foreign, recipe };
}

describe('ebs-backup restore (SPEC §11.3)', () => {
  it('GIVEN a volume with backups WHEN restored THEN a new volume from the newest completed one, like the original, in its zone, tagged with its origin; the original untouched and nothing attached', async () => {
    const { run, sim, volumeId, instanceId, backups } = givenBackedUpVolume();
    const before = sim.volume(volumeId);

    const result = await run('restore', volumeId, '--json');

    expect(result.code).toBe(0);
    const json = result.json<RestoreJson>();
    const created = sim.volume(json.volumeId as string);
    expect(created).toMatchObject({
      AvailabilityZone: 'us-east-1b',
      SnapshotId: backups[2],
      VolumeType: 'gp3',
      Size: 20,
      Iops: 4000,
      Throughput: 250,
      State: 'available',
      Attachments: [],
      Tags: [
        { Key: 'Name', Value: `web restored from ${backups[2]}` },
        { Key: 'Backup-Restored-From', Value: backups[2] },
        { Key: 'Backup-Restored-Volume', Value: volumeId },
      ],
    });
    expect(json).toEqual({
      dryRun: false,
      volumeId: created?.VolumeId,
      source: { volumeId, exists: true, attachments: [{ instanceId, device: '/dev/xvda' }] },
      snapshot: { snapshotId: backups[2], startTime: '2024-12-31T00:00:00.000Z', generation: 1 },
      volume: { availabilityZone: 'us-east-1b', volumeType: 'gp3', size: 20, iops: 4000, throughput: 250 },
      tags: {
        Name: `web restored from ${backups[2]}`,
        'Backup-Restored-From': backups[2],
        'Backup-Restored-Volume': volumeId,
      },
      attachCommand: `aws ec2 attach-volume --volume-id ${created?.VolumeId} --instance-id <instance-id> --device <device>`,
    });
    expect(sim.volume(volumeId)).toEqual(before);
    expect(sim.instance(instanceId)?.BlockDeviceMappings).toHaveLength(1);
    expect(sim.volumes()).toHaveLength(2);
  });

  it('GIVEN a volume with backups WHEN restored without --json THEN the new volume’s ID and the commands to attach it', async () => {
    const { run, sim, volumeId, instanceId, backups } = givenBackedUpVolume();

    const result = await run('restore', volumeId, '--region', 'us-east-1');

    const created = sim.volumes().find((v) => v.SnapshotId === backups[2])?.VolumeId as string;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Created ${created} in us-east-1b from ${backups[2]} (generation 1 of ${volumeId}`,
    );
    expect(result.stdout).toContain(`stays attached to ${instanceId} as /dev/xvda`);
    expect(result.stdout).toContain(
      `aws ec2 attach-volume --volume-id ${created} --instance-id <instance-id> --device <device> --region us-east-1`,
    );
  });

  it('GIVEN --generation 2 WHEN restored THEN the second newest completed backup (pending and foreign ones do not count)', async () => {
    const { run, volumeId, backups } = givenBackedUpVolume();

    const result = await run('restore', volumeId, '--generation', '2', '--json');

    expect(result.code).toBe(0);
    expect(result.json<RestoreJson>().snapshot).toMatchObject({ snapshotId: backups[1], generation: 2 });
  });

  it('GIVEN --generation beyond the backups WHEN restored THEN exit 2 saying how many there are, nothing created', async () => {
    const { run, sim, volumeId } = givenBackedUpVolume();

    const result = await run('restore', volumeId, '--generation', '4');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ebs-backup: ${volumeId} has 3 completed generation(s): there is no generation 4\n`,
    );
    expect(sim.volumes()).toHaveLength(1);
  });

  it('GIVEN --snapshot of an older backup WHEN restored THEN that one, with its generation', async () => {
    const { run, volumeId, backups } = givenBackedUpVolume();

    const result = await run('restore', volumeId, '--snapshot', backups[0], '--json');

    expect(result.code).toBe(0);
    expect(result.json<RestoreJson>().snapshot).toMatchObject({ snapshotId: backups[0], generation: 3 });
  });

  it.each([
    ['another deployment’s', 'foreign', 'is not one of'],
    ['the original recipe’s (unadopted)', 'recipe', 'is not one of'],
    ['a pending', 'pending', 'is pending: only a completed snapshot can be restored'],
  ] as const)(
    'GIVEN --snapshot of %s snapshot WHEN restored THEN exit 2 naming it, nothing created',
    async (_, which, reason) => {
      const setup = givenBackedUpVolume();
      const snapshotId = setup[which];

      const result = await setup.run('restore', setup.volumeId, '--snapshot', snapshotId);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^ebs-backup: ${snapshotId} ${reason}`));
      expect(setup.sim.volumes()).toHaveLength(1);
      expect(setup.sim.calls().CreateVolume.succeeded + setup.sim.calls().CreateVolume.failed).toBe(0);
    },
  );

  it('GIVEN a volume without a completed backup of this deployment WHEN restored THEN exit 2: nothing to restore', async () => {
    const { run, sim } = givenCli();
    const [volumeId] = sim.addInstance().volumeIds;
    sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}` });

    const result = await run('restore', volumeId);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is completed: nothing to restore .*ebs-backup adopt/);
  });

  it('GIVEN the original volume is gone WHEN restored without --az THEN exit 2 asking for it; with --az THEN gp3 of the snapshot’s size in that zone', async () => {
    const { run, sim, volumeId, backups } = givenBackedUpVolume();
    sim.deleteVolume(volumeId);

    const refused = await run('restore', volumeId);
    const restored = await run('restore', volumeId, '--az', 'us-east-1c', '--json');

    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `ebs-backup: ${volumeId} no longer exists, so its Availability Zone is unknown: pass --az with the zone of the instance the new volume is for\n`,
    );
    expect(restored.code).toBe(0);
    const json = restored.json<RestoreJson>();
    expect(json.source).toEqual({ volumeId, exists: false, attachments: [] });
    expect(sim.volume(json.volumeId as string)).toMatchObject({
      AvailabilityZone: 'us-east-1c',
      VolumeType: 'gp3',
      Size: 20,
      Iops: 3000,
      Throughput: 125,
      SnapshotId: backups[2],
      Tags: expect.arrayContaining([{ Key: 'Name', Value: `web restored from ${backups[2]}` }]),
    });
    expect(sim.volumes()).toHaveLength(1);
  });

  it('GIVEN --type, --size, --iops and --az WHEN restored THEN they win, and the original’s throughput does not follow to another type', async () => {
    const { run, sim, volumeId } = givenBackedUpVolume();

    const result = await run(
      'restore',
      volumeId,
      '--type',
      'io2',
      '--iops',
      '5000',
      '--size',
      '40',
      '--az',
      'us-east-1a',
      '--json',
    );

    expect(result.code).toBe(0);
    const created = sim.volume(result.json<RestoreJson>().volumeId as string);
    expect(created).toMatchObject({
      VolumeType: 'io2',
      Iops: 5000,
      Size: 40,
      AvailabilityZone: 'us-east-1a',
    });
    expect(created?.Throughput).toBeUndefined();
  });

  it('GIVEN --dry-run WHEN restored THEN EC2 is asked with DryRun, says it would succeed, exit 0, nothing created', async () => {
    const { run, sim, volumeId, backups } = givenBackedUpVolume();

    const json = await run('restore', volumeId, '--dry-run', '--json');
    const text = await run('restore', volumeId, '--dry-run');

    expect(json.code).toBe(0);
    expect(json.json<RestoreJson>()).toMatchObject({
      dryRun: true,
      volumeId: null,
      attachCommand: null,
      snapshot: { snapshotId: backups[2], generation: 1 },
      volume: { availabilityZone: 'us-east-1b', volumeType: 'gp3', size: 20, iops: 4000, throughput: 250 },
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Dry run: EC2 would create a volume in us-east-1b from snap-/);
    expect(text.stdout).toContain('Nothing was created.');
    expect(sim.volumes()).toHaveLength(1);
    expect(sim.calls().CreateVolume).toEqual({ succeeded: 0, throttled: 0, failed: 2 });
  });

  it('GIVEN a size smaller than the snapshot WHEN restored THEN EC2’s refusal in one line, exit 2, nothing created', async () => {
    const { run, sim, volumeId } = givenBackedUpVolume();

    const result = await run('restore', volumeId, '--size', '10');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: EC2 refused the new volume's settings: InvalidParameterValue: Volume of size 10GB is smaller than snapshot/,
    );
    expect(sim.volumes()).toHaveLength(1);
  });

  it('GIVEN CreateVolume is denied WHEN restored THEN one line naming ec2:CreateVolume, exit 2', async () => {
    const { run, sim, volumeId } = givenBackedUpVolume();
    sim.injectFault({
      action: 'CreateVolume',
      error: 'UnauthorizedOperation',
      message: 'You are not authorized',
    });

    const result = await run('restore', volumeId);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: ec2:CreateVolume was denied: the caller needs an IAM policy allowing ec2:CreateVolume/,
    );
  });

  it.each([
    [['restore', 'web'], /"web" is not a volume ID/],
    [['restore', 'vol-0123456789abcdef0', '--generation', '0'], /"0" is not a whole number of at least 1/],
    [['restore', 'vol-0123456789abcdef0', '--type', 'gp9'], /Allowed choices are/],
    [
      ['restore', 'vol-0123456789abcdef0', '--snapshot', 'snap-0123456789abcdef0', '--generation', '2'],
      /cannot be used with/,
    ],
  ])('GIVEN %j THEN one line, exit 2, before any AWS call', async (argv, message) => {
    const { run, sim } = givenCli();

    const result = await run(...argv);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(Object.values(sim.calls()).every((c) => c.succeeded + c.failed + c.throttled === 0)).toBe(true);
  });

  it('GIVEN restore --help THEN every option is explained and it says what restore never does', async () => {
    const result = await givenCli().run('restore', '--help');

    expect(result.code).toBe(0);
    for (const option of [
      '--snapshot',
      '--generation',
      '--az',
      '--type',
      '--size',
      '--iops',
      '--throughput',
      '--dry-run',
    ]) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('never attaches, stops or replaces anything');
  });
});

describe('restore’s pure parts', () => {
  it('GIVEN a 300-character Name WHEN the restored volume is tagged THEN the Name fits EC2’s 256 and keeps the snapshot ID', () => {
    const [name] = restoredVolumeTags({
      snapshotId: 'snap-0123456789abcdef0',
      volumeId: 'vol-1',
      name: 'n'.repeat(300),
    });

    expect(name.Value).toHaveLength(256);
    expect(name.Value.endsWith(' restored from snap-0123456789abcdef0')).toBe(true);
  });

  it('GIVEN a gp2 original WHEN restored as gp2 THEN its derived IOPS are not sent (EC2 refuses IOPS for gp2)', () => {
    const original = {
      volumeId: 'vol-1',
      availabilityZone: 'us-east-1a',
      volumeType: 'gp2',
      size: 100,
      iops: 300,
      attachments: [],
    };

    expect(volumeSettings('vol-1', original, {})).toEqual({
      availabilityZone: 'us-east-1a',
      volumeType: 'gp2',
      size: 100,
    });
    expect(volumeSettings('vol-1', original, { type: 'gp3' })).toEqual({
      availabilityZone: 'us-east-1a',
      volumeType: 'gp3',
      size: 100,
    });
  });
});
