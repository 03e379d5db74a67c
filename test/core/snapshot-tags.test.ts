import { SnapshotTag, snapshotTags } from '../../lambdas/core/snapshot-tags';

describe('snapshotTags (SPEC §2.2)', () => {
  const base = {
    managedBy: 'backup-prod',
    executionName: 'run-1',
    runId: 'key-1',
    volumeId: 'vol-1',
    generations: 3,
  };

  it('GIVEN a volume that is not attached WHEN tagged THEN no instance ID tag and the volume ID as Name', () => {
    expect(snapshotTags(base)).toEqual([
      { Key: 'Name', Value: 'vol-1' },
      { Key: SnapshotTag.managedBy, Value: 'backup-prod' },
      { Key: SnapshotTag.volumeId, Value: 'vol-1' },
      { Key: SnapshotTag.generation, Value: '3' },
      { Key: SnapshotTag.execution, Value: 'run-1' },
      { Key: SnapshotTag.runId, Value: 'key-1' },
    ]);
  });
});
