import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type DeleteObjectCommandInput,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  NoSuchKey,
  type PutObjectCommandInput,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';

export interface SimulatedS3Options {
  /** Epoch ms for LastModified; default Date.now() at call time. */
  readonly now?: () => number;
}

interface StoredObject {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType: string | undefined;
}

type Output<T> = Omit<T, '$metadata'>;

const MAX_KEYS = 1000;

/**
 * The little S3 the workflow needs (work lists and results between states). Every bucket
 * exists and starts empty, standing in for the one the stack deploys.
 */
export class SimulatedS3 {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly now: () => number;

  constructor(options: SimulatedS3Options = {}) {
    this.now = options.now ?? (() => Date.now());
  }

  async putObject(input: PutObjectCommandInput): Promise<{ ETag: string }> {
    const body = await bytesOf(input.Body);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    this.bucket(required(input.Bucket, 'Bucket')).set(required(input.Key, 'Key'), {
      body,
      etag,
      lastModified: this.now(),
      contentType: input.ContentType,
    });
    return { ETag: etag };
  }

  /** Body is a real SDK stream (transformToString, transformToByteArray, pipe), fresh per call. */
  getObject(input: GetObjectCommandInput): Output<GetObjectCommandOutput> {
    const stored = this.find(required(input.Bucket, 'Bucket'), required(input.Key, 'Key'));
    return {
      Body: sdkStreamMixin(Readable.from([Buffer.from(stored.body)])) as GetObjectCommandOutput['Body'],
      ContentLength: stored.body.byteLength,
      ContentType: stored.contentType,
      ETag: stored.etag,
      LastModified: new Date(stored.lastModified),
    };
  }

  /** S3 answers success whether or not the key existed. */
  deleteObject(input: DeleteObjectCommandInput): Record<string, never> {
    this.bucket(required(input.Bucket, 'Bucket')).delete(required(input.Key, 'Key'));
    return {};
  }

  listObjectsV2(input: ListObjectsV2CommandInput): Output<ListObjectsV2CommandOutput> {
    const bucket = required(input.Bucket, 'Bucket');
    if (input.Delimiter !== undefined) throw new Error('Simulated S3 does not implement Delimiter');
    const prefix = input.Prefix ?? '';
    const maxKeys = Math.min(input.MaxKeys ?? MAX_KEYS, MAX_KEYS);
    const after =
      input.ContinuationToken === undefined ? input.StartAfter : decodeToken(input.ContinuationToken);
    const matching = this.keys(bucket, prefix).filter(
      (key) => after === undefined || compareKeys(key, after) > 0,
    );
    const page = matching.slice(0, Math.max(0, maxKeys));
    const truncated = matching.length > page.length;
    const objects = this.bucket(bucket);
    return {
      Name: bucket,
      Prefix: input.Prefix,
      MaxKeys: maxKeys,
      KeyCount: page.length,
      IsTruncated: truncated,
      ContinuationToken: input.ContinuationToken,
      StartAfter: input.StartAfter,
      NextContinuationToken: truncated && page.length > 0 ? encodeToken(page[page.length - 1]) : undefined,
      // S3 leaves Contents out when nothing matched; the SDK then gives undefined.
      Contents:
        page.length === 0 ? undefined : page.map((key) => listed(key, objects.get(key) as StoredObject)),
    };
  }

  // ---- Direct helpers for tests and the local runner. ----

  putJson(bucket: string, key: string, value: unknown): void {
    const body = Buffer.from(JSON.stringify(value));
    this.bucket(bucket).set(key, {
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: this.now(),
      contentType: 'application/json',
    });
  }

  getJson<T = unknown>(bucket: string, key: string): T {
    return JSON.parse(Buffer.from(this.find(bucket, key).body).toString('utf8')) as T;
  }

  /** Keys in the bucket under the prefix, in S3's listing order (UTF-8 byte order). */
  keys(bucket: string, prefix = ''): string[] {
    return [...this.bucket(bucket).keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys);
  }

  private bucket(name: string): Map<string, StoredObject> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private find(bucket: string, key: string): StoredObject {
    const stored = this.bucket(bucket).get(key);
    if (!stored) {
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: metadata(404) });
    }
    return stored;
  }
}

function listed(key: string, stored: StoredObject) {
  return {
    Key: key,
    Size: stored.body.byteLength,
    ETag: stored.etag,
    LastModified: new Date(stored.lastModified),
    StorageClass: 'STANDARD' as const,
  };
}

async function bytesOf(body: PutObjectCommandInput['Body']): Promise<Uint8Array> {
  if (body === undefined) return new Uint8Array();
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Uint8Array.from(body);
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeToken(lastKey: string): string {
  return Buffer.from(`after:${lastKey}`, 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (!decoded.startsWith('after:')) {
    throw new S3ServiceException({
      name: 'InvalidArgument',
      message: 'The continuation token provided is incorrect',
      $fault: 'client',
      $metadata: metadata(400),
    });
  }
  return decoded.slice('after:'.length);
}

function required(value: string | undefined, parameter: string): string {
  if (!value) throw new Error(`Simulated S3: ${parameter} is required`);
  return value;
}

function metadata(httpStatusCode: number) {
  return { httpStatusCode, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
}
