import { snapshotDescription } from '../../lambdas/core/description';
import { SnapshotTag, snapshotTags } from '../../lambdas/core/snapshot-tags';
import type { SimulatedEc2 } from '../simulated-account';
import type { FinalGeneration, UnmanagedSnapshot, VolumeRow } from './report-view';

/**
 * The fleet `npm start` seeds into the simulated account: one instance or volume per rule of
 * SPEC §1–§3, so that the first simulated day already shows each of them (history exists, so
 * pruning acts at once), plus an optional generated fleet for scale; its listing, and the
 * generations each of its volumes holds after the last run.
 */

export interface FleetVolume {
  volumeId: string;
  /** The volume's Name tag: `--fail-volume` accepts it. */
  name?: string;
  /** The volume's own generation tag (an override), if any. */
  tagValue?: string;
}

export interface FleetInstance {
  instanceId: string;
  name?: string;
  /** The instance's generation tag value, as written. */
  tagValue: string;
  volumes: FleetVolume[];
  /** The rule this instance demonstrates, for the fleet listing. */
  shows?: string;
  /** Added by `--fleet`, not one of the demo's own. */
  generated?: boolean;
}

export interface DemoFleet {
  instances: FleetInstance[];
}

export interface DemoFleetOptions {
  tagKey: string;
  managedBy: string;
  /** Epoch ms of the first run: history is seeded before it. */
  start: number;
  /** Generated instances added after the demo ones. */
  generated: number;
  seed: number;
}

const DAY = 24 * 3_600_000;

export function seedDemoFleet(ec2: SimulatedEc2, options: DemoFleetOptions): DemoFleet {
  const fleet = new FleetBuilder(ec2, options);

  const web = fleet.instance({
    name: 'web',
    tagValue: '2',
    shows: 'N=2; 4 older generations on web-root are pruned on day 1; web-data is excluded by its own tag 0',
    volumes: [{ name: 'web-root' }, { name: 'web-data', tagValue: '0' }],
  });
  fleet.history(web, 0, 4);
  // The original recipe's snapshot: same description, no tags. Not this deployment's: never deleted.
  ec2.addSnapshot({
    volumeId: web.volumes[0].volumeId,
    description: snapshotDescription(web.volumes[0].volumeId, web.name),
    startTime: options.start - 30 * DAY,
  });

  fleet.instance({
    name: 'db',
    tagValue: '3',
    shows: 'N=3 grows one generation a day; db-data overrides it with its own tag 1',
    volumes: [{ name: 'db-root' }, { name: 'db-data', tagValue: '1' }],
  });

  const unnamed = fleet.instance({
    tagValue: '1',
    shows: 'no Name tag: description "Auto Snapshot <volume-id>"',
    volumes: [{}],
  });
  fleet.history(unnamed, 0, 2);

  const app = fleet.instance({
    name: 'app',
    tagValue: '2',
    shows: 'its oldest generation backs an AMI: deletion skipped with the reason, every day',
    volumes: [{ name: 'app-root' }],
  });
  const [oldest] = fleet.history(app, 0, 3);
  ec2.registerImage(oldest);

  const legacy = fleet.instance({
    name: 'legacy',
    tagValue: '0',
    shows: 'generation 0: skipped, its existing generation left alone',
    volumes: [{ name: 'legacy-root' }],
  });
  fleet.history(legacy, 0, 1, 2);

  fleet.instance({
    name: 'typo',
    tagValue: '2.5',
    shows: 'invalid value: reported with the reason, not touched, the run ends FAILED',
    volumes: [{ name: 'typo-root' }],
  });

  const nodeA = fleet.instance({
    name: 'node-a',
    tagValue: '2',
    shows: 'shares multi-attached shared-data with node-b: backed up once, under the lower instance ID',
    volumes: [{ name: 'node-a-root' }, { name: 'shared-data' }],
  });
  fleet.instance({ name: 'node-b', tagValue: '3', volumes: [{ name: 'node-b-root' }] });
  fleet.attach(nodeA.volumes[1], 'node-b');

  fleet.generate(options.generated);
  return { instances: fleet.instances };
}

