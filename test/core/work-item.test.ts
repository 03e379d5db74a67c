import { parseVolumeTask } from '../../lambdas/core/work-item';

describe('parseVolumeTask', () => {
  const volume = { volumeId: 'vol-1', description: 'Auto Snapshot vol-1', generations: 2 };

  it.each([
    [{ ...volume, instanceId: 42 }, 'volume.instanceId: must be a string when present'],
    [
      { ...volume, instanceId: 'i-1', instanceName: null },
      'volume.instanceName: must be a string when present',
    ],
  ])(
    'GIVEN %j WHEN parsed THEN InvalidInput names the field, while a missing instance is accepted',
    (bad, message) => {
      expect(() => parseVolumeTask({ volume: bad, executionName: 'run-1', runId: 'key-1' })).toThrow(message);
      // An unattached volume targeted by its own tag has no instance (SPEC §1.3).
      expect(parseVolumeTask({ volume, executionName: 'run-1', runId: 'key-1' })).toEqual({
        volume,
        executionName: 'run-1',
        runId: 'key-1',
        dryRun: false,
      });
    },
  );
});

describe("parseVolumeTask: the run's key", () => {
  it('GIVEN no runId WHEN parsed THEN InvalidInput names it: idempotency depends on it', () => {
    const volume = { volumeId: 'vol-1', description: 'Auto Snapshot vol-1', generations: 2 };
    expect(() => parseVolumeTask({ volume, executionName: 'run-1' })).toThrow('runId: must be');
  });
});
