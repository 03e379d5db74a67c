import type { S3Client } from '@aws-sdk/client-s3';
import type { PruneProgress } from '../contracts/run-documents';
import { pruneProgressKey, type S3Location } from '../contracts/work-bucket';
import type { VolumeTask } from '../contracts/work-items';
import { getJson, putJson } from './json-store';

/**
 * Where a prune child keeps its backlog's progress between slices: one document per run,
 * region and volume in the work bucket. The next slice reads what the slice before wrote; S3
 * reads are strongly consistent after a write
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel), so it
 * always sees it.
 */
export interface PruneProgressStore {
  /** Where the task's progress lives (named in MoreToPrune, for the operator). */
  locate(task: VolumeTask): S3Location;
  read(task: VolumeTask): Promise<PruneProgress>;
  write(task: VolumeTask, progress: PruneProgress): Promise<void>;
}

/** The store in the deployment's work bucket; `homeRegion` names the family of an item without `region`. */
export function pruneProgressStore(s3: S3Client, bucket: string, homeRegion: string): PruneProgressStore {
  const locate = (task: VolumeTask): S3Location => ({
    bucket,
    key: pruneProgressKey(task.executionName, task.volume.region ?? homeRegion, task.volume.volumeId),
  });
  return {
    locate,
    read: async (task) => {
      const location = locate(task);
      try {
        return await getJson<PruneProgress>(s3, location);
      } catch (error) {
        // The slice before wrote it just before it ended: its absence is a fault, never "no progress".
        throw new Error(
          `${task.volume.volumeId}: the progress of its backlog, s3://${location.bucket}/${location.key}, could not be read (${(error as Error).name}: ${(error as Error).message})`,
        );
      }
    },
    write: async (task, progress) => {
      await putJson(s3, locate(task), progress);
    },
  };
}
