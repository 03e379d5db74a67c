import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where a JSON document lives in S3. Step Functions' ItemReader and ResultWriter speak this shape. */
export interface S3Location {
  bucket: string;
  key: string;
}

export async function putJson(s3: S3Client, location: S3Location, value: unknown): Promise<S3Location> {
  await s3.send(
    new PutObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
  return location;
}

export async function getJson<T>(s3: S3Client, location: S3Location): Promise<T> {
  const response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  const body = await response.Body?.transformToString();
  if (body === undefined) throw new Error(`s3://${location.bucket}/${location.key} is empty`);
  return JSON.parse(body) as T;
}

/** Keys of one run's documents in the work bucket. */
export function runKey(
  executionName: string,
  document: 'volumes' | 'discovery' | 'prune' | 'report',
): string {
  return `runs/${executionName}/${document}.json`;
}
