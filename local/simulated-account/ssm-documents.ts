import { SCRIPT_PHASE_PARAMETER, SCRIPT_TIMEOUT_PARAMETER } from '../../lambdas/contracts/sets';
import { ssmError } from './ssm-errors';

/** One parameter of a Command document, as its `parameters` section declares it. */
export interface DocumentParameter {
  /** The value used when SendCommand gives none; a parameter with no default is required. */
  readonly default?: string;
  /** A regular expression every value must match whole (the document's `allowedPattern`). */
  readonly allowedPattern?: string;
}

/**
 * An SSM Command document, as much of it as Run Command's behaviour depends on. Seed the stack's
 * own document with SimulatedSsm.createDocument; AWS-RunShellScript and AWS-RunPowerShellScript
 * exist in every account.
 */
export interface SsmDocument {
  readonly name: string;
  /** The step name GetCommandInvocation's PluginName refers to (`aws:runShellScript`). */
  readonly pluginName: string;
  readonly parameters: Readonly<Record<string, DocumentParameter>>;
  /** The parameter whose value is the step's `timeoutSeconds`; without one the hard-coded default holds. */
  readonly executionTimeoutParameter?: string;
  /** The response code SSM Agent reports for a script it stopped (execution timeout or cancel). */
  readonly stoppedExitCode: number;
}

/**
 * "If a SSM document doesn't require that you explicitly specify an execution timeout value, then
 * Systems Manager enforces the hard-coded default execution timeout", 3600 s
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html, "Understanding
 * command timeout values": "The default for Execution Timeout is also 3600 seconds").
 */
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 3600;

/**
 * SSM Agent's exit code for a process it killed at the execution timeout or on cancel:
 * `CommandStoppedPreemptivelyExitCode`, 137 on Linux ("Fatal error (128) + signal for SIGKILL (9)")
 * and -1 on Windows (aws/amazon-ssm-agent, agent/appconfig constants_unix.go and
 * constants_windows.go; pluginutil_unix.go maps it to TimedOut, or Cancelled after a cancel).
 */
const STOPPED_EXIT_CODE_LINUX = 137;
const STOPPED_EXIT_CODE_WINDOWS = -1;

/**
 * The `executionTimeout` parameter both AWS script documents declare: "Default is 3600 (1 hour).
 * Maximum is 172800 (48 hours)", with this allowedPattern. Their `commands` (a StringList with
 * minItems 1) has no default, so it is required, and `workingDirectory` defaults to ''. Source:
 * the documents' content as `aws ssm get-document --name AWS-RunShellScript` prints it
 * (https://docs.aws.amazon.com/cli/latest/reference/ssm/get-document.html, example), schemaVersion
 * 1.2, one `runtimeConfig` step named after its plugin.
 */
const SCRIPT_PARAMETERS: Readonly<Record<string, DocumentParameter>> = {
  commands: {},
  workingDirectory: { default: '' },
  executionTimeout: {
    default: '3600',
    allowedPattern: '([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)',
  },
};

export const AWS_RUN_SHELL_SCRIPT: SsmDocument = {
  name: 'AWS-RunShellScript',
  pluginName: 'aws:runShellScript',
  parameters: SCRIPT_PARAMETERS,
  executionTimeoutParameter: 'executionTimeout',
  stoppedExitCode: STOPPED_EXIT_CODE_LINUX,
};

export const AWS_RUN_POWERSHELL_SCRIPT: SsmDocument = {
  name: 'AWS-RunPowerShellScript',
  pluginName: 'aws:runPowerShellScript',
  parameters: SCRIPT_PARAMETERS,
  executionTimeoutParameter: 'executionTimeout',
  stoppedExitCode: STOPPED_EXIT_CODE_WINDOWS,
};

/** What SendCommand resolved of a request against its document. */
export interface ResolvedParameters {
  /** Every parameter of the document, given or defaulted. */
  readonly parameters: Record<string, string[]>;
  readonly executionTimeoutSeconds: number;
}

/**
 * Checks SendCommand's Parameters against the document, as SSM does before accepting the command:
 * `InvalidParameters` — "You must specify values for all required parameters in the Amazon Web
 * Services Systems Manager document (SSM document). You can only supply values to parameters
 * defined in the SSM document" (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html,
 * Errors) — for an unknown parameter, a required one missing or empty, or a value outside its
 * allowedPattern.
 */
export function resolveParameters(
  document: SsmDocument,
  given: Readonly<Record<string, readonly string[]>> | undefined,
): ResolvedParameters {
  const request = given ?? {};
  for (const name of Object.keys(request)) {
    if (!(name in document.parameters)) {
      throw ssmError('InvalidParameters', `Parameter "${name}" is not defined in document ${document.name}.`);
    }
  }
  const parameters: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(document.parameters)) {
    const values = request[name] ?? (spec.default === undefined ? undefined : [spec.default]);
    if (values === undefined || values.length === 0) {
      throw ssmError('InvalidParameters', `Parameter "${name}" is required by document ${document.name}.`);
    }
    const pattern = spec.allowedPattern === undefined ? undefined : new RegExp(`^(${spec.allowedPattern})$`);
    const wrong = pattern === undefined ? undefined : values.find((value) => !pattern.test(value));
    if (wrong !== undefined) {
      throw ssmError(
        'InvalidParameters',
        `Parameter "${name}" value "${wrong}" does not match its allowed pattern ${spec.allowedPattern}.`,
      );
    }
    parameters[name] = [...values];
  }
  const timeout =
    document.executionTimeoutParameter === undefined
      ? DEFAULT_EXECUTION_TIMEOUT_SECONDS
      : Number(parameters[document.executionTimeoutParameter]?.[0] ?? DEFAULT_EXECUTION_TIMEOUT_SECONDS);
  if (!(Number.isFinite(timeout) && timeout > 0)) {
    throw ssmError(
      'InvalidParameters',
      `The execution timeout of document ${document.name} is not a number of seconds.`,
    );
  }
  return { parameters, executionTimeoutSeconds: timeout };
}

/**
 * The stack's own scripts document (SPEC §12.4), as the simulated account knows it: parameters
 * `phase` (`pre` or `post`) and `timeoutSeconds` (the script's execution timeout), a shell step
 * on Linux. What the script does is scripted per instance (`setScriptOutcome`, with
 * `parameterContains: 'pre'` or `'post'` for one phase).
 */
export function snapshotScriptsDocument(name: string): SsmDocument {
  return {
    name,
    pluginName: 'aws:runShellScript',
    parameters: {
      [SCRIPT_PHASE_PARAMETER]: { allowedPattern: 'pre|post' },
      [SCRIPT_TIMEOUT_PARAMETER]: { default: '30', allowedPattern: '[1-9][0-9]{0,2}' },
    },
    executionTimeoutParameter: SCRIPT_TIMEOUT_PARAMETER,
    stoppedExitCode: STOPPED_EXIT_CODE_LINUX,
  };
}
