import type {
  CopySnapshotRequest,
  CopySnapshotResult,
  CreateSnapshotRequest,
  CreateSnapshotsRequest,
  CreateSnapshotsResult,
  CreateTagsRequest,
  CreateVolumeRequest,
  DeleteSnapshotRequest,
  DescribeInstancesRequest,
  DescribeInstancesResult,
  DescribeSnapshotsRequest,
  DescribeSnapshotsResult,
  DescribeVolumesRequest,
  DescribeVolumesResult,
  Instance,
  InstanceStateName,
  Snapshot,
  Volume,
} from '@aws-sdk/client-ec2';
import { CONCURRENT_COPY_LIMIT } from '../../lambdas/contracts/deployment';
import { type CallCounts, CallLog, type CallOutcome } from './call-log';
import type { CompetingCallerSpec, CompetingCalls } from './competing-caller';
import type { Ec2Action } from './ec2-actions';
import { copySnapshot } from './ec2-copy-snapshot';
import { createSnapshots } from './ec2-create-snapshots';
import { createVolume } from './ec2-create-volume';
import { type DescribeSettings, describeInstances, describeSnapshots, describeVolumes } from './ec2-describe';
import { ec2Error } from './ec2-errors';
import { createSnapshot, createTags, deleteSnapshot } from './ec2-mutations';
import { DEFAULT_REGION, isRegionName, type SnapshotRecord } from './ec2-records';
import {
  attachVolume,
  deregisterImage,
  type InstanceSeed,
  registerImage,
  type SeededInstance,
  type SnapshotSeed,
  seedInstance,
  seedSnapshot,
  seedVolume,
  type VolumeSeed,
} from './ec2-seeding';
import { toInstance, toSnapshot, toVolume } from './ec2-shapes';
import { Ec2State, type SnapshotOutcome } from './ec2-state';
import { mergedTags, type TagMap, tagsFromMap } from './ec2-tags';
import { type CallSubject, FaultInjector, type FaultSpec, HungResponse } from './fault-injector';
import { RateLimiter, type RateLimits, type RequestShape } from './rate-limits';
import { SimulatedKms } from './simulated-kms';

export interface SimulatedEc2Options {
  /** Epoch ms; read on every use, so a fake clock installed later is honoured. Default Date.now(). */
  readonly now?: () => number;
  /** The Region this EC2 is in (Availability Zones, a connected client's region). Default us-east-1. */
  readonly region?: string;
  /** How long a new snapshot stays pending; 0 completes it at the next read. Default 5 minutes. */
  readonly completionDelayMs?: number;
  /**
   * How long a copy CopySnapshot makes in this Region stays pending (a copy takes as long as its
   * data takes to move, not its source's snapshot time). Default 10 minutes.
   */
  readonly copyCompletionDelayMs?: number;
  /**
   * Copies that may be pending in this Region at once before CopySnapshot answers
   * `ResourceLimitExceeded`. Default CONCURRENT_COPY_LIMIT (20, EBS's quota "Concurrent snapshot
   * copies per destination Region").
   */
  readonly concurrentCopyLimit?: number;
  /** Caps every Describe page whatever MaxResults says, to make callers walk many pages. */
  readonly maxPageSize?: number;
  /** EC2 token buckets (e.g. EC2_DEFAULT_RATE_LIMITS); default none, nothing is throttled. */
  readonly rateLimits?: RateLimits;
  /** Seed of the generator behind probabilistic faults. Default 1. */
  readonly seed?: number;
  /**
   * Models an EC2-compatible endpoint that accepts `tag:<key>` and `tag-key` filters on
   * DescribeInstances, DescribeVolumes and DescribeSnapshots but does not apply them (other
   * filters, `OwnerIds` and ids still apply). EC2 itself applies them; compatible endpoints
   * implement only as much of the filter grammar as they chose to. SPEC §9.2 lets the product
   * target such endpoints and §2.4 makes it check every snapshot client-side whatever the
   * server-side filters returned: with this on, a test proves nothing foreign is touched.
   * Default false.
   */
  readonly ignoreTagFilters?: boolean;
  /**
   * EC2's API is eventually consistent: a resource just created may not show in Describe calls
   * yet, and a call naming its id may answer `…NotFound`
   * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). For this long
   * after CreateSnapshot made it, a snapshot is absent from DescribeSnapshots listings and naming
   * it in `SnapshotIds` answers `InvalidSnapshot.NotFound`. Every other action (DeleteSnapshot,
   * CreateTags) and the query helpers (`snapshot`, `snapshotsOf`, `allSnapshots`, the ground
   * truth for assertions) see it at once; so do seeded snapshots. Default 0; see setVisibilityLag.
   */
  readonly visibilityLagMs?: number;
  /**
   * How long each call of an action takes, in ms of the (possibly virtual) clock: the client's
   * promise settles that long after the call, and the call takes effect at its end. Default 0
   * for every action: calls answer at once.
   */
  readonly callLatencyMs?: Readonly<Partial<Record<Ec2Action, number>>>;
}

