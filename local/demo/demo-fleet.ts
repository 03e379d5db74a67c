import { snapshotDescription } from '../../lambdas/core/description';
import { copyTags, SnapshotTag, type SnapshotTagInput, snapshotTags } from '../../lambdas/core/snapshot-tags';
import type { SimulatedEc2 } from '../simulated-account';
import type { CopyRow, FinalCopies, FinalGeneration, UnmanagedSnapshot, VolumeRow } from './report-view';

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
  /** The volume's own copy tag (an override), if any. */
  copyTagValue?: string;
}

export interface FleetInstance {
  instanceId: string;
  name?: string;
  /** The instance's generation tag value, as written. */
  tagValue: string;
  /** The instance's copy tag value (SPEC §10.2), as written; absent: no copies. */
  copyTagValue?: string;
  /** The instance's consistency tag value (SPEC §12.1), as written; absent: `volume`. */
  consistency?: string;
  /** An SSM managed node (the scripts of `application` mode run there); its pre-script fails when `failingPreScript`. */
  managedNode?: { failingPreScript?: string };
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
  /** The instance tag naming an instance's consistency mode (SPEC §12.1). */
  consistencyTagKey: string;
  managedBy: string;
  /** Epoch ms of the first run: history is seeded before it. */
  start: number;
  /** Generated instances added after the demo ones. */
  generated: number;
  seed: number;
  /** The deployment's copy regions and their EC2 (copies seeded there); absent: no copies. */
  copies?: DemoCopies;
}

export interface DemoCopies {
  tagKey: string;
  /** The deployment's own region: the copies' source region. */
  sourceRegion: string;
  regions: readonly string[];
  ec2In: (region: string) => SimulatedEc2;
}

const DAY = 24 * 3_600_000;

