import { snapshotDescription } from '../../lambdas/core/description';
import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import type { SimulatedEc2 } from '../simulated-account';

export const BENCH_GENERATIONS = 3;
const DAY = 24 * 3_600_000;

/**
 * The benchmark's fleet: `volumes` volumes on instances tagged with N = 3, alternately one and
 * two volumes each, every volume with N completed earlier generations of this deployment (one a
 * day before `start`), so that the run creates one snapshot per volume and then prunes one.
 * Seeded straight into the simulator (no API calls, no faults, nothing counted); linear in the
 * fleet size.
 */
export function seedBenchFleet(
  ec2: SimulatedEc2,
  options: { volumes: number; tagKey: string; managedBy: string; start: number },
): { instances: number } {
  let seeded = 0;
  let instances = 0;
  while (seeded < options.volumes) {
    const count = Math.min(instances % 2 === 0 ? 1 : 2, options.volumes - seeded);
    const name = `bench-${String(instances + 1).padStart(5, '0')}`;
    const { instanceId, volumeIds } = ec2.addInstance({
      name,
      tags: { [options.tagKey]: String(BENCH_GENERATIONS) },
      volumes: Array.from({ length: count }, () => ({})),
    });
    for (const volumeId of volumeIds) {
      for (let daysBefore = BENCH_GENERATIONS; daysBefore >= 1; daysBefore--) {
        const tags = snapshotTags({
          managedBy: options.managedBy,
          executionName: `earlier-${daysBefore}`,
          runId: `earlier-run-${daysBefore}`,
          volumeId,
          instanceId,
          instanceName: name,
          generations: BENCH_GENERATIONS,
        });
        ec2.addSnapshot({
          volumeId,
          description: snapshotDescription(volumeId, name),
          tags: Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value])),
          startTime: options.start - daysBefore * DAY,
        });
      }
    }
    seeded += count;
    instances += 1;
  }
  return { instances };
}