const DEFAULT_COMPLETION_DELAY_MS = 5 * 60_000;
const DEFAULT_COPY_COMPLETION_DELAY_MS = 10 * 60_000;

/**
 * How a Region's EC2 reaches the rest of its account; SimulatedAccount sets it. A SimulatedEc2
 * made on its own is an account of one Region with its own KMS keys.
 */
export interface AccountLink {
  /** Which id space of the account the Region hands out ids from (no two Regions share one). */
  readonly idSpace: number;
  /** Another Region's EC2 if the account has it, without creating it. */
  readonly regionIfPresent: (region: string) => SimulatedEc2 | undefined;
  readonly kms: SimulatedKms;
}

/**
 * A stateful in-memory EC2, one Region of an account. Seed it with instances, volumes and
 * snapshot history, drive snapshot lifecycles and faults from the test, and answer the API
 * actions (through `connectEc2`) with EC2's shapes, errors, filters, paging and throttling.
 */
export class SimulatedEc2 {
  readonly region: string;
  private readonly state: Ec2State;
  private readonly account: AccountLink;
  private readonly describeSettings: DescribeSettings;
  private readonly limiter: RateLimiter;
  private readonly faults: FaultInjector;
  private readonly log = new CallLog();
  private readonly latencies: Readonly<Partial<Record<Ec2Action, number>>>;
  private readonly concurrentCopyLimit: number;

  constructor(options: SimulatedEc2Options = {}, account?: AccountLink) {
    const now = options.now ?? (() => Date.now());
    this.region = options.region ?? DEFAULT_REGION;
    if (!isRegionName(this.region)) throw new Error(`region must be a Region code, got ${this.region}`);
    this.account = account ?? {
      idSpace: 0,
      regionIfPresent: (region) => (region === this.region ? this : undefined),
      kms: new SimulatedKms(),
    };
    const {
      maxPageSize,
      completionDelayMs = DEFAULT_COMPLETION_DELAY_MS,
      copyCompletionDelayMs = DEFAULT_COPY_COMPLETION_DELAY_MS,
      concurrentCopyLimit = CONCURRENT_COPY_LIMIT,
    } = options;
    if (maxPageSize !== undefined && !(Number.isInteger(maxPageSize) && maxPageSize >= 1)) {
      throw new Error(`maxPageSize must be a positive integer, got ${maxPageSize}`);
    }
    if (!(completionDelayMs >= 0)) {
      throw new Error(`completionDelayMs must be >= 0, got ${completionDelayMs}`);
    }
    if (!(copyCompletionDelayMs >= 0)) {
      throw new Error(`copyCompletionDelayMs must be >= 0, got ${copyCompletionDelayMs}`);
    }
    if (!(Number.isInteger(concurrentCopyLimit) && concurrentCopyLimit >= 0)) {
      throw new Error(`concurrentCopyLimit must be an integer >= 0, got ${concurrentCopyLimit}`);
    }
    this.concurrentCopyLimit = concurrentCopyLimit;
    this.state = new Ec2State({
      region: this.region,
      idSpace: this.account.idSpace,
      now,
      completionDelayMs,
      copyCompletionDelayMs,
      visibilityLagMs: validLag(options.visibilityLagMs ?? 0),
      kms: this.account.kms,
    });
    this.describeSettings = { maxPageSize, filters: { ignoreTagFilters: options.ignoreTagFilters ?? false } };
    this.limiter = new RateLimiter(options.rateLimits, now);
    this.faults = new FaultInjector(options.seed ?? 1);
    this.latencies = options.callLatencyMs ?? {};
  }

