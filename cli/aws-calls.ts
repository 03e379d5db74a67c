import type { AwsClients } from './aws';
import { awsCall } from './errors';

/** What this file needs of an SDK v3 client (any service's). */
interface SdkClient {
  // biome-ignore lint/suspicious/noExplicitAny: each client types its own commands
  send(command: any, ...rest: any[]): Promise<unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: each client types its own middleware
  middlewareStack: { add(middleware: any, options: any): void };
}

type Handler = (args: object) => Promise<{ response: unknown; output: unknown }>;

/**
 * A client for code shared with the functions (discovery, the prune step's dry run), which
 * calls `send` itself: every call goes through `awsCall` with its IAM action
 * (`ec2:DescribeSnapshots`), so a failure is one line naming the action (a denial names the
 * permission). With `region` (a copy region's client), the action is named with it
 * (`ec2:DescribeSnapshots in eu-west-1`), so a failure there is not taken for one at home. The
 * result is still an instance of the client's class (the SDK's paginators check that); only
 * `send` differs.
 */
export function withActionNames<C extends SdkClient>(client: C, service: string, region?: string): C {
  refuseNonAwsAnswers(client);
  const where = region === undefined ? '' : ` in ${region}`;
  return new Proxy(client, {
    get(target, property) {
      if (property !== 'send') return Reflect.get(target, property, target);
      return (command: object, ...rest: unknown[]) =>
        awsCall(`${service}:${command.constructor.name.replace(/Command$/, '')}${where}`, () =>
          (target.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest),
        );
    },
  });
}

/**
 * EC2 in other regions (the copy regions) for shared code, each client named like
 * `withActionNames` with its region, and made once per region.
 */
export function regionalEc2<C extends SdkClient>(ec2In: (region: string) => C): (region: string) => C {
  const named = new Map<string, C>();
  return (region) => {
    let client = named.get(region);
    if (!client) {
      client = withActionNames(ec2In(region), 'ec2', region);
      named.set(region, client);
    }
    return client;
  };
}

/**
 * The clients a command gets: each one refuses answers that are not AWS's (see
 * `refuseNonAwsAnswers`), whichever service it is. A CloudFormation endpoint that answers with a
 * web page would otherwise read as a stack without outputs, and a 404 page as a failed check.
 */
export function awsOnlyClients(clients: AwsClients): AwsClients {
  const guarded = new WeakSet<SdkClient>();
  const guard = <C extends SdkClient>(client: C): C => {
    if (!guarded.has(client)) {
      refuseNonAwsAnswers(client);
      guarded.add(client);
    }
    return client;
  };
  return {
    ec2: () => guard(clients.ec2()),
    ec2In: (region) => guard(clients.ec2In(region)),
    sfn: () => guard(clients.sfn()),
    cloudFormation: () => guard(clients.cloudFormation()),
    s3: () => guard(clients.s3()),
  };
}

const MIDDLEWARE_NAME = 'ebsBackupRefuseNonAwsAnswers';

/**
 * An endpoint that answers with an HTML page (a proxy's login page, a web server at the wrong
 * URL, its 404 page) is not AWS, but the SDK's XML parser reads a 200 page as an empty answer:
 * a plan of "0 volumes" that looks plausible; and a 404 page as an unknown service error. This
 * middleware refuses any answer whose content type is HTML, whatever its status, before it is
 * read: `awsCall` reports the error (`NotAnAwsAnswer`) as "did not answer like AWS", exit 2.
 * The unread page is discarded with its connection: left unread, it holds the socket open and
 * the process alive until the server closes it (a web server's keep-alive: 5 s and more after
 * the refusal was printed).
 */
export function refuseNonAwsAnswers(client: SdkClient): void {
  client.middlewareStack.add(
    (next: Handler): Handler =>
      async (args) => {
        const result = await next(args);
        const response = result.response as { statusCode?: number; headers?: Record<string, string> };
        const type = Object.entries(response?.headers ?? {}).find(
          ([name]) => name.toLowerCase() === 'content-type',
        )?.[1];
        if (type !== undefined && /html/i.test(type)) {
          (response as { body?: { destroy?: () => void } }).body?.destroy?.();
          throw Object.assign(
            new Error(`Deserialization refused: HTTP ${response.statusCode} with an HTML page (${type})`),
            { name: 'NotAnAwsAnswer', $metadata: { httpStatusCode: response.statusCode } },
          );
        }
        return result;
      },
    { step: 'deserialize', name: MIDDLEWARE_NAME, override: true },
  );
}
