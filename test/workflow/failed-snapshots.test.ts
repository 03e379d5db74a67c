import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { DAY, givenWorkflow, START, TAG } from '../fixtures/workflow';

/**
 * Snapshots in state error (SPEC §3.3, §3.4): they count against EBS's limit of concurrent
 * snapshots per volume, so they must not pile up on a volume whose backups keep failing.
 */
describe('snapshots in state error on the real definition', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  const stateOf = (volumeId: string, state: string) =>
    world
      .managedSnapshots(volumeId)
      .filter((s) => s.State === state)
      .map((s) => s.SnapshotId);

  it('GIVEN a volume whose new snapshot ends in error three nights running WHEN run each night THEN its error snapshots never exceed one and its completed generations are untouched', async () => {
    world = givenWorkflow();
    const { volumeIds } = world.sim.addInstance({ name: 'db', tags: { [TAG]: '2' }, volumes: [{}] });
    const volumeId = volumeIds[0];
    await world.runDaily(3);
    const generations = stateOf(volumeId, 'completed');
    expect(generations).toHaveLength(2);

    world.sim.setSnapshotOutcome(volumeId, 'error');
    const errors: number[] = [];
    for (let night = 3; night < 6; night++) {
      await world.clock.advanceTo(START + night * DAY);
      const result = await world.run();
      expect(result.status).toBe('FAILED');
      expect(result.cause).toContain(`${volumeId} (`);
      expect(result.cause).toContain('PruneSnapshots SnapshotNotCompleted');
      expect(result.cause).toContain('ended in state error; older generations kept');
      errors.push(stateOf(volumeId, 'error').length);
      expect(stateOf(volumeId, 'completed').sort()).toEqual(generations.sort());
    }
    expect(errors).toEqual([1, 1, 1]);
  });

  it("GIVEN a volume at EBS's limit, five snapshots in error WHEN run THEN CreateSnapshot fails naming the limit, PruneSnapshots deletes them, and the next night backs it up", async () => {
    world = givenWorkflow();
    const { volumeIds, instanceId } = world.sim.addInstance({
      name: 'db',
      tags: { [TAG]: '2' },
      volumes: [{}],
    });
    const volumeId = volumeIds[0];
    const marked = { [SnapshotTag.managedBy]: world.deployment.managedBy, [SnapshotTag.volumeId]: volumeId };
    const generation = world.sim.addSnapshot({ volumeId, startTime: START - 10 * DAY, tags: marked });
    for (let day = 1; day <= 5; day++) {
      world.sim.addSnapshot({ volumeId, state: 'error', startTime: START - day * DAY, tags: marked });
    }

    const refused = await world.run();
    expect(refused.status).toBe('FAILED');
    expect(refused.cause).toContain(`${volumeId} (${instanceId} db): CreateSnapshot ConcurrentSnapshotLimit`);
    expect(stateOf(volumeId, 'error')).toEqual([]);
    expect(stateOf(volumeId, 'completed')).toEqual([generation]);

    await world.clock.advanceTo(START + DAY);
    const next = await world.run();
    expect(next.status).toBe('SUCCEEDED');
    expect(stateOf(volumeId, 'completed')).toHaveLength(2);
  });
});
