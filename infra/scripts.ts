import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  SCRIPT_PATHS,
  SCRIPT_PHASE_PARAMETER,
  SCRIPT_TIMEOUT_PARAMETER,
  SCRIPT_TIMEOUT_RANGE_SECONDS,
  type ScriptPhase,
} from '../lambdas/contracts/sets';
import { scriptDocumentRegion } from './config';

/**
 * The SSM Command document that runs an instance's pre- and post-scripts (SPEC §12.4): the
 * stack's own, or one the deployment names (`scriptDocument`).
 *
 * The stack's own follows the Command document schema 2.2
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-schemas-features.html,
 * and the plugin reference https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html):
 * one step per platform, each held to it by a `precondition` on `platformType` (the agent skips a
 * step whose precondition does not hold), and each bounded by the plugin's `timeoutSeconds`, taken
 * from a String parameter whose `allowedPattern` bounds it, the way AWS-RunShellScript takes its
 * `executionTimeout`. `phase` is one of its `allowedValues`, so nothing else reaches the command
 * line; each step maps it to a fixed path (SCRIPT_PATHS), never splices it into one.
 */

const PHASES: readonly ScriptPhase[] = ['pre', 'post'];

/** 10 to 120: two digits from 10, or 100 to 120 (SCRIPT_TIMEOUT_RANGE_SECONDS). */
const TIMEOUT_PATTERN = '^([1-9][0-9]|1[01][0-9]|120)$';

const param = (name: string) => `{{ ${name} }}`;

/**
 * Linux: the phase's script if present and executable; absent, nothing to do (an instance without
 * scripts succeeds); present but not executable, a failure, so that a set is never reported
 * application-consistent while its script never ran. The script's exit status is the command's.
 */
function linuxCommands(): string[] {
  const phase = param(SCRIPT_PHASE_PARAMETER);
  return [
    `case "${phase}" in`,
    ...PHASES.map((p) => `  ${p}) script='${SCRIPT_PATHS.linux[p]}' ;;`),
    `  *) echo "unknown phase: ${phase}" >&2; exit 2 ;;`,
    'esac',
    'if [ ! -e "$script" ]; then echo "nothing to run: no $script"; exit 0; fi',
    'if [ ! -x "$script" ]; then echo "$script is present but not executable: not run" >&2; exit 126; fi',
    'exec "$script"',
  ];
}

/** Windows: the phase's PowerShell script if present; its exit code, or a terminating error, is the command's. */
function windowsCommands(): string[] {
  const phase = param(SCRIPT_PHASE_PARAMETER);
  return [
    "$ErrorActionPreference = 'Stop'",
    `switch ('${phase}') {`,
    ...PHASES.map((p) => `  '${p}' { $script = '${SCRIPT_PATHS.windows[p]}' }`),
    `  default { Write-Error 'unknown phase: ${phase}'; exit 2 }`,
    '}',
    'if (-not (Test-Path -LiteralPath $script -PathType Leaf)) { Write-Output "nothing to run: no $script"; exit 0 }',
    '$global:LASTEXITCODE = 0',
    '& $script',
    'exit $LASTEXITCODE',
  ];
}

/** The content of the stack's own document. */
export function scriptDocumentContent(): Record<string, unknown> {
  const { min, max } = SCRIPT_TIMEOUT_RANGE_SECONDS;
  const timeoutSeconds = param(SCRIPT_TIMEOUT_PARAMETER);
  return {
    schemaVersion: '2.2',
    description: 'EBS generation backup: runs the instance’s pre- or post-snapshot script, if it has one.',
    parameters: {
      [SCRIPT_PHASE_PARAMETER]: {
        type: 'String',
        description: 'pre: before the snapshot call (freeze); post: after it (thaw).',
        allowedValues: [...PHASES],
      },
      [SCRIPT_TIMEOUT_PARAMETER]: {
        type: 'String',
        description: `How long the script may run, in seconds (${min} to ${max}).`,
        allowedPattern: TIMEOUT_PATTERN,
      },
    },
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'runLinuxScript',
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: { timeoutSeconds, runCommand: linuxCommands() },
      },
      {
        action: 'aws:runPowerShellScript',
        name: 'runWindowsScript',
        precondition: { StringEquals: ['platformType', 'Windows'] },
        inputs: { timeoutSeconds, runCommand: windowsCommands() },
      },
    ],
  };
}

export interface ScriptDocumentProps {
  /** A document the deployment names instead (`scriptDocument`): its name, or its ARN. */
  readonly existing?: string;
}

/** The scripts' document: the functions' SCRIPT_DOCUMENT, and the ARN IAM allows SendCommand with. */
export class ScriptDocument extends Construct {
  /** What SendCommand's DocumentName is given: a name, or the ARN of a shared document. */
  readonly documentName: string;
  readonly documentArn: string;
  /** The stack's own document; absent when the deployment names one. */
  readonly document?: ssm.CfnDocument;

  constructor(scope: Construct, id: string, props: ScriptDocumentProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const { existing } = props;
    if (existing !== undefined) {
      this.documentName = existing;
      this.documentArn =
        scriptDocumentRegion(existing) === undefined ? documentArn(stack, existing) : existing;
      return;
    }
    // Named from the construct's path, so IAM can name its ARN without a reference to it; `Ebs` first,
    // as SSM refuses names starting with aws, amazon or amzn (a stack may be called so).
    const name = `Ebs-${Names.uniqueResourceName(this, { maxLength: 124, separator: '-' })}`;
    this.document = new ssm.CfnDocument(this, 'Document', {
      name,
      documentType: 'Command',
      documentFormat: 'JSON',
      targetType: '/AWS::EC2::Instance',
      // With a name, Replace would create the new document before deleting the old one of that
      // name, and fail; NewVersion updates it in place and makes the new version the default.
      updateMethod: 'NewVersion',
      content: scriptDocumentContent(),
    });
    this.documentName = name;
    this.documentArn = documentArn(stack, name);
  }
}

/** A document of this account and region, by name. */
function documentArn(stack: Stack, name: string): string {
  return stack.formatArn({
    service: 'ssm',
    resource: 'document',
    resourceName: name,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
