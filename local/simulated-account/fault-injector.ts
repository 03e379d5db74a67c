import { mulberry32 } from '../seeded-random';
import type { Ec2Action } from './ec2-actions';
import { ec2Error, lostResponseError } from './ec2-errors';

/** `error` value of a fault whose call takes effect but whose caller gets a TimeoutError. */
export const LOST_RESPONSE = 'LostResponse';

/**
 * `error` value of a fault whose call takes effect but whose response never arrives: the promise
 * the SDK client returns never settles. It models a response silently lost on a connection the
 * client keeps waiting on, which is what the SDK does by default: NodeHttpHandlerOptions'
 * `requestTimeout`, `connectionTimeout` and `socketTimeout` all default to 0, "which disables
 * the timeout" (@smithy/types, httpHandlerInitialization.d.ts). Only a timeout of the caller's
 * own (an abort signal, a race) ends the wait. The call counts as `succeeded`: EC2 did it and
 * answered, no error ever reaches the caller.
 */
export const HANG = 'Hang';

/**
 * Thrown by a simulator method whose response a HANG fault swallows. The client adapter turns
 * it into a promise that never settles; a synchronous method called directly cannot hang, so
 * there it surfaces as this error.
 */
export class HungResponse extends Error {
  constructor(action: string) {
    super(`Simulated hang: the response to ${action} never arrives`);
    this.name = 'HungResponse';
  }
}

/** Faults that let the call take effect and then withhold its response. */
const AFTER_EFFECT: readonly string[] = [LOST_RESPONSE, HANG];

/** A fault armed for one action of a service (EC2's by default; SimulatedSsm arms SSM's). */
export interface FaultSpec<A extends string = Ec2Action> {
  readonly action: A;
  /** The service's error code to answer with (`RequestLimitExceeded`, `InternalError`, …), LOST_RESPONSE or HANG. */
  readonly error: string;
  /** How many calls it hits; default 1, or unlimited when `probability` is given. */
  readonly times?: number;
  /** Only calls about this volume (CreateSnapshot's VolumeId, a deleted or copied snapshot's volume). */
  readonly volumeId?: string;
  /** Only calls about this snapshot (DeleteSnapshot, CreateVolume from it, CopySnapshot of it). */
  readonly snapshotId?: string;
  /** Only calls about this instance (CreateSnapshots of its volumes). */
  readonly instanceId?: string;
  /** Chance (0..1) that a matching call is hit, drawn from the simulator's seeded generator. */
  readonly probability?: number;
  readonly message?: string;
  /** Overrides the HTTP status EC2 uses for `error`. */
  readonly httpStatusCode?: number;
}

/** What a call is about, for faults aimed at one volume or snapshot. */
export interface CallSubject {
  readonly volumeId?: string;
  readonly snapshotId?: string;
  readonly instanceId?: string;
}

const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  RequestLimitExceeded: 'Request limit exceeded.',
  InternalError: 'An internal error has occurred.',
  InternalFailure: 'The request processing has failed because of an unknown error, exception or failure.',
  ServiceUnavailable: 'The server is overloaded and cannot handle the request.',
  Unavailable: 'The server is overloaded and cannot handle the request.',
};

interface ActiveFault<A extends string> {
  readonly spec: FaultSpec<A>;
  remaining: number;
}

/**
 * Faults a test arms in advance. Ordinary faults replace the call (nothing happens); a lost
 * response lets the call take effect and then fails it, which is how a retried CreateSnapshot
 * can make a second snapshot unless the caller is idempotent; a hang lets it take effect and
 * never answers.
 */
export class FaultInjector<A extends string = Ec2Action> {
  private faults: ActiveFault<A>[] = [];
  private readonly random: () => number;

  /** `serviceError` builds the service's own exception for a code (EC2's by default). */
  constructor(
    seed: number,
    private readonly serviceError: (
      code: string,
      message: string,
      httpStatusCode?: number,
    ) => Error = ec2Error,
  ) {
    this.random = mulberry32(seed);
  }

  add(spec: FaultSpec<A>): void {
    const { times, probability } = spec;
    if (probability !== undefined && !(probability >= 0 && probability <= 1)) {
      throw new Error(`Fault probability must be between 0 and 1, got ${probability}`);
    }
    if (times !== undefined && !(times >= 1)) throw new Error(`Fault times must be at least 1, got ${times}`);
    const remaining = times ?? (probability === undefined ? 1 : Number.POSITIVE_INFINITY);
    this.faults.push({ spec, remaining });
  }

  clear(): void {
    this.faults = [];
  }

  /** The error to throw instead of performing the call, if an ordinary fault hits it. */
  before(action: A, subject: CallSubject): Error | undefined {
    const fault = this.hit(action, subject, false);
    if (!fault) return undefined;
    const { error, message, httpStatusCode } = fault.spec;
    return this.serviceError(
      error,
      message ?? DEFAULT_MESSAGES[error] ?? `Simulated fault: ${error}`,
      httpStatusCode,
    );
  }

  /** The error to throw after the call took effect, if a LOST_RESPONSE or HANG fault hits it. */
  after(action: A, subject: CallSubject): Error | undefined {
    const fault = this.hit(action, subject, true);
    if (!fault) return undefined;
    return fault.spec.error === HANG ? new HungResponse(action) : lostResponseError(action);
  }

  private hit(action: A, subject: CallSubject, afterEffect: boolean): ActiveFault<A> | undefined {
    const fault = this.faults.find(({ spec }) => {
      if (spec.action !== action || AFTER_EFFECT.includes(spec.error) !== afterEffect) return false;
      if (spec.volumeId !== undefined && spec.volumeId !== subject.volumeId) return false;
      if (spec.snapshotId !== undefined && spec.snapshotId !== subject.snapshotId) return false;
      if (spec.instanceId !== undefined && spec.instanceId !== subject.instanceId) return false;
      return spec.probability === undefined || this.random() < spec.probability;
    });
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((other) => other !== fault);
    return fault;
  }
}
