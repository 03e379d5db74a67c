/**
 * What a Distributed Map with a ResultWriter leaves behind, in Step Functions' own shapes:
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */

/** What a Distributed Map with a ResultWriter outputs. */
export interface MapRunOutput {
  MapRunArn?: string;
  ResultWriterDetails: { Bucket: string; Key: string };
}

/** One child execution as the ResultWriter records it (only the fields we read). */
export interface ChildExecutionResult {
  ExecutionArn?: string;
  Name?: string;
  StartDate?: string;
  StopDate?: string;
  /** The child's input, as a JSON string. */
  Input?: string;
  /** The child's output, as a JSON string (succeeded children). */
  Output?: string;
  Status?: string;
  Error?: string;
  Cause?: string;
}

/** `manifest.json` written by the ResultWriter next to the result files. */
export interface MapRunManifest {
  DestinationBucket?: string;
  MapRunArn?: string;
  ResultFiles: Partial<Record<'FAILED' | 'SUCCEEDED' | 'PENDING', { Key: string; Size?: number }[]>>;
}