/** The volume an ID or a volume Name tag designates, if the fleet has it. */
export function findFleetVolume(fleet: DemoFleet, idOrName: string): string | undefined {
  const volumes = fleet.instances.flatMap((instance) => instance.volumes);
  return volumes.find((v) => v.volumeId === idOrName || v.name === idOrName)?.volumeId;
}

/** The demo fleet, one instance and its volumes at a time, with the rule each shows. */
export function fleetText(fleet: DemoFleet, tagKey: string): string {
  const lines = ['Demo fleet:'];
  for (const instance of fleet.instances.filter((i) => !i.generated)) {
    const volumes = instance.volumes.map(
      (v) =>
        `${v.name ?? '(no Name)'} ${v.volumeId}${v.tagValue !== undefined ? ` [own tag ${JSON.stringify(v.tagValue)}]` : ''}`,
    );
    lines.push(
      `  ${(instance.name ?? '(no Name)').padEnd(9)} ${instance.instanceId}  ${tagKey}=${JSON.stringify(instance.tagValue)}`,
      `            volumes: ${volumes.join(', ')}`,
      ...(instance.shows ? [`            shows: ${instance.shows}`] : []),
    );
  }
  const generated = fleet.instances.filter((i) => i.generated);
  if (generated.length > 0) {
    const count = generated.reduce((n, i) => n + i.volumes.length, 0);
    lines.push(`  + ${generated.length} generated instances (fleet-001…) with ${count} volumes, N 1…5`);
  }
  return `${lines.join('\n')}\n`;
}

/** Where each volume of the fleet stands after a run: its managed generations against N, and the snapshots not ours. */
export function fleetGenerations(
  ec2: SimulatedEc2,
  fleet: DemoFleet,
  lastRun: readonly VolumeRow[],
  managedBy: string,
) {
  const volumes: FinalGeneration[] = [];
  const unmanaged: UnmanagedSnapshot[] = [];
  const seen = new Set<string>();
  // By ID, not `find` per volume: at --fleet 10000 that was 20,000 × 20,000 comparisons.
  const rowOf = firstById(lastRun, (row) => row.volumeId);
  const instanceOf = firstById(fleet.instances, (instance) => instance.instanceId);
  const isManaged = (tags: { Key?: string; Value?: string }[] = []) =>
    tags.some((t) => t.Key === SnapshotTag.managedBy && t.Value === managedBy);
  for (const instance of fleet.instances) {
    for (const volume of instance.volumes) {
      if (seen.has(volume.volumeId)) continue;
      seen.add(volume.volumeId);
      const snapshots = ec2.snapshotsOf(volume.volumeId);
      const managed = snapshots.filter((s) => isManaged(s.Tags));
      const completed = managed.filter((s) => s.State === 'completed').length;
      const row = rowOf.get(volume.volumeId);
      const owner = (row?.instanceId !== undefined && instanceOf.get(row.instanceId)) || instance;
      volumes.push({
        volumeId: volume.volumeId,
        ...(volume.name !== undefined && { volumeName: volume.name }),
        ...(owner.name !== undefined && { instanceName: owner.name }),
        instanceId: owner.instanceId,
        ...(row?.generations !== undefined && { generations: row.generations }),
        managed: completed,
        notCompleted: managed.length - completed,
        status: finalStatus(row, completed, managed.length - completed),
      });
      for (const s of snapshots.filter((s) => !isManaged(s.Tags))) {
        unmanaged.push({
          snapshotId: s.SnapshotId ?? '',
          volumeId: volume.volumeId,
          description: s.Description ?? '',
        });
      }
    }
  }
  return { volumes, unmanaged };
}

/** The first element of each key, as `find` would return it. */
function firstById<T>(list: readonly T[], key: (item: T) => string | undefined): Map<string, T> {
  const byId = new Map<string, T>();
  for (const item of list) {
    const id = key(item);
    if (id !== undefined && !byId.has(id)) byId.set(id, item);
  }
  return byId;
}

