import { scriptDocumentContent } from '../../infra/scripts';
import { StackOutput } from '../../lambdas/contracts/deployment';
import { SCRIPT_PATHS, SCRIPT_TIMEOUT_RANGE_SECONDS } from '../../lambdas/contracts/sets';
import { flatten, type Json, logicalId, roleStatements, synthesize } from '../fixtures/infra';

/**
 * The scripts' SSM document (SPEC §12.4). GIVEN the app with defaults, WHEN synthesized, THEN the
 * stack makes its own Command document (schema 2.2, one step per platform), the script step runs
 * it and IAM names it; GIVEN `scriptDocument`, THEN no document is made and both name that one.
 */
const defaults = synthesize();
const { template, backup } = defaults;
const documents = template.findResources('AWS::SSM::Document');
const [document] = Object.values<Json>(documents);
const content: Json = document.Properties.Content;
const step = (action: string): Json => content.mainSteps.find((s: Json) => s.action === action);

type Synthesized = ReturnType<typeof synthesize>;

const variables = (synthesized: Synthesized, name: 'runScript' | 'snapshotSet' | 'discover') =>
  synthesized.template.findResources('AWS::Lambda::Function')[
    logicalId(synthesized.backup.functions.steps[name].function)
  ].Properties.Environment.Variables;

/** The resources the script step may SendCommand to, flattened. */
const sendCommandResources = (synthesized: Synthesized): string[] =>
  roleStatements(synthesized.template, synthesized.backup.functions.steps.runScript.role)
    .filter((statement: Json) => statement.Action === 'ssm:SendCommand')
    .flatMap((statement: Json) => statement.Resource)
    .sort();

describe('the stack’s own document', () => {
  test('one Command document, schema 2.2, in JSON, for EC2 instances, named after the stack', () => {
    expect(Object.keys(documents)).toEqual([logicalId(backup.scripts.document as never)]);
    expect(document.Properties).toEqual(
      expect.objectContaining({
        DocumentType: 'Command',
        DocumentFormat: 'JSON',
        TargetType: '/AWS::EC2::Instance',
        Name: backup.scripts.documentName,
        // A named document is updated to a new default version, never replaced under its own name.
        UpdateMethod: 'NewVersion',
      }),
    );
    expect(backup.scripts.documentName).toMatch(/^Ebs-EbsGenerationBackup-[A-Za-z0-9-]+$/);
    expect(backup.scripts.documentName.length).toBeLessThanOrEqual(128);
    expect(content).toEqual(scriptDocumentContent());
    expect(content.schemaVersion).toBe('2.2');
  });

  test('two parameters: the phase, pre or post, and a timeout held to the scripts’ range', () => {
    expect(Object.keys(content.parameters).sort()).toEqual(['phase', 'timeoutSeconds']);
    expect(content.parameters.phase).toEqual(
      expect.objectContaining({ type: 'String', allowedValues: ['pre', 'post'] }),
    );
    const pattern = new RegExp(content.parameters.timeoutSeconds.allowedPattern);
    const accepted = Array.from({ length: 1000 }, (_, n) => n).filter((n) => pattern.test(String(n)));
    const { min, max } = SCRIPT_TIMEOUT_RANGE_SECONDS;
    expect([accepted[0], accepted.at(-1), accepted.length]).toEqual([min, max, max - min + 1]);
    expect(pattern.test('030')).toBe(false);
  });

  test('a shell step for Linux and a PowerShell step for Windows, each held to its platform and bounded by the timeout', () => {
    expect(content.mainSteps.map((s: Json) => [s.action, s.precondition])).toEqual([
      ['aws:runShellScript', { StringEquals: ['platformType', 'Linux'] }],
      ['aws:runPowerShellScript', { StringEquals: ['platformType', 'Windows'] }],
    ]);
    for (const s of content.mainSteps) expect(s.inputs.timeoutSeconds).toBe('{{ timeoutSeconds }}');
    expect(new Set(content.mainSteps.map((s: Json) => s.name)).size).toBe(2);
  });

  test('Linux: the phase’s script, if present and executable; absent, success; present but not executable, a failure', () => {
    const script = step('aws:runShellScript').inputs.runCommand.join('\n');
    expect(script).toContain(`pre) script='${SCRIPT_PATHS.linux.pre}'`);
    expect(script).toContain(`post) script='${SCRIPT_PATHS.linux.post}'`);
    expect(script).toContain('if [ ! -e "$script" ]; then echo "nothing to run: no $script"; exit 0; fi');
    expect(script).toMatch(/if \[ ! -x "\$script" \]; then .*; exit 126; fi/);
    // Its exit status is the command's.
    expect(script.split('\n').at(-1)).toBe('exec "$script"');
  });

  test('Windows: the phase’s PowerShell script, if present; absent, success; its exit code is the command’s', () => {
    const script = step('aws:runPowerShellScript').inputs.runCommand.join('\n');
    expect(script).toContain(`'pre' { $script = '${SCRIPT_PATHS.windows.pre}' }`);
    expect(script).toContain(`'post' { $script = '${SCRIPT_PATHS.windows.post}' }`);
    expect(script).toMatch(/Test-Path -LiteralPath \$script -PathType Leaf\)\) \{ .*; exit 0 \}/);
    expect(script).toContain("$ErrorActionPreference = 'Stop'");
    expect(script.split('\n').slice(-2)).toEqual(['& $script', 'exit $LASTEXITCODE']);
  });

  test('the phase only selects a fixed path: it is never part of one', () => {
    for (const s of content.mainSteps) {
      for (const line of s.inputs.runCommand as string[]) {
        if (line.includes('{{ phase }}'))
          expect(line).toMatch(
            /^(case "\{\{ phase \}\}" in|switch \('\{\{ phase \}\}'\) \{|.*unknown phase)/,
          );
      }
    }
  });

  test('the script step runs it, and may send it and no other', () => {
    expect(variables(defaults, 'runScript').SCRIPT_DOCUMENT).toBe(backup.scripts.documentName);
    expect(sendCommandResources(defaults)).toEqual([
      `arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*`,
      `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:document/${backup.scripts.documentName}`,
    ]);
  });
});

