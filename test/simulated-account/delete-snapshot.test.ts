import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

function givenHistory() {
  const setup = givenAccount();
  const [volumeId] = setup.sim.addInstance().volumeIds;
  const snapshotId = setup.sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}` });
  return { ...setup, volumeId, snapshotId };
}

describe('DeleteSnapshot', () => {
  test('GIVEN a snapshot WHEN deleted THEN it is gone; WHEN deleted again THEN InvalidSnapshot.NotFound', async () => {
    const { ec2, sim, snapshotId } = givenHistory();

    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    const again = await ec2ErrorFrom(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));

    expect(sim.snapshot(snapshotId)).toBeUndefined();
    expect(again.name).toBe('InvalidSnapshot.NotFound');
    expect(again.message).toContain(snapshotId);
  });

  test('GIVEN a snapshot backing an AMI WHEN deleted THEN InvalidSnapshot.InUse names the AMI and the snapshot stays', async () => {
    const { ec2, sim, snapshotId } = givenHistory();
    const imageId = sim.registerImage(snapshotId);

    const error = await ec2ErrorFrom(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));

    expect(imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(error.name).toBe('InvalidSnapshot.InUse');
    expect(error.message).toBe(`The snapshot ${snapshotId} is currently in use by ${imageId}`);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(sim.snapshot(snapshotId)).toBeDefined();
  });

  test('GIVEN the AMI was deregistered WHEN the snapshot is deleted THEN it goes', async () => {
    const { ec2, sim, snapshotId } = givenHistory();
    sim.deregisterImage(sim.registerImage(snapshotId));

    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));

    expect(sim.snapshot(snapshotId)).toBeUndefined();
  });

  test('GIVEN another account’s shared snapshot WHEN deleted THEN UnauthorizedOperation and it stays', async () => {
    const { ec2, sim, volumeId } = givenHistory();
    const foreign = sim.addSnapshot({ volumeId, ownerId: '210987654321' });

    const error = await ec2ErrorFrom(ec2.send(new DeleteSnapshotCommand({ SnapshotId: foreign })));

    expect(error.name).toBe('UnauthorizedOperation');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(sim.snapshot(foreign)).toBeDefined();
  });
});