function finalStatus(row: VolumeRow | undefined, completed: number, notCompleted: number): string {
  const errors = notCompleted > 0 ? `, ${notCompleted} in error or pending` : '';
  if (!row) return 'not targeted';
  const n = row.generations ?? 0;
  switch (row.outcome) {
    case 'backed-up':
      if (completed === n) return `= N${errors}`;
      if (completed < n) return `growing toward N (one more a day)${errors}`;
      return `${completed - n} over N: ${row.skipped.map((s) => `${s.snapshotId} in use`).join(', ') || 'see the run'}${errors}`;
    case 'planned':
      return `dry run: ${row.deleted.length} would be deleted`;
    case 'failed':
      return `last run failed: older generations kept${errors}`;
    default:
      return `${row.outcome}: ${completed} earlier generation(s) left alone`;
  }
}

class FleetBuilder {
  readonly instances: FleetInstance[] = [];
  private readonly random: () => number;

  constructor(
    private readonly ec2: SimulatedEc2,
    private readonly options: DemoFleetOptions,
  ) {
    this.random = seededRandom(options.seed);
  }

  instance(
    spec: Omit<FleetInstance, 'instanceId' | 'volumes'> & { volumes: Omit<FleetVolume, 'volumeId'>[] },
  ) {
    const { tagKey } = this.options;
    const seeded = this.ec2.addInstance({
      ...(spec.name !== undefined && { name: spec.name }),
      tags: { [tagKey]: spec.tagValue },
      volumes: spec.volumes.map((v) => ({
        tags: {
          ...(v.name !== undefined && { Name: v.name }),
          ...(v.tagValue !== undefined && { [tagKey]: v.tagValue }),
        },
      })),
    });
    const instance: FleetInstance = {
      instanceId: seeded.instanceId,
      ...spec,
      volumes: spec.volumes.map((v, i) => ({ volumeId: seeded.volumeIds[i], ...v })),
    };
    this.instances.push(instance);
    return instance;
  }

  /** Multi-attach: the volume is also attached to the instance with that name. */
  attach(volume: FleetVolume, instanceName: string): void {
    const other = this.instances.find((i) => i.name === instanceName);
    if (!other) throw new Error(`No demo instance named ${instanceName}`);
    this.ec2.attachVolume(volume.volumeId, other.instanceId);
    other.volumes.push(volume);
  }

  /**
   * Earlier daily backups made by this deployment (marker and volume tags, as §2.2 writes them),
   * one a day before the start, oldest first. Returns their IDs, oldest first.
   */
  history(
    instance: FleetInstance,
    volumeIndex: number,
    count: number,
    generations = Number(instance.tagValue),
  ) {
    const { volumeId } = instance.volumes[volumeIndex];
    const ids: string[] = [];
    for (let daysBefore = count; daysBefore >= 1; daysBefore--) {
      const startTime = this.options.start - daysBefore * DAY;
      const executionName = `earlier-run-${new Date(startTime).toISOString().slice(0, 10)}`;
      const tags = snapshotTags({
        managedBy: this.options.managedBy,
        executionName,
        runId: `${executionName}-key`,
        volumeId,
        instanceId: instance.instanceId,
        ...(instance.name !== undefined && { instanceName: instance.name }),
        generations,
      });
      ids.push(
        this.ec2.addSnapshot({
          volumeId,
          description: snapshotDescription(volumeId, instance.name),
          startTime,
          tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
        }),
      );
    }
    return ids;
  }

  /** `count` instances named fleet-NNN (one in ten unnamed), N 1…5, 1…3 volumes, some history. */
  generate(count: number): void {
    const pick = (max: number) => 1 + Math.floor(this.random() * max);
    for (let i = 1; i <= count; i++) {
      const label = `fleet-${String(i).padStart(3, '0')}`;
      const generations = pick(5);
      const instance = this.instance({
        ...(this.random() >= 0.1 && { name: label }),
        tagValue: String(generations),
        generated: true,
        volumes: Array.from({ length: pick(3) }, (_, v) => ({
          name: v === 0 ? `${label}-root` : `${label}-data${v}`,
        })),
      });
      const earlier = Math.floor(this.random() * (generations + 3));
      if (earlier > 0) this.history(instance, 0, earlier);
    }
  }
}

/** A small seeded generator (xorshift32), so `--fleet` builds the same fleet for the same seed. */
function seededRandom(seed: number): () => number {
  let state = (seed ^ 0x2545f491) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
