import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import fc from 'fast-check';
import { PER_VOLUME_SNAPSHOT_INTERVAL_MS } from '../../local/simulated-account';
import { givenAccount } from '../fixtures/account';

// The snapshot index only narrows DescribeSnapshots' candidates; these properties check that
// after any mix of creations, retaggings and deletions it still returns exactly what a full
// scan of the account would.

type Step =
  | { kind: 'create'; volume: number; run: string }
  | { kind: 'retag'; pick: number; run: string }
  | { kind: 'delete'; pick: number };

const runs = fc.constantFrom('run-a', 'run-b', 'run-c');
const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('create' as const), volume: fc.nat(2), run: runs }),
    fc.record({ kind: fc.constant('retag' as const), pick: fc.nat(), run: runs }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  ),
  { maxLength: 25 },
);

describe('snapshot index', () => {
  test('GIVEN any history of creates, retags and deletes WHEN filtering by volume-id or tag THEN results equal a full scan', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (history: Step[]) => {
        const { ec2, sim, clock } = givenAccount();
        const volumeIds = [0, 1, 2].map(() => sim.addInstance().volumeIds[0]);
        for (const step of history) {
          const existing = sim.allSnapshots().map((snapshot) => snapshot.SnapshotId as string);
          if (step.kind === 'create') {
            clock.advance(PER_VOLUME_SNAPSHOT_INTERVAL_MS);
            await ec2.send(
              new CreateSnapshotCommand({
                VolumeId: volumeIds[step.volume],
                TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Run', Value: step.run }] }],
              }),
            );
          } else if (existing.length > 0 && step.kind === 'retag') {
            const snapshotId = existing[step.pick % existing.length];
            await ec2.send(
              new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: 'Run', Value: step.run }] }),
            );
          } else if (existing.length > 0 && step.kind === 'delete') {
            await ec2.send(new DeleteSnapshotCommand({ SnapshotId: existing[step.pick % existing.length] }));
          }
        }

        const all = sim.allSnapshots();
        const idsOf = (snapshots: { SnapshotId?: string }[] | undefined) =>
          (snapshots ?? []).map((snapshot) => snapshot.SnapshotId).sort();
        for (const volumeId of volumeIds) {
          const page = await ec2.send(
            new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: [volumeId] }] }),
          );
          expect(idsOf(page.Snapshots)).toEqual(
            idsOf(all.filter((snapshot) => snapshot.VolumeId === volumeId)),
          );
        }
        for (const run of ['run-a', 'run-b', 'run-c']) {
          const page = await ec2.send(
            new DescribeSnapshotsCommand({
              Filters: [
                { Name: 'tag:Run', Values: [run] },
                { Name: 'volume-id', Values: volumeIds },
              ],
            }),
          );
          const expected = all.filter((snapshot) =>
            snapshot.Tags?.some((tag) => tag.Key === 'Run' && tag.Value === run),
          );
          expect(idsOf(page.Snapshots)).toEqual(idsOf(expected));
        }
      }),
      { numRuns: 40 },
    );
  });
});