  // ---- Seeding: build the account a test or demo starts from. Errors here are test bugs. ----

  addInstance(seed: InstanceSeed = {}): SeededInstance {
    return seedInstance(this.state, seed);
  }

  /** A new volume, attached to `instanceId` when given, else available. */
  addVolume(seed: VolumeSeed & { readonly instanceId?: string } = {}): string {
    return seedVolume(this.state, seed);
  }

  /** Attaches a volume; attaching one already attached elsewhere makes it multi-attach. */
  attachVolume(
    volumeId: string,
    instanceId: string,
    options: { readonly deleteOnTermination?: boolean } = {},
  ): void {
    attachVolume(this.state, volumeId, instanceId, options);
  }

  detachVolume(volumeId: string, instanceId: string): void {
    this.state.detach(this.state.requireVolume(volumeId), instanceId);
  }

  /** Makes a volume vanish (detached and deleted); its snapshots remain, as in EC2. */
  deleteVolume(volumeId: string): void {
    this.state.deleteVolume(this.state.requireVolume(volumeId));
  }

  setInstanceState(instanceId: string, state: InstanceStateName): void {
    this.state.requireInstance(instanceId).state = state;
  }

  /** Adds or overwrites tags on an instance, volume or snapshot (e.g. a user changing generations). */
  tag(resourceId: string, tags: TagMap): void {
    const resource = this.state.requireTaggable(resourceId);
    this.state.retag(resource, mergedTags(resource.tags, tagsFromMap(tags)));
  }

  untag(resourceId: string, keys: readonly string[]): void {
    const resource = this.state.requireTaggable(resourceId);
    this.state.retag(
      resource,
      resource.tags.filter((tag) => !keys.includes(tag.Key ?? '')),
    );
  }

  /** Existing history: earlier backups, users' own snapshots, other accounts' shared snapshots. */
  addSnapshot(seed: SnapshotSeed): string {
    return seedSnapshot(this.state, seed);
  }

  /** Registers an AMI backed by the snapshot, which EC2 then refuses to delete. Returns the AMI id. */
  registerImage(snapshotId: string): string {
    return registerImage(this.state, snapshotId);
  }

  deregisterImage(imageId: string): void {
    deregisterImage(this.state, imageId);
  }

  // ---- Snapshot lifecycle under test control. ----

  /**
   * How snapshots CreateSnapshot makes of this volume from now on end: `completed` or `error`
   * after the completion delay (the simulator's, or the one given), or `stuck-pending` forever.
   * The same plan, made in a copy's destination Region, decides how the copies CopySnapshot makes
   * there of this volume's snapshots end (after the copy delay unless one is given).
   * Snapshots and copies already made keep the fate they were given at creation.
   */
  setSnapshotOutcome(
    volumeId: string,
    outcome: SnapshotOutcome,
    options: { readonly completionDelayMs?: number } = {},
  ): void {
    this.state.planOutcome(volumeId, outcome, options.completionDelayMs);
  }

  /**
   * Changes the visibility lag (SimulatedEc2Options.visibilityLagMs) for snapshots made from now
   * on; each snapshot already made keeps the moment it becomes visible.
   */
  setVisibilityLag(ms: number): void {
    this.state.visibilityLagMs = validLag(ms);
  }

