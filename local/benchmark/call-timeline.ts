import type { EC2Client } from '@aws-sdk/client-ec2';
import { round } from './rounding';

/** When each call of the watched actions was made and when each succeeded (virtual ms). */
export class CallTimeline {
  private readonly calls = new Map<string, ActionTimeline>();

  /** Wraps the client's `send` (outermost: it sees what the handlers see). */
  watch(client: EC2Client): EC2Client {
    const send = client.send.bind(client) as (command: object) => Promise<unknown>;
    (client as { send: unknown }).send = (command: object) => {
      const action = this.of(command.constructor.name.replace(/Command$/, ''));
      action.called(Date.now());
      const answer = send(command);
      answer.then(
        () => action.succeeded(Date.now()),
        () => undefined,
      );
      return answer;
    };
    return client;
  }

  of(action: string): ActionTimeline {
    let timeline = this.calls.get(action);
    if (!timeline) {
      timeline = new ActionTimeline();
      this.calls.set(action, timeline);
    }
    return timeline;
  }
}

export class ActionTimeline {
  firstCall: number | undefined;
  readonly successes: number[] = [];

  called(at: number): void {
    this.firstCall ??= at;
  }

  succeeded(at: number): void {
    this.successes.push(at);
  }

  /** From the first call to the last success, in seconds (0 if none succeeded). */
  spanSeconds(): number {
    const last = this.successes.at(-1);
    return this.firstCall === undefined || last === undefined ? 0 : (last - this.firstCall) / 1000;
  }

  /** Cumulative successes at `points` evenly spaced times from the first call to the last success. */
  curve(points: number): [number, number][] {
    const span = this.spanSeconds();
    if (this.firstCall === undefined || span === 0) return [];
    const first = this.firstCall;
    const curve: [number, number][] = [];
    let index = 0;
    for (let point = 0; point <= points; point++) {
      const seconds = (span * point) / points;
      while (index < this.successes.length && (this.successes[index] - first) / 1000 <= seconds) index++;
      curve.push([round(seconds, 1), index]);
    }
    return curve;
  }
}
