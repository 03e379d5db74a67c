import type { CopySnapshotRequest, CopySnapshotResult } from '@aws-sdk/client-ec2';
import { ec2Error } from './ec2-errors';
import { required, validDescription } from './ec2-mutations';
import { isRegionName, type SnapshotRecord } from './ec2-records';
import type { Ec2State } from './ec2-state';
import { copyTags, mergedTags, tagsAtCreation, validatedTags } from './ec2-tags';
import { snapshotState } from './snapshot-lifecycle';

// CopySnapshot as EC2 answers it. Sources, unless a line says otherwise:
// API reference https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html,
// error codes https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html.

/**
 * What DescribeSnapshots says of a copy whose KMS key this Region does not have. The API reference
 * documents the field ("If a snapshot copy operation fails (for example, if the proper KMS
 * permissions are not obtained) this field displays error state details"), not its wording: this
 * one is the simulator's.
 */
export const UNUSABLE_KEY_MESSAGE =
  'The KMS key for the snapshot copy does not exist in this Region or is not usable';

/**
 * Copies `source`'s snapshot into `destination`, the Region the request was sent to ("The
 * snapshot copy is sent to the regional endpoint that you sent the HTTP request to"); `source` is
 * the state of the request's SourceRegion, undefined when the account has no such Region yet.
 * Everything is checked before the copy is made:
 * - SourceRegion and SourceSnapshotId are required; a SourceRegion that is no Region code is
 *   `InvalidRegion` ("For copying a snapshot or image, specify the source Region using its Region
 *   code"); Description is at most 255 characters (API reference 2013-02-01: "Constraints: Up to
 *   255 characters"); TagSpecifications apply to the new snapshot at creation, ResourceType
 *   `snapshot` only.
 * - `KmsKeyId` needs `Encrypted: true` ("If KmsKeyId is specified, the encrypted state must be
 *   true"); EC2 refuses that with `InvalidParameterDependency`, "The parameter KmsKeyId requires
 *   the parameter Encrypted to be set." (the answer reported for RunInstances and CreateVolume,
 *   kubernetes/kubernetes#31334: assumed the same here).
 * - The source must exist in SourceRegion (`InvalidSnapshot.NotFound`: "Ensure that you specify
 *   the AWS Region in which the snapshot is located") and be `completed` ("After you create a
 *   snapshot, and it has reached the completed state, you can create a copy of it",
 *   https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html), else
 *   `IncorrectState` ("The resource is in an incorrect state for the request"), worded as EC2
 *   worded it for a snapshot not yet completed ("Snapshot 'snap-…' is not 'completed'.",
 *   tschellenbach/Snaptastic#17).
 * - At most `concurrentCopyLimit` copies may be pending in the destination ("Concurrent snapshot
 *   copies per destination Region", 20,
 *   https://docs.aws.amazon.com/ebs/latest/userguide/ebs-resource-quotas.html);
 *   beyond it `ResourceLimitExceeded` ("For example, you might have too many snapshot copies in
 *   progress"), worded as EC2 words it: "Too many snapshot copies in progress. The limit is 5 for
 *   this destination region." (aws-samples/copy-encrypted-ami#3, when the limit was 5).
 * Encryption: a copy of an encrypted snapshot is encrypted, a copy of an unencrypted one only
 * with `Encrypted: true` ("Copies of encrypted snapshots are encrypted, even if you omit this
 * parameter"); with the KmsKeyId given, else the destination's default EBS key ("If this parameter
 * is not specified, your KMS key for Amazon EBS is used"). EC2 checks the key only later:
 * "Amazon Web Services authenticates the KMS key asynchronously. Therefore, if you specify an ID,
 * alias, or ARN that is not valid, the action can appear to complete, but eventually fails." So a
 * key the destination does not have (another Region's ARN included) is accepted, and the copy is
 * in `error` from its first Describe, with a StateMessage. `Encrypted: false` is read as absent.
 * Encryption by default is not simulated.
 */
export function copySnapshot(
  destination: Ec2State,
  source: Ec2State | undefined,
  input: CopySnapshotRequest,
  concurrentCopyLimit: number,
): CopySnapshotResult {
  const sourceRegion = required(input.SourceRegion, 'SourceRegion');
  const sourceSnapshotId = required(input.SourceSnapshotId, 'SourceSnapshotId');
  if (!isRegionName(sourceRegion)) {
    throw ec2Error('InvalidRegion', `The specified region '${sourceRegion}' is not valid.`);
  }
  const description = validDescription(input.Description);
  const tags = mergedTags([], validatedTags(tagsAtCreation(input.TagSpecifications, 'snapshot')));
  if (input.KmsKeyId !== undefined && input.Encrypted !== true) {
    throw ec2Error(
      'InvalidParameterDependency',
      'The parameter KmsKeyId requires the parameter Encrypted to be set.',
    );
  }
  const original = completedSource(source, sourceSnapshotId);
  if (destination.pendingCopyCount() >= concurrentCopyLimit) {
    throw ec2Error(
      'ResourceLimitExceeded',
      `Too many snapshot copies in progress. The limit is ${concurrentCopyLimit} for this destination region.`,
    );
  }
  const encrypted = original.encrypted || input.Encrypted === true;
  const key = !encrypted
    ? undefined
    : input.KmsKeyId === undefined
      ? destination.defaultKmsKey()
      : destination.kmsKey(input.KmsKeyId);
  const copy = destination.newCopy(
    original,
    {
      description,
      tags,
      encrypted,
      kmsKeyId: encrypted ? (key ?? input.KmsKeyId) : undefined,
    },
    encrypted && key === undefined ? UNUSABLE_KEY_MESSAGE : undefined,
  );
  return { SnapshotId: copy.snapshotId, ...(tags.length > 0 && { Tags: copyTags(tags) }) };
}

function completedSource(source: Ec2State | undefined, snapshotId: string): SnapshotRecord {
  const snapshot = source?.snapshots.get(snapshotId);
  if (!source || !snapshot) {
    throw ec2Error('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
  }
  if (snapshotState(snapshot, source.now()) !== 'completed') {
    throw ec2Error('IncorrectState', `Snapshot '${snapshotId}' is not 'completed'.`);
  }
  return snapshot;
}
