import { snapshotDescription } from '../../lambdas/core/description';
import { copyTags, snapshotTags } from '../../lambdas/core/snapshot-tags';
import type { SimulatedAccount } from '../simulated-account';

export const BENCH_GENERATIONS = 3;
const DAY = 24 * 3_600_000;

export interface BenchFleetOptions {
  volumes: number;
  tagKey: string;
  managedBy: string;
  start: number;
  /** Copies kept in these regions (N = 3 each, by `copyTagKey`); none by default. */
  copyRegions?: readonly string[];
  copyTagKey?: string;
  /**
   * At least this many volumes are on instances taken as crash-consistent sets (SPEC §12:
   * `consistencyTagKey` = `instance`), the first instances of the fleet; default none.
   */
  setVolumes?: number;
  consistencyTagKey?: string;
}

/**
 * The benchmark's fleet: `volumes` volumes on instances tagged with N = 3, alternately one and
 * two volumes each, every volume with N completed earlier generations of this deployment (one a
 * day before `start`), so that the run creates one snapshot per volume and then prunes one.
 * With copy regions, the instances also ask for N = 3 copies and each region holds N earlier
 * copies of every volume, so that the run copies each new snapshot there and prunes one copy.
 * Seeded straight into the simulator (no API calls, no faults, nothing counted); linear in the
 * fleet size.
 */
export function seedBenchFleet(
  account: SimulatedAccount,
  options: BenchFleetOptions,
): { instances: number; setVolumes: number } {
  const ec2 = account.ec2;
  const copyRegions = options.copyRegions ?? [];
  let seeded = 0;
  let instances = 0;
  let setVolumes = 0;
  while (seeded < options.volumes) {
    const count = Math.min(instances % 2 === 0 ? 1 : 2, options.volumes - seeded);
    const name = `bench-${String(instances + 1).padStart(5, '0')}`;
    const inSet = setVolumes < (options.setVolumes ?? 0);
    if (inSet) setVolumes += count;
    const { instanceId, volumeIds } = ec2.addInstance({
      name,
      tags: {
        [options.tagKey]: String(BENCH_GENERATIONS),
        ...(inSet && { [options.consistencyTagKey as string]: 'instance' }),
        ...(copyRegions.length > 0 && { [options.copyTagKey as string]: String(BENCH_GENERATIONS) }),
      },
      volumes: Array.from({ length: count }, () => ({})),
    });
    for (const volumeId of volumeIds) {
      for (let daysBefore = BENCH_GENERATIONS; daysBefore >= 1; daysBefore--) {
        const generation = {
          managedBy: options.managedBy,
          executionName: `earlier-${daysBefore}`,
          runId: `earlier-run-${daysBefore}`,
          volumeId,
          instanceId,
          instanceName: name,
          generations: BENCH_GENERATIONS,
        };
        const seed = {
          volumeId,
          description: snapshotDescription(volumeId, name),
          startTime: options.start - daysBefore * DAY,
        };
        const sourceSnapshotId = ec2.addSnapshot({ ...seed, tags: asMap(snapshotTags(generation)) });
        for (const region of copyRegions) {
          const tags = copyTags({ ...generation, sourceSnapshotId, sourceRegion: ec2.region });
          account.ec2In(region).addSnapshot({ ...seed, tags: asMap(tags) });
        }
      }
    }
    seeded += count;
    instances += 1;
  }
  return { instances, setVolumes };
}

function asMap(tags: { Key: string; Value: string }[]): Record<string, string> {
  return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
}