  completeSnapshot(snapshotId: string): void {
    this.state.requireSnapshot(snapshotId).forcedState = 'completed';
  }

  failSnapshot(snapshotId: string): void {
    this.state.requireSnapshot(snapshotId).forcedState = 'error';
  }

  // ---- Faults, throttling and call accounting. ----

  injectFault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Calls per action so far, split by what the caller saw. */
  calls(): Record<Ec2Action, CallCounts> {
    return this.log.snapshot();
  }

  /**
   * Another tool of the account calling `spec.action` on a clock against the same bucket (see
   * CompetingCaller); needs `rateLimits` with a bucket for that action. Its calls are not in
   * `calls()`: `competingCalls()` has them.
   */
  addCompetingCaller(spec: CompetingCallerSpec): void {
    this.limiter.addCompetitor(spec);
  }

  /** What each competing caller saw so far, its calls up to now made. */
  competingCalls(): CompetingCalls[] {
    return this.limiter.competingCalls();
  }

  resetCalls(): void {
    this.log.reset();
  }

  /** How long a call of `action` takes (SimulatedEc2Options.callLatencyMs). */
  callLatency(action: Ec2Action): number {
    return this.latencies[action] ?? 0;
  }

  // ---- Queries for assertions: SDK shapes, state as of now, copies. ----

  instances(): Instance[] {
    return [...this.state.instances.values()].map((instance) =>
      toInstance(instance, this.state.volumesAttachedTo(instance.instanceId)),
    );
  }

  instance(instanceId: string): Instance | undefined {
    const instance = this.state.instances.get(instanceId);
    return instance && toInstance(instance, this.state.volumesAttachedTo(instanceId));
  }

  volumes(): Volume[] {
    return [...this.state.volumes.values()].map(toVolume);
  }

  volume(volumeId: string): Volume | undefined {
    const volume = this.state.volumes.get(volumeId);
    return volume && toVolume(volume);
  }

  snapshot(snapshotId: string): Snapshot | undefined {
    const snapshot = this.state.snapshots.get(snapshotId);
    return snapshot && toSnapshot(snapshot, this.state.now());
  }

  /** Every snapshot of the volume, oldest first (StartTime, then SnapshotId). */
  snapshotsOf(volumeId: string): Snapshot[] {
    const ids = this.state.snapshotIndex.ofVolume(volumeId);
    return this.snapshotsOldestFirst([...ids].map((id) => this.state.snapshots.get(id) as SnapshotRecord));
  }

  /**
   * The sets CreateSnapshots made of the instance, oldest first: each set's snapshots in device
   * order (root first), all with one StartTime. Snapshots since deleted are left out of their set.
   */
  snapshotSetsOf(instanceId: string): Snapshot[][] {
    const now = this.state.now();
    return this.state.snapshotSets
      .filter((set) => set.instanceId === instanceId)
      .map((set) =>
        set.snapshotIds.flatMap((id) => {
          const snapshot = this.state.snapshots.get(id);
          return snapshot ? [toSnapshot(snapshot, now)] : [];
        }),
      );
  }

  /** Every snapshot in the account, including other accounts' shared ones, oldest first. */
  allSnapshots(): Snapshot[] {
    return this.snapshotsOldestFirst([...this.state.snapshots.values()]);
  }

  // ---- The API actions, as the client routes them. ----

  describeInstances(input: DescribeInstancesRequest): DescribeInstancesResult {
    return this.invoke('DescribeInstances', input, {}, () =>
      describeInstances(this.state, input, this.describeSettings),
    );
  }

  describeVolumes(input: DescribeVolumesRequest): DescribeVolumesResult {
    return this.invoke('DescribeVolumes', input, {}, () =>
      describeVolumes(this.state, input, this.describeSettings),
    );
  }

  describeSnapshots(input: DescribeSnapshotsRequest): DescribeSnapshotsResult {
    return this.invoke('DescribeSnapshots', input, {}, () =>
      describeSnapshots(this.state, input, this.describeSettings),
    );
  }

