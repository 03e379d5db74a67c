import type { Tag } from '@aws-sdk/client-ec2';
import {
  type AttachmentRecord,
  availabilityZonesOf,
  COPY_VOLUME_ID,
  type InstanceRecord,
  type SettledSnapshotState,
  SIMULATED_ACCOUNT_ID,
  type SnapshotRecord,
  type VolumeRecord,
} from './ec2-records';
import { ResourceIds } from './resource-ids';
import type { SimulatedKms } from './simulated-kms';
import { SnapshotIndex } from './snapshot-index';
import { snapshotState } from './snapshot-lifecycle';

/** How the snapshots CreateSnapshot makes of one volume end; see SimulatedEc2.setSnapshotOutcome. */
export type SnapshotOutcome = SettledSnapshotState | 'stuck-pending';

/** The snapshots one CreateSnapshots call made of an instance's volumes: one set, one StartTime. */
export interface SnapshotSetRecord {
  readonly instanceId: string;
  readonly startTime: number;
  readonly snapshotIds: readonly string[];
}

interface OutcomePlan {
  readonly outcome: SnapshotOutcome;
  /** Default the delay of what is made: a snapshot's or a copy's. */
  readonly completionDelayMs: number | undefined;
}

/** What an Ec2State is made with; see SimulatedEc2Options. */
export interface Ec2StateSettings {
  readonly region: string;
  /** Which id space of the account this Region hands out ids from (ResourceIds). */
  readonly idSpace: number;
  readonly now: () => number;
  readonly completionDelayMs: number;
  readonly copyCompletionDelayMs: number;
  readonly visibilityLagMs: number;
  /** The account's KMS keys, of which this Region uses its own. */
  readonly kms: SimulatedKms;
}

/**
 * The account's resources, shared by the seeding API and the API actions. Internal to the
 * simulator: tests and product code see the account only through SimulatedEc2 and the client.
 * Snapshots, attachments and snapshot tags change only through the methods here, which keep
 * the indexes that make lookups cheap at 10,000 volumes.
 */
export class Ec2State {
  readonly region: string;
  readonly availabilityZones: readonly string[];
  readonly now: () => number;
  /** How long a snapshot CreateSnapshot makes stays invisible to DescribeSnapshots. */
  visibilityLagMs: number;
  readonly instances = new Map<string, InstanceRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly snapshotIndex = new SnapshotIndex();
  /** AMI id → the snapshot it was registered from. */
  readonly images = new Map<string, string>();
  /** Volume id → when the last CreateSnapshot of it succeeded, for EC2's 15 s per-volume rule. */
  readonly lastSnapshotAt = new Map<string, number>();
  readonly ids: ResourceIds;
  /** Every set CreateSnapshots made, in the order it made them (ground truth for assertions). */
  readonly snapshotSets: SnapshotSetRecord[] = [];
  /** CreateVolume's ClientToken → the volume it made and the request that made it. */
  readonly volumeTokens = new Map<string, { readonly volumeId: string; readonly request: string }>();
  private readonly outcomes = new Map<string, OutcomePlan>();
  /** Instance id → ids of the volumes attached to it. */
  private readonly attached = new Map<string, Set<string>>();

  private readonly completionDelayMs: number;
  private readonly copyCompletionDelayMs: number;
  private readonly kms: SimulatedKms;
  /** Copies made here that were pending when last looked at. */
  private readonly pendingCopies = new Set<SnapshotRecord>();

  constructor(settings: Ec2StateSettings) {
    this.region = settings.region;
    this.availabilityZones = availabilityZonesOf(settings.region);
    this.ids = new ResourceIds(settings.idSpace);
    this.now = settings.now;
    this.completionDelayMs = settings.completionDelayMs;
    this.copyCompletionDelayMs = settings.copyCompletionDelayMs;
    this.visibilityLagMs = settings.visibilityLagMs;
    this.kms = settings.kms;
  }

  /** ARN of this Region's default KMS key for EBS. */
  defaultKmsKey(): string {
    return this.kms.defaultEbsKey(this.region);
  }

  /** ARN of the key a KmsKeyId names in this Region; undefined if it names none here. */
  kmsKey(kmsKeyId: string): string | undefined {
    return this.kms.resolve(this.region, kmsKeyId);
  }

  // The require* lookups serve the seeding API: a missing resource there is a bug in the test,
  // so they throw plain errors, not EC2 ones.

