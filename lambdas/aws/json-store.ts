import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../contracts/work-bucket';

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

/** The document, or undefined when there is none at that key. */
export async function getJsonIfPresent<T>(s3: S3Client, location: S3Location): Promise<T | undefined> {
  try {
    return await getJson<T>(s3, location);
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}
