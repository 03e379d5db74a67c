import {
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  paginateDescribeSnapshots,
} from '@aws-sdk/client-ec2';
import { SIMULATED_ACCOUNT_ID } from '../../local/simulated-account';
import { collect, ec2ErrorFrom, givenAccount } from '../fixtures/account';

describe('Describe shapes', () => {
  test('GIVEN an instance with two volumes WHEN described THEN it has EC2’s shape: state code, tags and one mapping per volume', async () => {
    const { ec2, sim } = givenAccount();
    const { instanceId, volumeIds } = sim.addInstance({
      name: 'web',
      tags: { 'Backup-Generation': '3' },
      state: 'stopped',
      volumes: [{ sizeGiB: 20 }, { sizeGiB: 100 }],
    });

    const page = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));

    const instance = page.Reservations?.[0].Instances?.[0];
    expect(instance).toMatchObject({
      InstanceId: instanceId,
      State: { Name: 'stopped', Code: 80 },
      Tags: [
        { Key: 'Name', Value: 'web' },
        { Key: 'Backup-Generation', Value: '3' },
      ],
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/sdf',
          Ebs: { VolumeId: volumeIds[1], Status: 'attached', DeleteOnTermination: false },
        },
        {
          DeviceName: '/dev/xvda',
          Ebs: { VolumeId: volumeIds[0], Status: 'attached', DeleteOnTermination: true },
        },
      ],
    });
  });

  test('GIVEN a Windows and a Linux instance WHEN described THEN Platform says windows only for the first, each root device is mapped to its first volume', async () => {
    const { ec2, sim } = givenAccount();
    const windows = sim.addInstance({ platform: 'windows', volumes: [{}, {}] });
    const linux = sim.addInstance({ volumes: [{}] });

    const page = await ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [windows.instanceId, linux.instanceId] }),
    );

    const described = (page.Reservations ?? []).map((r) => r.Instances?.[0]);
    const [win, lin] = [windows, linux].map((i) => described.find((d) => d?.InstanceId === i.instanceId));
    expect(win).toMatchObject({
      Platform: 'windows',
      PlatformDetails: 'Windows',
      RootDeviceName: '/dev/sda1',
      BlockDeviceMappings: [
        { DeviceName: '/dev/sda1', Ebs: { VolumeId: windows.volumeIds[0], DeleteOnTermination: true } },
        { DeviceName: 'xvdf', Ebs: { VolumeId: windows.volumeIds[1], DeleteOnTermination: false } },
      ],
    });
    expect(lin).toMatchObject({ RootDeviceName: '/dev/xvda', PlatformDetails: 'Linux/UNIX' });
    expect(lin).not.toHaveProperty('Platform');
  });

  test('GIVEN resources without tags WHEN described THEN Tags is absent, as the SDK returns it from EC2', async () => {
    const { ec2, sim } = givenAccount();
    const { instanceId, volumeIds } = sim.addInstance();
    sim.addSnapshot({ volumeId: volumeIds[0] });

    const instances = await ec2.send(new DescribeInstancesCommand({}));
    const volumes = await ec2.send(new DescribeVolumesCommand({}));
    const snapshots = await ec2.send(new DescribeSnapshotsCommand({}));

    expect(instances.Reservations?.[0].Instances?.[0].InstanceId).toBe(instanceId);
    expect(instances.Reservations?.[0].Instances?.[0].Tags).toBeUndefined();
    expect(volumes.Volumes?.[0].Tags).toBeUndefined();
    expect(snapshots.Snapshots?.[0].Tags).toBeUndefined();
  });

  test('GIVEN a multi-attached volume WHEN described THEN both instances map it and the volume lists both attachments', async () => {
    const { ec2, sim } = givenAccount();
    const first = sim.addInstance();
    const second = sim.addInstance();
    const shared = sim.addVolume({ instanceId: first.instanceId });
    sim.attachVolume(shared, second.instanceId);

    const instances = await ec2.send(new DescribeInstancesCommand({}));
    const volume = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [shared] }));

    const mapped = instances.Reservations?.map((reservation) =>
      reservation.Instances?.[0].BlockDeviceMappings?.some((mapping) => mapping.Ebs?.VolumeId === shared),
    );
    expect(mapped).toEqual([true, true]);
    expect(volume.Volumes?.[0]).toMatchObject({
      VolumeId: shared,
      State: 'in-use',
      MultiAttachEnabled: true,
      Attachments: [
        { InstanceId: first.instanceId, State: 'attached' },
        { InstanceId: second.instanceId, State: 'attached' },
      ],
    });
  });

  test('GIVEN a volume that vanished WHEN its instance is described THEN the mapping is gone but its snapshots remain', async () => {
    const { ec2, sim } = givenAccount();
    const { instanceId, volumeIds } = sim.addInstance({ volumes: [{}, {}] });
    const snapshotId = sim.addSnapshot({ volumeId: volumeIds[1] });
    sim.deleteVolume(volumeIds[1]);

    const page = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const snapshots = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));

    expect(page.Reservations?.[0].Instances?.[0].BlockDeviceMappings?.map((m) => m.Ebs?.VolumeId)).toEqual([
      volumeIds[0],
    ]);
    expect(snapshots.Snapshots?.[0].VolumeId).toBe(volumeIds[1]);
  });

  test.each([
    {
      ids: 'InstanceIds',
      code: 'InvalidInstanceID.NotFound',
      command: () => new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] }),
    },
    {
      ids: 'VolumeIds',
      code: 'InvalidVolume.NotFound',
      command: () => new DescribeVolumesCommand({ VolumeIds: ['vol-0000000000000dead'] }),
    },
    {
      ids: 'SnapshotIds',
      code: 'InvalidSnapshot.NotFound',
      command: () => new DescribeSnapshotsCommand({ SnapshotIds: ['snap-000000000000dead'] }),
    },
  ])('GIVEN an unknown id in $ids WHEN describing THEN $code', async ({ command, code }) => {
    const { ec2, sim } = givenAccount();
    sim.addInstance();

    // biome-ignore lint/suspicious/noExplicitAny: one table for three command types.
    const error = await ec2ErrorFrom(ec2.send(command() as any));

    expect(error.name).toBe(code);
    expect(error).toMatchObject({ Code: code, Error: { Code: code, Message: error.message } });
    expect(error.$fault).toBe('client');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  test('GIVEN own snapshots and another account’s shared ones WHEN OwnerIds is self THEN only own come back; WHEN omitted THEN both', async () => {
    const { ec2, sim } = givenAccount({ maxPageSize: 5 });
    const [volumeId] = sim.addInstance().volumeIds;
    const own = Array.from({ length: 6 }, () =>
      sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}` }),
    );
    const foreign = Array.from({ length: 4 }, () =>
      sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}`, ownerId: '210987654321' }),
    );

    const mine = await collect(
      paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['self'] }),
      (p) => p.Snapshots,
    );
    const all = await collect(paginateDescribeSnapshots({ client: ec2 }, {}), (p) => p.Snapshots);
    const theirs = await collect(
      paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['210987654321'] }),
      (p) => p.Snapshots,
    );

    expect(mine.map((s) => s.SnapshotId).sort()).toEqual([...own].sort());
    expect(mine.every((s) => s.OwnerId === SIMULATED_ACCOUNT_ID)).toBe(true);
    expect(all.map((s) => s.SnapshotId).sort()).toEqual([...own, ...foreign].sort());
    expect(theirs.map((s) => s.SnapshotId).sort()).toEqual([...foreign].sort());
  });

  test('GIVEN the same fleet seeded twice WHEN comparing ids THEN they are identical, EC2-shaped, and not in creation order', () => {
    const seed = () => {
      const { sim } = givenAccount();
      return Array.from({ length: 5 }, () => sim.addInstance().instanceId);
    };

    const first = seed();
    const second = seed();

    expect(second).toEqual(first);
    expect(first.every((id) => /^i-[0-9a-f]{17}$/.test(id))).toBe(true);
    expect([...first].sort()).not.toEqual(first);
  });

  test('GIVEN a user retags an instance and detaches a volume WHEN described THEN the change shows', async () => {
    const { ec2, sim } = givenAccount();
    const { instanceId, volumeIds } = sim.addInstance({
      name: 'web',
      tags: { 'Backup-Generation': '3' },
      volumes: [{}, {}],
    });

    sim.tag(instanceId, { 'Backup-Generation': '5', Team: 'ops' });
    sim.untag(instanceId, ['Name']);
    sim.detachVolume(volumeIds[1], instanceId);
    const page = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const volume = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeIds[1]] }));

    expect(page.Reservations?.[0].Instances?.[0]).toMatchObject({
      Tags: [
        { Key: 'Backup-Generation', Value: '5' },
        { Key: 'Team', Value: 'ops' },
      ],
      BlockDeviceMappings: [{ Ebs: { VolumeId: volumeIds[0] } }],
    });
    expect(volume.Volumes?.[0]).toMatchObject({ State: 'available', Attachments: [] });
  });

  test('GIVEN a response WHEN the caller mutates it THEN the account is unchanged', async () => {
    const { ec2, sim } = givenAccount();
    const { instanceId } = sim.addInstance({ name: 'web' });

    const page = await ec2.send(new DescribeInstancesCommand({}));
    page.Reservations?.[0].Instances?.[0].Tags?.push({ Key: 'Backup-Generation', Value: '9' });

    expect(sim.instance(instanceId)?.Tags).toEqual([{ Key: 'Name', Value: 'web' }]);
  });
});
