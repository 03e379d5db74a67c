import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { givenAccount } from '../fixtures/account';

describe('EBS encryption of volumes and their snapshots', () => {
  test('GIVEN a volume seeded encrypted without a key WHEN described THEN encrypted with the Region’s default EBS key', async () => {
    const { account, ec2, sim } = givenAccount();
    const volumeId = sim.addVolume({ encrypted: true });

    const described = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));

    expect(described.Volumes?.[0]).toMatchObject({ Encrypted: true, KmsKeyId: account.defaultEbsKmsKey() });
  });

  test('GIVEN an unencrypted volume WHEN it and its snapshot are described THEN Encrypted is false and no key is named', async () => {
    const { ec2, sim } = givenAccount();
    const volumeId = sim.addVolume();

    const snapshot = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const volume = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes?.[0];

    expect(volume?.Encrypted).toBe(false);
    expect(snapshot.Encrypted).toBe(false);
    expect(volume).not.toHaveProperty('KmsKeyId');
    expect(snapshot).not.toHaveProperty('KmsKeyId');
  });

  test('GIVEN a volume encrypted with a key of its own WHEN snapshotted THEN the snapshot is encrypted with that key, in the answer and in Describe', async () => {
    const { account, ec2, sim } = givenAccount();
    const key = account.createKmsKey(account.region);
    const volumeId = sim.addVolume({ kmsKeyId: key });

    const created = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const described = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [created.SnapshotId as string] }),
    );

    expect(created).toMatchObject({ Encrypted: true, KmsKeyId: key });
    expect(described.Snapshots?.[0]).toMatchObject({ Encrypted: true, KmsKeyId: key });
  });

  test('GIVEN a snapshot seeded of an encrypted volume WHEN restored THEN the snapshot and the new volume carry the volume’s key', async () => {
    const { account, ec2, sim } = givenAccount();
    const key = account.createKmsKey(account.region);
    const volumeId = sim.addVolume({ kmsKeyId: key });
    const snapshotId = sim.addSnapshot({ volumeId });

    const restored = await ec2.send(
      new CreateVolumeCommand({ SnapshotId: snapshotId, AvailabilityZone: 'us-east-1a' }),
    );

    expect(sim.snapshot(snapshotId)).toMatchObject({ Encrypted: true, KmsKeyId: key });
    expect(restored).toMatchObject({ Encrypted: true, KmsKeyId: key });
  });

  test('GIVEN a key of another Region, or one that does not exist WHEN seeding a volume with it THEN the seeding fails', () => {
    const { account, sim } = givenAccount();
    const elsewhere = account.createKmsKey('eu-west-1');

    expect(() => sim.addVolume({ kmsKeyId: elsewhere })).toThrow(`No KMS key ${elsewhere} in us-east-1`);
    expect(() => sim.addVolume({ kmsKeyId: 'alias/nothing' })).toThrow('No KMS key');
    expect(() => sim.addVolume({ encrypted: false, kmsKeyId: elsewhere })).toThrow('unencrypted');
  });
});
