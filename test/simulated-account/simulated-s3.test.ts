import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  paginateListObjectsV2,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ManualClock, SimulatedAccount } from '../../local/simulated-account';
import { collect } from '../fixtures/account';

const BUCKET = 'work-bucket';

function givenS3() {
  const clock = new ManualClock();
  const account = new SimulatedAccount({ now: clock.now });
  return { clock, sim: account.s3, s3: account.s3Client() };
}

describe('simulated S3', () => {
  test('GIVEN a string put WHEN got back THEN Body.transformToString returns it, with length, ETag and LastModified', async () => {
    const { s3, clock } = givenS3();
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'runs/1/items.json', Body: '[1,2,3]' }),
    );

    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'runs/1/items.json' }));

    expect(await got.Body?.transformToString()).toBe('[1,2,3]');
    expect(got.ContentLength).toBe(7);
    expect(got.ETag).toBe(put.ETag);
    expect(got.LastModified).toEqual(new Date(clock.now()));
  });

  test('GIVEN bytes put WHEN got back THEN transformToByteArray returns the same bytes', async () => {
    const { s3 } = givenS3();
    const bytes = Uint8Array.from([0, 255, 1, 128]);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'blob', Body: bytes }));

    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'blob' }));

    expect(await got.Body?.transformToByteArray()).toEqual(bytes);
  });

  test('GIVEN a missing key WHEN got THEN the SDK’s NoSuchKey exception (404)', async () => {
    const { s3 } = givenS3();

    const error = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nothing' })).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(NoSuchKey);
    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  test('GIVEN 7 keys under a prefix and others outside WHEN listing 2 per page with the paginator THEN the 7 come once each, in order', async () => {
    const { s3, sim } = givenS3();
    const inside = Array.from({ length: 7 }, (_, i) => `results/part-${i}.json`);
    for (const key of [...inside].reverse()) sim.putJson(BUCKET, key, { key });
    sim.putJson(BUCKET, 'other/x.json', {});
    sim.putJson(BUCKET, 'results', {});

    let pages = 0;
    const listed = await collect(
      paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: BUCKET, Prefix: 'results/' }),
      (page) => {
        pages += 1;
        return page.Contents?.map((object) => object.Key);
      },
    );

    expect(listed).toEqual(inside);
    expect(pages).toBe(4);
  });

  test('GIVEN an empty prefix WHEN listing THEN Contents is absent and the listing is not truncated', async () => {
    const { s3 } = givenS3();

    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'none/' }));

    expect(page).toMatchObject({ KeyCount: 0, IsTruncated: false });
    expect(page.Contents).toBeUndefined();
  });

  test('GIVEN a forged continuation token WHEN listing THEN InvalidArgument', async () => {
    const { s3 } = givenS3();

    const error = await s3
      .send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'forged' }))
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );

    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({ name: 'InvalidArgument' });
  });

  test('GIVEN an object WHEN deleted (twice) THEN it is gone and the second delete still succeeds, as in S3', async () => {
    const { s3, sim } = givenS3();
    sim.putJson(BUCKET, 'k', { a: 1 });

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'k' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'k' }));

    expect(sim.keys(BUCKET)).toEqual([]);
  });

  test('GIVEN JSON written through the client WHEN read with getJson THEN the value round-trips, and back', async () => {
    const { s3, sim } = givenS3();
    const value = { volumes: ['vol-1', 'vol-2'], dryRun: false };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in.json', Body: JSON.stringify(value) }));
    sim.putJson(BUCKET, 'out.json', value);

    const read = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'out.json' }));

    expect(sim.getJson(BUCKET, 'in.json')).toEqual(value);
    expect(JSON.parse((await read.Body?.transformToString()) ?? '')).toEqual(value);
    expect(read.ContentType).toBe('application/json');
  });
});
