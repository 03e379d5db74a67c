import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { restoredVolumeTags } from '../../cli/restore/restore-tags';
import { volumeSettings } from '../../cli/restore/volume-settings';
import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { SnapshotTag, snapshotTags } from '../../lambdas/core/snapshot-tags';
import { copyVolumeSnapshot } from '../../lambdas/steps/copy-snapshot';
import { COPY_REGION, givenCli, unreachableEc2 } from '../fixtures/cli';

const DAY = 24 * 60 * 60_000;

interface RestoreJson {
  dryRun: boolean;
  region: string;
  volumeId: string | null;
  source: {
    volumeId: string;
    region: string;
    exists: boolean;
    attachments: { instanceId: string; device: string }[];
    error?: string;
  };
  snapshot: {
    snapshotId: string;
    startTime: string;
    generation: number;
    copyOf: { snapshotId: string | null; region: string } | null;
    /** The consistent set the snapshot is one of (SPEC §12), else null. */
    setId: string | null;
  };
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
      region: 'us-east-1',
      volumeId: created?.VolumeId,
      source: {
        volumeId,
        region: 'us-east-1',
        exists: true,
        attachments: [{ instanceId, device: '/dev/xvda' }],
      },
      snapshot: {
        snapshotId: backups[2],
        startTime: '2024-12-31T00:00:00.000Z',
        generation: 1,
        copyOf: null,
        setId: null,
      },
      volume: {
        availabilityZone: 'us-east-1b',
        volumeType: 'gp3',
        size: 20,
        iops: 4000,
        throughput: 250,
        encrypted: false,
        kmsKeyId: null,
      },
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
      `ebs-backup: ${volumeId} has 3 completed generations: there is no generation 4\n`,
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
    expect(result.stderr).toMatch(
      /is completed: nothing to restore \(is --stack EbsGenerationBackup right\? .*ebs-backup adopt/,
    );
  });

  it('GIVEN --managed-by and nothing to restore under that marker WHEN restored THEN the question names --managed-by, not --stack', async () => {
    const { run, volumeId, cfn } = givenBackedUpVolume();

    const result = await run('restore', volumeId, '--managed-by', 'Typo');

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ebs-backup: none of ${volumeId}'s snapshots marked Backup-Managed-By=Typo is completed: nothing to restore (is --managed-by Typo right? The original recipe's snapshots need \`ebs-backup adopt\` first)\n`,
    );
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
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
    expect(json.source).toEqual({ volumeId, region: 'us-east-1', exists: false, attachments: [] });
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
      '--from-region <region>',
      '--managed-by <marker>',
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
    expect(result.stdout.replace(/\s+/g, ' ')).toContain(
      '--region is the home region (the stack’s), also with --from-region',
    );
  });
});

const HOME = 'us-east-1';
const COPY_WAIT = 11 * 60_000;

/**
 * web's encrypted 20 GiB gp3 volume (4000 IOPS, 250 MiB/s) in us-east-1b, backed up on two
 * nights and each backup copied to eu-west-1 by the real CopySnapshot step, encrypted there with
 * the region's key; a third night's copy is still pending. `home` replaces the home region's EC2
 * (one that does not answer: the region is down).
 */
