import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { ManualClock, SimulatedAccount, type SimulatedEc2Options } from '../../bin/simulated-account';

/** A simulated account on a manual clock, with a real EC2 client connected to it. */
export function givenAccount(options: Omit<SimulatedEc2Options, 'now'> = {}) {
  const clock = new ManualClock();
  const account = new SimulatedAccount({ now: clock.now, ec2: options });
  return { clock, account, sim: account.ec2, ec2: account.ec2Client() };
}

/** Every item of every page a paginator yields. */
export async function collect<P, T>(
  pages: AsyncIterable<P>,
  itemsOf: (page: P) => T[] | undefined,
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...(itemsOf(page) ?? []));
  return items;
}

/** The rejection of `promise`, asserted to be what the real SDK throws for an EC2 error code. */
export async function ec2ErrorFrom(promise: Promise<unknown>): Promise<EC2ServiceException> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(EC2ServiceException);
  return error as EC2ServiceException;
}