  requireInstance(instanceId: string): InstanceRecord {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`No instance ${instanceId}`);
    return instance;
  }

  requireVolume(volumeId: string): VolumeRecord {
    const volume = this.volumes.get(volumeId);
    if (!volume) throw new Error(`No volume ${volumeId}`);
    return volume;
  }

  requireSnapshot(snapshotId: string): SnapshotRecord {
    const snapshot = this.snapshots.get(snapshotId);
    if (!snapshot) throw new Error(`No snapshot ${snapshotId}`);
    return snapshot;
  }

  requireTaggable(resourceId: string): InstanceRecord | VolumeRecord | SnapshotRecord {
    const resource =
      this.instances.get(resourceId) ?? this.volumes.get(resourceId) ?? this.snapshots.get(resourceId);
    if (!resource) throw new Error(`No instance, volume or snapshot ${resourceId}`);
    return resource;
  }

  /** A new id the counter hands out, skipping any a test chose itself. */
  unusedId(prefix: 'i' | 'vol', taken: ReadonlyMap<string, unknown>): string {
    let id = this.ids.next(prefix);
    while (taken.has(id)) id = this.ids.next(prefix);
    return id;
  }

  volumesAttachedTo(instanceId: string): VolumeRecord[] {
    return [...(this.attached.get(instanceId) ?? [])].map(
      (volumeId) => this.volumes.get(volumeId) as VolumeRecord,
    );
  }

  attach(volume: VolumeRecord, attachment: AttachmentRecord): void {
    volume.attachments.push(attachment);
    volume.multiAttachEnabled ||= volume.attachments.length > 1;
    let volumeIds = this.attached.get(attachment.instanceId);
    if (!volumeIds) {
      volumeIds = new Set();
      this.attached.set(attachment.instanceId, volumeIds);
    }
    volumeIds.add(volume.volumeId);
  }

  detach(volume: VolumeRecord, instanceId: string): void {
    volume.attachments = volume.attachments.filter((attachment) => attachment.instanceId !== instanceId);
    this.attached.get(instanceId)?.delete(volume.volumeId);
  }

  deleteVolume(volume: VolumeRecord): void {
    for (const { instanceId } of volume.attachments) this.detach(volume, instanceId);
    this.volumes.delete(volume.volumeId);
  }

  addSnapshot(snapshot: SnapshotRecord): void {
    this.snapshots.set(snapshot.snapshotId, snapshot);
    this.snapshotIndex.add(snapshot);
  }

  deleteSnapshot(snapshot: SnapshotRecord): void {
    this.snapshots.delete(snapshot.snapshotId);
    this.snapshotIndex.remove(snapshot);
  }

  /** Replaces a resource's tags (keeping the snapshot index in step). */
  retag(resource: InstanceRecord | VolumeRecord | SnapshotRecord, tags: Tag[]): void {
    // Only snapshots have an owner (a volume has a snapshotId too: the one it was made from).
    const isSnapshot = 'ownerId' in resource;
    if (isSnapshot) this.snapshotIndex.remove(resource);
    resource.tags = tags;
    if (isSnapshot) this.snapshotIndex.add(resource);
  }

  /** Whether DescribeSnapshots sees the snapshot yet; nothing else in the API waits for it. */
  isVisible(snapshot: SnapshotRecord, now: number): boolean {
    return snapshot.visibleAt <= now;
  }

  /** Plans the fate of snapshots and copies of the volume's data made here from now on. */
  planOutcome(volumeId: string, outcome: SnapshotOutcome, completionDelayMs?: number): void {
    this.outcomes.set(volumeId, { outcome, completionDelayMs });
  }

  /**
   * A new pending snapshot as CreateSnapshot makes it. Its fate (outcome and when) and the
   * moment it becomes visible are fixed now, from the volume's plan and the lag at this moment,
   * so changing either later never rewrites history.
   */
  newSnapshot(volume: VolumeRecord, description: string, tags: Tag[]): SnapshotRecord {
    return this.addNew(
      snapshotOf(volume, description, tags),
      this.outcomes.get(volume.volumeId),
      this.completionDelayMs,
    );
  }

  /**
   * One pending snapshot per volume as CreateSnapshots makes them, all with one StartTime. EBS
   * manages a set's snapshots together: "if any one snapshot for the volume set fails, all of the
   * other snapshots display an error status"
   * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ebs-creating-snapshot.html, "Multi-volume
   * snapshots"). So the set settles as one: when its slowest volume's plan settles, in `error` if
   * any volume's plan is `error`, and never if any is `stuck-pending`.
   */
  newSnapshotSet(
    instanceId: string,
    members: readonly { readonly volume: VolumeRecord; readonly description: string; readonly tags: Tag[] }[],
  ): SnapshotRecord[] {
    const startTime = this.now();
    const plans = members.map(({ volume }) => this.outcomes.get(volume.volumeId));
    const outcomes = plans.map((plan) => plan?.outcome ?? 'completed');
    const delayMs = Math.max(...plans.map((plan) => plan?.completionDelayMs ?? this.completionDelayMs));
    const shared: OutcomePlan = {
      outcome: outcomes.includes('stuck-pending')
        ? 'stuck-pending'
        : outcomes.includes('error')
          ? 'error'
          : 'completed',
      completionDelayMs: delayMs,
    };
    const snapshots = members.map(({ volume, description, tags }) =>
      this.addNew(snapshotOf(volume, description, tags), shared, this.completionDelayMs, startTime),
    );
    this.snapshotSets.push({ instanceId, startTime, snapshotIds: snapshots.map((s) => s.snapshotId) });
    return snapshots;
  }

  /**
   * A new pending copy as CopySnapshot makes it here, in its destination Region. Its fate follows
   * the plan for the source's volume in this Region (setSnapshotOutcome), with the copy delay
   * unless the plan gives one; `failure` makes it fail at once with that state message.
   */
  newCopy(
    source: SnapshotRecord,
    copy: Pick<SnapshotRecord, 'description' | 'tags' | 'encrypted' | 'kmsKeyId'>,
    failure: string | undefined,
  ): SnapshotRecord {
    const plan: OutcomePlan | undefined =
      failure === undefined ? this.outcomes.get(source.volumeId) : { outcome: 'error', completionDelayMs: 0 };
    const snapshot = this.addNew(
      { ...copy, volumeId: COPY_VOLUME_ID, volumeSize: source.volumeSize, stateMessage: failure },
      plan,
      this.copyCompletionDelayMs,
    );
    this.pendingCopies.add(snapshot);
    return snapshot;
  }

  /** How many copies made here are still pending (EBS's concurrent snapshot copies). */
  pendingCopyCount(): number {
    const now = this.now();
    for (const copy of this.pendingCopies) {
      if (!this.snapshots.has(copy.snapshotId) || snapshotState(copy, now) !== 'pending') {
        this.pendingCopies.delete(copy);
      }
    }
    return this.pendingCopies.size;
  }

  private addNew(
    fields: Pick<
      SnapshotRecord,
      'volumeId' | 'volumeSize' | 'description' | 'tags' | 'encrypted' | 'kmsKeyId'
    > & {
      readonly stateMessage?: string;
    },
    plan: OutcomePlan | undefined,
    defaultDelayMs: number,
    startTime: number = this.now(),
  ): SnapshotRecord {
    const outcome = plan?.outcome ?? 'completed';
    const delayMs = plan?.completionDelayMs ?? defaultDelayMs;
    const snapshot: SnapshotRecord = {
      ...fields,
      stateMessage: fields.stateMessage,
      snapshotId: this.ids.next('snap'),
      ownerId: SIMULATED_ACCOUNT_ID,
      startTime,
      settlesAt: outcome === 'stuck-pending' ? undefined : startTime + delayMs,
      outcome: outcome === 'error' ? 'error' : 'completed',
      forcedState: undefined,
      usedByImage: undefined,
      visibleAt: startTime + this.visibilityLagMs,
    };
    this.addSnapshot(snapshot);
    return snapshot;
  }
}

/** The fields a new snapshot of the volume takes from it. */
function snapshotOf(volume: VolumeRecord, description: string, tags: Tag[]) {
  return {
    volumeId: volume.volumeId,
    volumeSize: volume.sizeGiB,
    description,
    tags,
    // A snapshot of an encrypted volume is encrypted with the volume's key
    // (https://docs.aws.amazon.com/ebs/latest/userguide/how-ebs-encryption-works.html: "All
    // snapshots created from the volume" are encrypted).
    encrypted: volume.encrypted,
    kmsKeyId: volume.kmsKeyId,
  };
}