describe('a document the deployment names (scriptDocument)', () => {
  test('by name: no document is made; the step runs that one, in its own account and region, and IAM names it', () => {
    const named = synthesize({ scriptDocument: 'TeamBackupScripts' });
    named.template.resourceCountIs('AWS::SSM::Document', 0);
    expect(named.backup.scripts.document).toBeUndefined();
    expect(variables(named, 'runScript').SCRIPT_DOCUMENT).toBe('TeamBackupScripts');
    expect(sendCommandResources(named)).toEqual([
      'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*',
      'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:document/TeamBackupScripts',
    ]);
  });

  test('by ARN (shared by another account): SendCommand is given the ARN, and IAM names it', () => {
    const arn = `arn:aws:ssm:eu-west-1:210987654321:document/TeamBackupScripts`;
    const shared = synthesize({ scriptDocument: arn, regions: 'eu-west-1' });
    shared.template.resourceCountIs('AWS::SSM::Document', 0);
    expect(variables(shared, 'runScript').SCRIPT_DOCUMENT).toBe(arn);
    expect(sendCommandResources(shared)).toEqual(['arn:aws:ec2:eu-west-1:<AWS::AccountId>:instance/*', arn]);
  });
});

describe('the set settings reach the functions and the outputs', () => {
  const configured = synthesize({
    consistencyTagKey: 'App-Consistency',
    preScriptFailure: 'skip',
    scriptTimeoutSeconds: '90',
    snapshotConcurrency: '4',
    ec2RateShare: '60',
    managedBy: 'team-a',
  });

  test('discovery reads the consistency tag and what a failed pre-script means', () => {
    expect(variables(configured, 'discover')).toEqual(
      expect.objectContaining({ CONSISTENCY_TAG_KEY: 'App-Consistency', PRE_SCRIPT_FAILURE: 'skip' }),
    );
  });

  test('the script step: its document, its timeout and the consistency tag', () => {
    expect(variables(configured, 'runScript')).toEqual(
      expect.objectContaining({
        SCRIPT_DOCUMENT: configured.backup.scripts.documentName,
        SCRIPT_TIMEOUT_SECONDS: '90',
        CONSISTENCY_TAG_KEY: 'App-Consistency',
      }),
    );
    expect(variables(configured, 'runScript')).not.toHaveProperty('EC2_RATE_SHARE');
  });

  test('the set step: the marker and the pace of the snapshot fan-out, as the snapshot step', () => {
    expect(variables(configured, 'snapshotSet')).toEqual(
      expect.objectContaining({ MANAGED_BY: 'team-a', EC2_RATE_SHARE: '60', FAN_OUT_CONCURRENCY: '4' }),
    );
    expect(
      Object.keys(variables(configured, 'snapshotSet')).filter((name) => /SCRIPT|CONSISTENCY/.test(name)),
    ).toEqual([]);
  });

  test('IAM holds SendCommand to instances carrying the configured tag key', () => {
    const instance = roleStatements(
      configured.template,
      configured.backup.functions.steps.runScript.role,
    ).find((statement: Json) => statement.Condition?.Null);
    expect(instance.Condition).toEqual({ Null: { 'ssm:resourceTag/App-Consistency': 'false' } });
  });

  test('the consistency tag key is a stack output, for the operator CLI', () => {
    expect(configured.template.toJSON().Outputs[StackOutput.consistencyTagKey]).toEqual(
      expect.objectContaining({ Value: 'App-Consistency' }),
    );
    expect(flatten(template.toJSON().Outputs[StackOutput.consistencyTagKey].Value)).toBe(
      'Backup-Consistency',
    );
  });
});