async function givenCopiedVolume(options: Parameters<typeof givenCli>[0] = {}) {
  const cli = givenCli({ copyRegions: [{ region: COPY_REGION }], ...options });
  const { sim, account, clock } = cli;
  const key = account.createKmsKey(COPY_REGION);
  const { instanceId, volumeIds } = sim.addInstance({
    name: 'web',
    tags: { 'Backup-Generation': '3', 'Backup-Copy-Generation': '3' },
    volumes: [
      {
        sizeGiB: 20,
        volumeType: 'gp3',
        iops: 4000,
        throughput: 250,
        availabilityZone: 'us-east-1b',
        encrypted: true,
      },
    ],
  });
  const [volumeId] = volumeIds;
  const item = {
    volumeId,
    instanceId,
    instanceName: 'web',
    description: `Auto Snapshot ${volumeId}(web)`,
    generations: 3,
  };
  const deps = {
    ec2In: (region: string) => account.ec2Client(region),
    region: HOME,
    copyRegions: [{ region: COPY_REGION, kmsKeyArn: key }],
    managedBy: DEFAULT_STACK_NAME,
    clock: { now: clock.now, sleep: async (ms: number) => clock.advance(ms) },
  };
  const night = async (n: number) => {
    const runId = `night-${n}-key`;
    const tags = snapshotTags({ ...item, managedBy: DEFAULT_STACK_NAME, executionName: `night-${n}`, runId });
    const source = sim.addSnapshot({
      volumeId,
      description: item.description,
      tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
    });
    const startTime = clock.now();
    const copy = await copyVolumeSnapshot(deps, {
      copy: {
        ...item,
        region: COPY_REGION,
        copyGenerations: 3,
        source: { snapshotId: source, startTime, region: HOME, encrypted: true },
      },
      executionName: `night-${n}`,
      runId,
    });
    if (!('snapshotId' in copy)) throw new Error(`night ${n}: the copy was superseded`);
    return { source, copy: copy.snapshotId };
  };
  const first = await night(1);
  clock.advance(DAY);
  const second = await night(2);
  clock.advance(COPY_WAIT);
  const pending = await night(3);
  return { ...cli, key, instanceId, volumeId, first, second, pending };
}