  createSnapshot(input: CreateSnapshotRequest): Snapshot {
    return this.invoke('CreateSnapshot', input, { volumeId: input.VolumeId }, () =>
      createSnapshot(this.state, input),
    );
  }

  /** One crash-consistent set of the instance's volumes (see ec2-create-snapshots.ts). */
  createSnapshots(input: CreateSnapshotsRequest): CreateSnapshotsResult {
    return this.invoke(
      'CreateSnapshots',
      input,
      { instanceId: input.InstanceSpecification?.InstanceId },
      () => createSnapshots(this.state, input),
    );
  }

  deleteSnapshot(input: DeleteSnapshotRequest): Record<string, never> {
    const snapshotId = input.SnapshotId;
    const volumeId = snapshotId === undefined ? undefined : this.state.snapshots.get(snapshotId)?.volumeId;
    return this.invoke('DeleteSnapshot', input, { snapshotId, volumeId }, () =>
      deleteSnapshot(this.state, input),
    );
  }

  createTags(input: CreateTagsRequest): Record<string, never> {
    return this.invoke('CreateTags', input, {}, () => createTags(this.state, input));
  }

  /**
   * Made in this Region, the destination; the source is read in the Region the request names
   * (this account's, if it has that Region), as EC2 does (see ec2-copy-snapshot.ts).
   */
  copySnapshot(input: CopySnapshotRequest): CopySnapshotResult {
    const source =
      input.SourceRegion === undefined ? undefined : this.account.regionIfPresent(input.SourceRegion);
    const snapshotId = input.SourceSnapshotId;
    const volumeId = snapshotId === undefined ? undefined : source?.state.snapshots.get(snapshotId)?.volumeId;
    return this.invoke('CopySnapshot', input, { snapshotId, volumeId }, () =>
      copySnapshot(this.state, source?.state, input, this.concurrentCopyLimit),
    );
  }

  createVolume(input: CreateVolumeRequest): Volume {
    return this.invoke('CreateVolume', input, { snapshotId: input.SnapshotId }, () =>
      createVolume(this.state, input),
    );
  }

  /**
   * Every API call passes here: injected faults first (the call never happens), then the
   * account's token bucket, then EC2's DryRun answer, then the action itself, then lost-response
   * and hang faults (it happened, the caller is not told). Each call is counted by what its
   * caller saw; a hung call by what EC2 did, since its caller never sees anything.
   */
  private invoke<T>(
    action: Ec2Action,
    input: { readonly DryRun?: boolean } & RequestShape,
    subject: CallSubject,
    perform: () => T,
  ): T {
    try {
      const injected = this.faults.before(action, subject);
      if (injected) throw injected;
      if (!this.limiter.admit(action, input))
        throw ec2Error('RequestLimitExceeded', 'Request limit exceeded.');
      if (input.DryRun) {
        throw ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
      }
      const result = perform();
      const lost = this.faults.after(action, subject);
      if (lost) throw lost;
      this.log.record(action, 'succeeded');
      return result;
    } catch (error) {
      this.log.record(action, outcomeOf(error as Error));
      throw error;
    }
  }

  private snapshotsOldestFirst(snapshots: SnapshotRecord[]): Snapshot[] {
    const now = this.state.now();
    return snapshots.sort(byStartTime).map((snapshot) => toSnapshot(snapshot, now));
  }
}

function outcomeOf(error: Error): CallOutcome {
  if (error instanceof HungResponse) return 'succeeded';
  return error.name === 'RequestLimitExceeded' ? 'throttled' : 'failed';
}

function validLag(ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms)))
    throw new Error(`visibilityLagMs must be a finite number >= 0, got ${ms}`);
  return ms;
}

function byStartTime(a: SnapshotRecord, b: SnapshotRecord): number {
  return (
    a.startTime - b.startTime || (a.snapshotId < b.snapshotId ? -1 : a.snapshotId > b.snapshotId ? 1 : 0)
  );
}