export function seedDemoFleet(ec2: SimulatedEc2, options: DemoFleetOptions): DemoFleet {
  const fleet = new FleetBuilder(ec2, options);

  const copies = options.copies?.regions.length ? options.copies : undefined;
  const web = fleet.instance({
    name: 'web',
    tagValue: '2',
    ...(copies && { copyTagValue: '2' }),
    shows: copies
      ? `N=2; 4 older generations on web-root are pruned on day 1; web-data is excluded by its own tag 0; 2 copies in each copy region: ${copies.regions[0]} holds 3 older copies, pruned to 2 on day 1`
      : 'N=2; 4 older generations on web-root are pruned on day 1; web-data is excluded by its own tag 0',
    volumes: [{ name: 'web-root' }, { name: 'web-data', tagValue: '0' }],
  });
  const webHistory = fleet.history(web, 0, 4);
  if (copies) fleet.copyHistory(web, 0, copies.regions[0], webHistory.slice(-3), 2);
  // The original recipe's snapshot: same description, no tags. Not this deployment's: never deleted.
  ec2.addSnapshot({
    volumeId: web.volumes[0].volumeId,
    description: snapshotDescription(web.volumes[0].volumeId, web.name),
    startTime: options.start - 30 * DAY,
  });

  fleet.instance({
    name: 'db',
    tagValue: '3',
    ...(copies && { copyTagValue: '1' }),
    shows: copies
      ? 'N=3 grows one generation a day; db-data overrides it with its own tag 1; 1 copy of each volume in each copy region, but db-data opts out with its own copy tag 0'
      : 'N=3 grows one generation a day; db-data overrides it with its own tag 1',
    volumes: [{ name: 'db-root' }, { name: 'db-data', tagValue: '1', ...(copies && { copyTagValue: '0' }) }],
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
    ...(copies && { copyTagValue: 'two' }),
    shows: copies
      ? 'its oldest generation backs an AMI: deletion skipped with the reason, every day; its copy tag "two" is invalid: backed up here, no copies, reported'
      : 'its oldest generation backs an AMI: deletion skipped with the reason, every day',
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

  fleet.instance({
    name: 'pg',
    tagValue: '3',
    consistency: 'instance',
    shows:
      'instance mode: pg-root, pg-data and pg-wal in one crash-consistent set a day (one CreateSnapshots call, one StartTime); pg-wal keeps its own N 2; pg-scratch is left out by its own tag 0',
    volumes: [
      { name: 'pg-root' },
      { name: 'pg-data' },
      { name: 'pg-wal', tagValue: '2' },
      { name: 'pg-scratch', tagValue: '0' },
    ],
  });
  fleet.instance({
    name: 'mysql',
    tagValue: '2',
    consistency: 'application',
    managedNode: {},
    shows:
      'application mode: its pre-script (freeze) and post-script (thaw) run through SSM Run Command around the set',
    volumes: [{ name: 'mysql-root' }, { name: 'mysql-data' }],
  });
  fleet.instance({
    name: 'mongo',
    tagValue: '2',
    consistency: 'application',
    managedNode: { failingPreScript: 'mongo: fsyncLock failed: not primary' },
    shows:
      'application mode whose pre-script fails every day: the set is taken crash-consistent all the same, the post-script still runs, the run names mongo and its volumes (PreScriptFailed)',
    volumes: [{ name: 'mongo-root' }, { name: 'mongo-data' }],
  });

  fleet.generate(options.generated);
  return { instances: fleet.instances };
}

/** The volume an ID or a volume Name tag designates, if the fleet has it. */
export function findFleetVolume(fleet: DemoFleet, idOrName: string): string | undefined {
  const volumes = fleet.instances.flatMap((instance) => instance.volumes);
  return volumes.find((v) => v.volumeId === idOrName || v.name === idOrName)?.volumeId;
}

/** The demo fleet, one instance and its volumes at a time, with the rule each shows. */
export function fleetText(
  fleet: DemoFleet,
  tagKey: string,
  copyTagKey?: string,
  consistencyTagKey?: string,
): string {
  const lines = ['Demo fleet:'];
  const own = (v: FleetVolume) =>
    [
      v.tagValue !== undefined ? `own tag ${JSON.stringify(v.tagValue)}` : '',
      v.copyTagValue !== undefined ? `own copy tag ${JSON.stringify(v.copyTagValue)}` : '',
    ].filter(Boolean);
  for (const instance of fleet.instances.filter((i) => !i.generated)) {
    const volumes = instance.volumes.map((v) => {
      const tags = own(v);
      return `${v.name ?? '(no Name)'} ${v.volumeId}${tags.length > 0 ? ` [${tags.join(', ')}]` : ''}`;
    });
    const copyTag =
      copyTagKey !== undefined && instance.copyTagValue !== undefined
        ? `  ${copyTagKey}=${JSON.stringify(instance.copyTagValue)}`
        : '';
    const mode =
      consistencyTagKey !== undefined && instance.consistency !== undefined
        ? `  ${consistencyTagKey}=${JSON.stringify(instance.consistency)}`
        : '';
    lines.push(
      `  ${(instance.name ?? '(no Name)').padEnd(9)} ${instance.instanceId}  ${tagKey}=${JSON.stringify(instance.tagValue)}${copyTag}${mode}`,
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
    const copyTagKey = this.options.copies?.tagKey ?? '';
    const seeded = this.ec2.addInstance({
      ...(spec.name !== undefined && { name: spec.name }),
      tags: {
        [tagKey]: spec.tagValue,
        ...(spec.copyTagValue !== undefined && { [copyTagKey]: spec.copyTagValue }),
        ...(spec.consistency !== undefined && { [this.options.consistencyTagKey]: spec.consistency }),
      },
      volumes: spec.volumes.map((v) => ({
        tags: {
          ...(v.name !== undefined && { Name: v.name }),
          ...(v.tagValue !== undefined && { [tagKey]: v.tagValue }),
          ...(v.copyTagValue !== undefined && { [copyTagKey]: v.copyTagValue }),
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
      const tags = snapshotTags(this.earlierRun(instance, volumeId, startTime, generations));
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

  /** The tag input of a snapshot an earlier daily run made at `startTime`. */
  private earlierRun(
    instance: FleetInstance,
    volumeId: string,
    startTime: number,
    generations: number,
  ): SnapshotTagInput {
    const executionName = `earlier-run-${new Date(startTime).toISOString().slice(0, 10)}`;
    return {
      managedBy: this.options.managedBy,
      executionName,
      runId: `${executionName}-key`,
      volumeId,
      instanceId: instance.instanceId,
      ...(instance.name !== undefined && { instanceName: instance.name }),
      generations,
    };
  }

  /**
   * Earlier copies of the given home snapshots in a copy region, as CopySnapshot made them
   * (§10.3 tags, one a day before the start), oldest first.
   */
  copyHistory(
    instance: FleetInstance,
    volumeIndex: number,
    region: string,
    sources: readonly string[],
    copyGenerations: number,
  ): void {
    const copies = this.options.copies;
    if (!copies) throw new Error('The demo fleet has no copy regions to seed copies in');
    const { volumeId } = instance.volumes[volumeIndex];
    sources.forEach((sourceSnapshotId, index) => {
      const startTime = this.options.start - (sources.length - index) * DAY + 3_600_000;
      const tags = copyTags({
        ...this.earlierRun(instance, volumeId, startTime, copyGenerations),
        sourceSnapshotId,
        sourceRegion: copies.sourceRegion,
      });
      copies.ec2In(region).addSnapshot({
        // EC2 gives a copy an arbitrary source volume ID.
        volumeId: 'vol-ffffffff',
        description: snapshotDescription(volumeId, instance.name),
        startTime,
        tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      });
    });
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

/**
 * Each volume's copies in each copy region after a run: this deployment's completed copies made
 * from this region (SPEC §10.4's family), against the copy N of the last run.
 */
export function fleetCopies(
  copies: DemoCopies,
  fleet: DemoFleet,
  lastRun: readonly CopyRow[],
  managedBy: string,
): FinalCopies[] {
  const rowOf = new Map(lastRun.map((row) => [`${row.volumeId} ${row.region}`, row]));
  const nameOf = new Map(fleet.instances.flatMap((i) => i.volumes.map((v) => [v.volumeId, v.name])));
  const counted = new Map<string, Map<string, { completed: number; other: number }>>();
  for (const region of copies.regions) {
    const byVolume = new Map<string, { completed: number; other: number }>();
    counted.set(region, byVolume);
    for (const snapshot of copies.ec2In(region).allSnapshots()) {
      const tags = Object.fromEntries((snapshot.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      if (tags[SnapshotTag.managedBy] !== managedBy || tags[SnapshotTag.sourceRegion] !== copies.sourceRegion)
        continue;
      const volumeId = tags[SnapshotTag.volumeId];
      const counts = byVolume.get(volumeId) ?? { completed: 0, other: 0 };
      if (snapshot.State === 'completed') counts.completed += 1;
      else counts.other += 1;
      byVolume.set(volumeId, counts);
    }
  }
  // The fleet's order, each volume in every region where it has copies.
  const result: FinalCopies[] = [];
  for (const volumeId of new Set(fleet.instances.flatMap((i) => i.volumes.map((v) => v.volumeId)))) {
    for (const region of copies.regions) {
      const counts = counted.get(region)?.get(volumeId);
      if (counts === undefined) continue;
      const row = rowOf.get(`${volumeId} ${region}`);
      const name = nameOf.get(volumeId);
      const notCompleted = counts.other > 0 ? `, ${counts.other} pending or in error` : '';
      const n = row?.copyGenerations;
      let status: string;
      if (row === undefined || n === undefined)
        status = `no copies asked for: ${counts.completed} left alone`;
      else if (row.outcome === 'failed') status = `last copy failed: older copies kept${notCompleted}`;
      else if (counts.completed === n) status = `= N${notCompleted}`;
      else if (counts.completed < n) status = `growing toward N (one more a day)${notCompleted}`;
      else status = `${counts.completed - n} over N${notCompleted}`;
      result.push({
        volumeId,
        ...(name !== undefined && { volumeName: name }),
        region,
        ...(n !== undefined && { copyGenerations: n }),
        copies: counts.completed,
        notCompleted: counts.other,
        status,
      });
    }
  }
  return result;
}
