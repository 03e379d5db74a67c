import { type Command, Option } from 'commander';
import { type CopyRegion, DEFAULT_COPY_TAG_KEY } from '../lambdas/contracts/deployment';
import { DEFAULT_CONSISTENCY_TAG_KEY } from '../lambdas/contracts/sets';
import { SnapshotTag } from '../lambdas/core/snapshot-tags';
import { CliError } from './errors';

/**
 * What the options may say of a deployment instead of its stack's outputs, so that every command
 * works without CloudFormation (a region whose CloudFormation is down, an operator without
 * `cloudformation:DescribeStacks`, a deployment made another way). Given, a value wins over
 * the stack's; a command reads the stack only for what it needs and was not given.
 */
export interface GivenDeployment {
  stateMachineArn?: string;
  workBucket?: string;
  managedBy?: string;
  tagKey?: string;
  copyRegions?: CopyRegion[];
  copyTagKey?: string;
  consistencyTagKey?: string;
}

export type DeploymentOption = keyof GivenDeployment;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Each option: its flags (the placeholder is what an error names), its help, its parser. */
const OPTIONS: Record<DeploymentOption, { flags: string; help: string; parse?: (value: string) => unknown }> =
  {
    stateMachineArn: {
      flags: '--state-machine-arn <arn>',
      help: 'the deployment’s state machine (default: the stack’s)',
      parse: (value) => {
        if (!STATE_MACHINE_ARN.test(value)) {
          throw new CliError(
            `--state-machine-arn: "${value}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
          );
        }
        return value;
      },
    },
    workBucket: {
      flags: '--work-bucket <bucket>',
      help: 'the deployment’s work bucket, where runs write their reports (default: the stack’s)',
    },
    managedBy: {
      flags: '--managed-by <marker>',
      help: `the deployment’s ${SnapshotTag.managedBy} marker (default: the stack’s, which is its name unless set otherwise)`,
    },
    tagKey: {
      flags: '--tag-key <key>',
      help: 'tag key that targets instances and volumes (default: the stack’s)',
    },
    copyRegions: {
      flags: '--copy-regions <regions>',
      help: 'the regions copies are kept in, comma-separated, or none (default: the stack’s)',
      parse: copyRegionList,
    },
    copyTagKey: {
      flags: '--copy-tag-key <key>',
      help: `tag key that asks for copies (default: the stack’s, else ${DEFAULT_COPY_TAG_KEY})`,
    },
    consistencyTagKey: {
      flags: '--consistency-tag-key <key>',
      help: `instance tag key that names its consistency mode (default: the stack’s, else ${DEFAULT_CONSISTENCY_TAG_KEY})`,
    },
  };

/** The option that names this part of the deployment; `note` adds to its help. */
export function deploymentOption(name: DeploymentOption, note?: string): Option {
  const { flags, help, parse } = OPTIONS[name];
  const option = new Option(flags, note === undefined ? help : `${help}; ${note}`);
  return parse ? option.argParser(parse) : option;
}

/** Adds the options that name these parts of the deployment. */
export function addDeploymentOptions(command: Command, names: readonly DeploymentOption[]): Command {
  for (const name of names) command.addOption(deploymentOption(name));
  return command;
}

/** The deployment's values the command line gave. */
export function givenDeployment(options: Readonly<Record<string, unknown>>): GivenDeployment {
  const given: Record<string, unknown> = {};
  for (const name of Object.keys(OPTIONS)) {
    if (options[name] !== undefined) given[name] = options[name];
  }
  return given as GivenDeployment;
}

/** `--managed-by <marker> --tag-key <key>`: how to give these values on the command line. */
export function optionsFor(names: readonly DeploymentOption[]): string {
  return names.map((name) => OPTIONS[name].flags).join(' ');
}

/** `eu-west-1,us-west-2`, or `none`: the copy regions as the stack's output lists them (keys aside: the CLI needs none). */
function copyRegionList(value: string): CopyRegion[] {
  if (value.trim() === 'none') return [];
  const regions = [...new Set(value.split(',').map((r) => r.trim()))].filter((r) => r !== '');
  const bad = regions.find((region) => !REGION.test(region));
  if (bad !== undefined || regions.length === 0) {
    throw new CliError(
      `--copy-regions: ${bad === undefined ? 'give' : `"${bad}" is not a Region code; give`} Region codes such as eu-west-1,us-west-2, or none`,
    );
  }
  return regions.map((region) => ({ region }));
}
