/**
 * Errors whose names are API. Step Functions matches `ErrorEquals` against the `name` of the
 * error a Lambda throws, so every class sets a literal name (and the bundle keeps names).
 */

/** Bad execution input (SPEC §6.2): names the field and what is accepted. Never retried. */
export class InvalidInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvalidInput';
  }
}

/** EC2 refused the call for its request rate (RequestLimitExceeded, Throttling…). Retried with jitter. */
export class Ec2ThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ec2Throttled';
  }
}

/** EC2 allows one CreateSnapshot per volume every 15 s (SnapshotCreationPerVolumeRateExceeded). */
export class SnapshotRateExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotRateExceeded';
  }
}

/** A 5xx, a timeout or a dropped connection: the call may or may not have taken effect. Retried. */
export class Ec2TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ec2Transient';
  }
}

/**
 * CreateSnapshot or CopySnapshot of a redriven child: an earlier attempt may have made the
 * snapshot and the listing may not show it yet, so nothing is created; the definition goes to
 * ConfirmSnapshot (ConfirmCopy), which looks for it.
 */
export class SnapshotOutcomeUnknownError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotOutcomeUnknown';
  }
}

/**
 * ConfirmSnapshot (ConfirmCopy) found no snapshot of this run yet, and the listing has not had
 * LISTING_LAG_TOLERANCE_MS to show one: retried, never created.
 */
export class SnapshotNotListedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotNotListed';
  }
}

/**
 * ConfirmSnapshot (ConfirmCopy) found no snapshot of this run although the listing has had
 * LISTING_LAG_TOLERANCE_MS to show it: the attempt of unknown outcome made none, and the
 * definition goes back to CreateSnapshot (CopySnapshot) to make it. Not a failure.
 */
export class SnapshotAbsentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotAbsent';
  }
}

/**
 * EC2 refused CreateSnapshot with `ConcurrentSnapshotLimitExceeded`: the volume has as many
 * snapshots in progress as EBS allows, those in state `error` counted
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). Nothing was
 * created. Terminal: the limit frees only as pending snapshots complete (minutes to hours) or
 * error ones are deleted, which this run's PruneSnapshots does for this deployment's; the next
 * run backs the volume up.
 */
export class ConcurrentSnapshotLimitError extends Error {
  constructor(
    readonly volumeId: string,
    detail: string,
  ) {
    super(
      `${volumeId}: EC2 refused a new snapshot (${detail}): EBS allows 5 snapshots in progress per ` +
        "volume (1 for st1 and sc1), and those in state error count. This run's PruneSnapshots deletes " +
        "this deployment's error snapshots of the volume; another's must be deleted by whoever made it, " +
        'and pending ones complete in time. The next run backs it up; to see what is in the way: ' +
        `aws ec2 describe-snapshots --filters Name=volume-id,Values=${volumeId} Name=status,Values=pending,error`,
    );
    this.name = 'ConcurrentSnapshotLimit';
  }
}

/** The volume disappeared between discovery and snapshot. Terminal. */
export class VolumeNotFoundError extends Error {
  constructor(readonly volumeId: string) {
    super(`${volumeId} no longer exists`);
    this.name = 'VolumeNotFound';
  }
}

/** Any snapshot of this run still pending within the wait limit. Retried by the wait state. */
export class SnapshotsPendingError extends Error {
  constructor(
    readonly pending: number,
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotsPending';
  }
}

/** Any copy of this run still pending within the copy wait limit. Retried by AwaitCopies. */
export class CopiesPendingError extends Error {
  constructor(
    readonly pending: number,
    message: string,
  ) {
    super(message);
    this.name = 'CopiesPending';
  }
}

/**
 * EC2 refused a CopySnapshot because the destination region has as many copies in progress as
 * it allows (`ResourceLimitExceeded`, CONCURRENT_COPY_LIMIT). Nothing was started; retried with
 * long intervals while the copies in flight complete.
 */
export class CopyLimitExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyLimitExceeded';
  }
}

/**
 * This run's snapshot of a volume is not `completed` (missing, `error`, or pending past the
 * wait limit), so the volume's older generations are left alone (SPEC §3.3); its other
 * snapshots in state `error` are deleted all the same (see `clearFailedSnapshots`). Terminal.
 */
export class SnapshotNotCompletedError extends Error {
  constructor(
    readonly volumeId: string,
    readonly reason: 'missing' | 'error' | 'timed-out',
    message: string,
    /** Other snapshots of the volume in state `error`, deleted all the same (counted as deleted). */
    readonly deletedFailed: readonly string[] = [],
  ) {
    super(message);
    this.name = 'SnapshotNotCompleted';
  }
}

/**
 * Not a failure: PruneSnapshots deleted its bounded slice of a large backlog and more remain.
 * The definition catches it and runs PruneSnapshots again. It carries no state (STYLE.md:
 * continuation state travels as data): its message only tells the console where the backlog
 * stands; the slices' progress is in the work bucket (see `pruneSlice`).
 */
export class MoreToPruneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoreToPrune';
  }
}

/**
 * A pre- or post-script (SPEC §12.4) is still running within its bound: the definition retries
 * PreScript or PostScript on it, so the wait is Step Functions', not a sleeping Lambda.
 */
export class ScriptPendingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptPending';
  }
}

/**
 * What failed a set (SPEC §12.4), thrown by FinishSet so that the instance's child fails in the
 * console with a cause naming the instance, its volumes and what was taken. The names are API.
 * - `PreScriptFailed`: the pre-script failed, timed out or could not run (agent offline, no managed
 *   node); the set was still taken crash-consistent, or skipped, as configured.
 * - `SnapshotSetFailed`: CreateSnapshots failed; no set.
 * - `PostScriptFailed`: the post-script failed or could not be confirmed: the application may be
 *   left frozen.
 */
export class SetFailedError extends Error {
  constructor(name: 'PreScriptFailed' | 'SnapshotSetFailed' | 'PostScriptFailed', message: string) {
    super(message);
    this.name = name;
  }
}