describe('ebs-backup restore --from-region: from a copy in another region (SPEC §10, §11.3)', () => {
  it('GIVEN copies in a copy region WHEN restored from there THEN a new volume there from the newest completed copy, like the original, in the zone given, encrypted with the copy’s key; the original untouched', async () => {
    const { run, sim, copySim, volumeId, instanceId, second, key } = await givenCopiedVolume();
    const before = sim.volume(volumeId);

    const result = await run(
      'restore',
      volumeId,
      '--from-region',
      COPY_REGION,
      '--az',
      'eu-west-1a',
      '--json',
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = result.json<RestoreJson>();
    const created = copySim.volume(json.volumeId as string);
    expect(created).toMatchObject({
      AvailabilityZone: 'eu-west-1a',
      SnapshotId: second.copy,
      VolumeType: 'gp3',
      Size: 20,
      Iops: 4000,
      Throughput: 250,
      Encrypted: true,
      KmsKeyId: key,
      Attachments: [],
      Tags: [
        { Key: 'Name', Value: `web restored from ${second.copy}` },
        { Key: 'Backup-Restored-From', Value: second.copy },
        { Key: 'Backup-Restored-Volume', Value: volumeId },
      ],
    });
    expect(json).toMatchObject({
      dryRun: false,
      region: COPY_REGION,
      source: { volumeId, region: HOME, exists: true, attachments: [{ instanceId, device: '/dev/xvda' }] },
      snapshot: {
        snapshotId: second.copy,
        generation: 1,
        copyOf: { snapshotId: second.source, region: HOME },
      },
      volume: { availabilityZone: 'eu-west-1a', encrypted: true, kmsKeyId: key },
      attachCommand: `aws ec2 attach-volume --volume-id ${created?.VolumeId} --instance-id <instance-id> --device <device> --region ${COPY_REGION}`,
    });
    expect(json.source).not.toHaveProperty('error');
    expect(sim.volume(volumeId)).toEqual(before);
    expect(sim.volumes()).toHaveLength(1);
    expect(copySim.volumes()).toHaveLength(1);
  });

  it('GIVEN copies WHEN restored from there as text THEN the copy, its source and the commands to attach it in that region', async () => {
    const { run, copySim, volumeId, instanceId, second } = await givenCopiedVolume();

    const result = await run(
      'restore',
      volumeId,
      '--from-region',
      COPY_REGION,
      '--az',
      'eu-west-1c',
      '--region',
      HOME,
      '--profile',
      'ops',
    );

    expect(result.code).toBe(0);
    const created = copySim.volumes()[0].VolumeId;
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(
      `Created ${created} in eu-west-1c (${COPY_REGION}) from copy ${second.copy} (generation 1 of ${volumeId}'s copies in ${COPY_REGION}, copied 2025-01-02 00:00 UTC from ${second.source} of ${HOME}):`,
    );
    expect(lines[1]).toMatch(
      /^gp3, 20 GiB, 4000 IOPS, 250 MiB\/s, encrypted with key\/[\w-]+, Name "web restored from snap-\w+"\. It is not attached to anything\.$/,
    );
    expect(lines[2]).toBe(
      `The original ${volumeId} stays attached to ${instanceId} as /dev/xvda in ${HOME}: restore changes nothing there.`,
    );
    expect(lines.slice(4)).toEqual([
      'To attach it to an instance in eu-west-1c, once it is available:',
      `  aws ec2 wait volume-available --volume-ids ${created} --region ${COPY_REGION} --profile ops`,
      `  aws ec2 attach-volume --volume-id ${created} --instance-id <instance-id> --device <device> --region ${COPY_REGION} --profile ops`,
      '',
    ]);
  });

  it('GIVEN --generation 2 or --snapshot WHEN restored from a copy region THEN copies are counted as that region’s retention counts them', async () => {
    const { run, volumeId, first, second, pending } = await givenCopiedVolume();
    const from = ['--from-region', COPY_REGION, '--az', 'eu-west-1a', '--dry-run'];

    const older = await run('restore', volumeId, ...from, '--generation', '2', '--json');
    const byId = await run('restore', volumeId, ...from, '--snapshot', second.copy, '--json');
    const beyond = await run('restore', volumeId, ...from, '--generation', '3');
    const stillPending = await run('restore', volumeId, ...from, '--snapshot', pending.copy);
    const aSource = await run('restore', volumeId, ...from, '--snapshot', second.source);

    expect(older.json<RestoreJson>().snapshot).toMatchObject({ snapshotId: first.copy, generation: 2 });
    expect(byId.json<RestoreJson>().snapshot).toMatchObject({ snapshotId: second.copy, generation: 1 });
    expect(beyond.stderr).toBe(
      `ebs-backup: ${volumeId} has 2 completed copies in ${COPY_REGION}: there is no generation 3\n`,
    );
    expect(stillPending.stderr).toBe(
      `ebs-backup: ${pending.copy} is pending: only a completed snapshot can be restored\n`,
    );
    // The source snapshots are not in the copy region's family.
    expect(aSource.stderr).toBe(
      `ebs-backup: ${second.source} is not one of ${volumeId}'s copies in ${COPY_REGION} marked Backup-Managed-By=${DEFAULT_STACK_NAME}: see \`ebs-backup generations --volume-ids ${volumeId}\`\n`,
    );
    expect([beyond.code, stillPending.code, aSource.code]).toEqual([2, 2, 2]);
  });

  it('GIVEN --from-region without --az, or with a zone of another region THEN exit 2 before anything is created', async () => {
    const { run, copySim, volumeId } = await givenCopiedVolume();

    const noZone = await run('restore', volumeId, '--from-region', COPY_REGION);
    const homeZone = await run('restore', volumeId, '--from-region', COPY_REGION, '--az', 'us-east-1b');

    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toBe(
      `ebs-backup: --from-region needs --az: the Availability Zone in ${COPY_REGION} of the instance the new volume is for (\`aws ec2 describe-availability-zones --region ${COPY_REGION}\` lists them)\n`,
    );
    expect(homeZone.code).toBe(2);
    expect(homeZone.stderr).toBe(
      `ebs-backup: --az us-east-1b is not a zone of ${COPY_REGION}, where the copy is\n`,
    );
    expect(copySim.calls().CreateVolume).toEqual({ succeeded: 0, throttled: 0, failed: 0 });
  });

  it('GIVEN --from-region the home region, or a region without copies that the stack does not copy to THEN exit 2 saying so', async () => {
    const { run, volumeId } = await givenCopiedVolume();

    const home = await run('restore', volumeId, '--from-region', HOME, '--az', 'us-east-1a');
    const other = await run('restore', volumeId, '--from-region', 'us-west-2', '--az', 'us-west-2a');
    const notARegion = await run('restore', volumeId, '--from-region', 'Ireland');

    expect(home.stderr).toBe(
      `ebs-backup: --from-region ${HOME} is the home region (--region): leave it out to restore from the backups there\n`,
    );
    expect(other.stderr).toBe(
      `ebs-backup: none of ${volumeId}'s copies in us-west-2 marked Backup-Managed-By=${DEFAULT_STACK_NAME} is completed: nothing to restore there (is --from-region right? See \`ebs-backup generations --volume-ids ${volumeId}\`); us-west-2 is not one of the stack's copy regions (${COPY_REGION})\n`,
    );
    expect(notARegion.stderr).toMatch(/"Ireland" is not a Region code such as eu-west-1/);
    expect([home.code, other.code, notARegion.code]).toEqual([2, 2, 2]);
  });

  it('GIVEN --dry-run WHEN restored from a copy region THEN EC2 there is asked with DryRun; nothing created', async () => {
    const { run, copySim, volumeId, second } = await givenCopiedVolume();

    const result = await run(
      'restore',
      volumeId,
      '--from-region',
      COPY_REGION,
      '--az',
      'eu-west-1b',
      '--dry-run',
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^Dry run: EC2 would create a volume in eu-west-1b \\(${COPY_REGION}\\) from copy ${second.copy} `,
      ),
    );
    expect(copySim.volumes()).toEqual([]);
    expect(copySim.calls().CreateVolume).toEqual({ succeeded: 0, throttled: 0, failed: 1 });
  });

  it('GIVEN CreateVolume is denied in the copy region WHEN restored from there THEN one line naming the action and the region, exit 2', async () => {
    const { run, copySim, volumeId } = await givenCopiedVolume();
    copySim.injectFault({
      action: 'CreateVolume',
      error: 'UnauthorizedOperation',
      message: 'not authorized',
    });

    const result = await run('restore', volumeId, '--from-region', COPY_REGION, '--az', 'eu-west-1a');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ebs-backup: ec2:CreateVolume in eu-west-1 was denied: the caller needs an IAM policy allowing ec2:CreateVolume in eu-west-1 /,
    );
  });

  describe('GIVEN the home region is down (its EC2 and CloudFormation refuse connections)', () => {
    const down = () =>
      givenCopiedVolume({
        stack: 'unreachable',
        ec2Client: unreachableEc2(HOME),
      });

    it('WHEN restored from a copy without --managed-by THEN one line saying to pass it, exit 2', async () => {
      const { run, volumeId } = await down();

      const result = await run('restore', volumeId, '--from-region', COPY_REGION, '--az', 'eu-west-1a');

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^ebs-backup: cannot reach the AWS endpoint for cloudformation:DescribeStacks: ECONNREFUSED: .*; or name the deployment without CloudFormation: --managed-by <marker>\n$/,
      );
    });

    it('WHEN restored from a copy with --managed-by THEN the volume is made there from the snapshot and defaults, saying the original could not be described', async () => {
      const { run, copySim, volumeId, second, key } = await down();

      const result = await run(
        'restore',
        volumeId,
        '--from-region',
        COPY_REGION,
        '--az',
        'eu-west-1a',
        '--managed-by',
        DEFAULT_STACK_NAME,
        '--json',
      );

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const json = result.json<RestoreJson>();
      expect(json.source).toEqual({
        volumeId,
        region: HOME,
        exists: false,
        attachments: [],
        error: expect.stringMatching(/^cannot reach the AWS endpoint for ec2:DescribeVolumes: ECONNREFUSED/),
      });
      expect(copySim.volume(json.volumeId as string)).toMatchObject({
        AvailabilityZone: 'eu-west-1a',
        SnapshotId: second.copy,
        VolumeType: 'gp3',
        Size: 20,
        Iops: 3000,
        Throughput: 125,
        KmsKeyId: key,
        Tags: expect.arrayContaining([{ Key: 'Name', Value: `web restored from ${second.copy}` }]),
      });
      const text = await run(
        'restore',
        volumeId,
        '--from-region',
        COPY_REGION,
        '--az',
        'eu-west-1a',
        '--managed-by',
        DEFAULT_STACK_NAME,
        '--dry-run',
      );
      expect(text.stdout).toContain(
        `The original ${volumeId} could not be described in ${HOME} (cannot reach the AWS endpoint for ec2:DescribeVolumes: ECONNREFUSED`,
      );
    });

    it('WHEN restored in the home region THEN its failure is not hidden: exit 2', async () => {
      const { run, volumeId } = await down();

      const result = await run('restore', volumeId, '--managed-by', DEFAULT_STACK_NAME);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^ebs-backup: cannot reach the AWS endpoint for ec2:DescribeSnapshots: ECONNREFUSED/,
      );
    });
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
