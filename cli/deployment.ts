import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { copyRegionsEnv } from '../lambdas/commons/env';
import { type CopyRegion, DEFAULT_COPY_TAG_KEY, StackOutput } from '../lambdas/contracts/deployment';
import { DEFAULT_CONSISTENCY_TAG_KEY } from '../lambdas/contracts/sets';
import type { AwsClients } from './aws';
import { type DeploymentOption, type GivenDeployment, optionsFor } from './deployment-options';
import { awsCall, CliError, SetupError } from './errors';

/**
 * What the CLI knows of a deployment: its stack's outputs (StackOutput), with the options'
 * values (GivenDeployment) in their place where given.
 */
export interface Deployment {
  /** The stack the values were read from; absent when the options gave all the command needs. */
  stackName?: string;
  stateMachineArn?: string;
  workBucket?: string;
  managedBy?: string;
  tagKey?: string;
  /**
   * The regions copies are kept in (SPEC §10.1): none for a stack deployed before copies;
   * absent when not known (no stack read, no `--copy-regions`).
   */
  copyRegions?: CopyRegion[];
  /** The tag key that asks for copies (SPEC §10.2). */
  copyTagKey: string;
  /** The instance tag key naming its consistency mode (SPEC §12.1). */
  consistencyTagKey: string;
}

/** The parts a command cannot work without. */
export type NeededPart = 'stateMachineArn' | 'workBucket' | 'managedBy' | 'tagKey';

/** A deployment with the needed parts known. */
export type DeploymentWith<K extends NeededPart> = Deployment & { [P in K]-?: string };

/** A stack's outputs as the CLI reads them. */
export interface StackOutputs {
  stackName: string;
  stateMachineArn: string;
  workBucket: string;
  managedBy: string;
  tagKey: string;
  copyRegions: CopyRegion[];
  copyTagKey: string;
  consistencyTagKey: string;
}

/**
 * The deployment a command needs: from the options alone when they give every part in `needs`
 * (no CloudFormation call at all), else from the stack (`readStack`, called at most once) with
 * the options' values in place of its own. When the stack cannot be read, the error says too
 * which options would do without it.
 */
export async function resolveDeployment<K extends NeededPart>(
  given: GivenDeployment,
  needs: readonly K[],
  readStack: () => Promise<StackOutputs>,
): Promise<DeploymentWith<K>> {
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  if (needs.every((part) => given[part] !== undefined)) {
    return {
      copyTagKey: DEFAULT_COPY_TAG_KEY,
      consistencyTagKey: DEFAULT_CONSISTENCY_TAG_KEY,
      ...defined,
    } as DeploymentWith<K>;
  }
  try {
    return { ...(await readStack()), ...defined } as DeploymentWith<K>;
  } catch (error) {
    // Without a Region or credentials no option helps: that is the whole message.
    if (!(error instanceof CliError) || error instanceof SetupError) throw error;
    const missing = needs.filter((part) => given[part] === undefined) as DeploymentOption[];
    throw new CliError(
      `${error.message}; or name the deployment without CloudFormation: ${optionsFor(missing)}`,
      error.exitCode,
    );
  }
}

/**
 * The stack's outputs. An unknown stack is the operator's to fix (wrong region, profile or
 * `--stack`), so it says so plainly.
 */
export async function readStackOutputs(clients: AwsClients, stackName: string): Promise<StackOutputs> {
  const response = await awsCall('cloudformation:DescribeStacks', async () => {
    try {
      return await clients.cloudFormation().send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (error) {
      if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
        throw new CliError(
          `no stack "${stackName}" in this account and region: deploy it, or pass --stack, --region or --profile`,
        );
      }
      throw error;
    }
  });
  const stack = response.Stacks?.[0];
  const outputs = new Map((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const read = (key: string) => {
    const value = outputs.get(key);
    if (!value) {
      throw new CliError(
        `stack "${stackName}" has no output ${key}: is it an EBS generation backup stack of this version? Redeploy it`,
      );
    }
    return value;
  };
  return {
    stackName,
    stateMachineArn: read(StackOutput.stateMachineArn),
    workBucket: read(StackOutput.workBucket),
    managedBy: read(StackOutput.managedBy),
    tagKey: read(StackOutput.tagKey),
    copyRegions: copyRegionsOutput(stackName, outputs.get(StackOutput.copyRegions)),
    copyTagKey: outputs.get(StackOutput.copyTagKey) || DEFAULT_COPY_TAG_KEY,
    // A stack deployed before consistent sets has no such output: its functions use the default.
    consistencyTagKey: outputs.get(StackOutput.consistencyTagKey) || DEFAULT_CONSISTENCY_TAG_KEY,
  };
}

/**
 * The stack's copy regions, read as the functions read the same JSON from their environment
 * (`copyRegionsEnv`). A stack deployed before copies has no such output: it keeps no copies.
 */
function copyRegionsOutput(stackName: string, value: string | undefined): CopyRegion[] {
  try {
    return copyRegionsEnv(StackOutput.copyRegions, { [StackOutput.copyRegions]: value });
  } catch {
    throw new CliError(
      `stack "${stackName}" has an output ${StackOutput.copyRegions} that is not a JSON array of {"region", "kmsKeyArn"?}: ${JSON.stringify(value)}; redeploy it`,
    );
  }
}
