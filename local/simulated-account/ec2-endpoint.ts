import type { EC2Client } from '@aws-sdk/client-ec2';
import { answer, ec2Routes } from './clients';
import { ec2Error } from './ec2-errors';
import type { SimulatedAccount } from './simulated-account';

/** One request the endpoint answered: the EC2 action, and the region it was signed for. */
export interface EndpointRequest {
  readonly action: string;
  readonly region: string;
}

export interface SimulatedEc2Endpoint {
  /** What the SDK settings name, e.g. in AWS_ENDPOINT_URL_EC2. */
  readonly url: string;
  /** Routes the client's requests for this URL to the account (idempotent); returns the client. */
  connect<C extends EC2Client>(client: C): C;
  /** Every request answered so far, in order. */
  requests(): readonly EndpointRequest[];
}

const MIDDLEWARE_NAME = 'simulatedEc2Endpoint';

/**
 * A simulated account behind an EC2 endpoint URL, as an EC2-compatible emulator serves one. A
 * real EC2Client, made from the SDK's settings like any other (AWS_ENDPOINT_URL_EC2 naming this
 * URL), keeps its whole middleware stack (endpoint resolution, retry strategy, signing); only
 * the HTTP exchange is replaced, after signing and before parsing: the signed request is
 * answered by the EC2 of the region it was signed for (its SigV4 credential scope, which is how
 * an emulator tells regions apart behind one URL). Unlike `connectEc2`, whose calls bypass the
 * middleware, a throttled request here reaches the client's retry strategy exactly as EC2's
 * would: the simulator's errors are the exceptions the SDK parses from EC2's answers
 * (`ec2Error`: RequestLimitExceeded is HTTP 503 with a fault). A request resolved to another
 * host fails as a host name that does not resolve, so a client that ignored the endpoint
 * settings cannot pass unnoticed.
 */
export function simulatedEc2Endpoint(account: SimulatedAccount, url: string): SimulatedEc2Endpoint {
  const { hostname, port } = new URL(url);
  const requests: EndpointRequest[] = [];
  const answerers = new Map<string, Map<string, (input: unknown) => Promise<object>>>();
  const answererOf = (region: string, commandName: string) => {
    let byCommand = answerers.get(region);
    if (!byCommand) {
      byCommand = new Map(
        ec2Routes(account.ec2In(region)).map(([command, action]) => [command.name, answer(action)]),
      );
      answerers.set(region, byCommand);
    }
    return byCommand.get(commandName);
  };

  type Args = {
    input: unknown;
    request: { hostname?: string; port?: number; headers: Record<string, string> };
  };
  const middleware = (_next: unknown, context: { commandName?: string }) => async (args: Args) => {
    const { request } = args;
    if (request.hostname !== hostname || String(request.port ?? '') !== port) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${request.hostname}`), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: request.hostname,
      });
    }
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/ec2\/aws4_request/.exec(
      request.headers.authorization ?? '',
    )?.[1];
    if (region === undefined) {
      throw ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    }
    const commandName = context.commandName ?? '';
    const respond = answererOf(region, commandName);
    if (!respond) throw new Error(`The simulated EC2 does not implement ${commandName}`);
    requests.push({ action: commandName.replace(/Command$/, ''), region });
    const output = await respond(args.input);
    return { output, response: { statusCode: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' } } };
  };

  return {
    url,
    connect: (client) => {
      client.middlewareStack.addRelativeTo(middleware as never, {
        relation: 'before',
        toMiddleware: 'deserializerMiddleware',
        name: MIDDLEWARE_NAME,
        override: true,
      });
      return client;
    },
    requests: () => requests,
  };
}
