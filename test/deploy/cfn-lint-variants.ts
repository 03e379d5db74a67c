// `npm run lint:cfn`: every configuration variant (test/fixtures/variants.ts) synthesized and
// checked by cfn-lint, CloudFormation's own linter (https://github.com/aws-cloudformation/cfn-lint),
// when it is on this machine's PATH. Exit 1 on any E-level finding; W-level findings are listed.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testApp } from '../fixtures/infra';
import { VARIANTS } from '../fixtures/variants';

const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
if (version.error !== undefined) {
  console.log('cfn-lint is not on PATH: nothing checked (pip install cfn-lint to run this check).');
  process.exit(0);
}
console.log(version.stdout.trim());

let errors = 0;
for (const variant of VARIANTS) {
  const assembly = testApp(variant.context, variant.options).synth();
  const templates = readdirSync(assembly.directory)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(assembly.directory, file));
  // JSON output: one finding per entry, with its rule ID (E… errors, W… warnings, I… information).
  const lint = spawnSync('cfn-lint', ['--format', 'json', '--', ...templates], { encoding: 'utf8' });
  const findings: { Rule: { Id: string }; Message: string }[] = JSON.parse(lint.stdout || '[]');
  const byRule = new Map<string, number>();
  for (const { Rule } of findings) byRule.set(Rule.Id, (byRule.get(Rule.Id) ?? 0) + 1);
  const summary = [...byRule].map(([rule, count]) => `${rule} × ${count}`).join(', ') || 'no finding';
  console.log(
    `${variant.name} (${templates.length} template${templates.length === 1 ? '' : 's'}): ${summary}`,
  );
  for (const finding of findings.filter(({ Rule }) => Rule.Id.startsWith('E'))) {
    errors += 1;
    console.log(`  ${finding.Rule.Id} ${finding.Message}`);
  }
}
if (errors > 0) {
  console.log(
    `${errors} E-level finding${errors === 1 ? '' : 's'}: CloudFormation would refuse these templates.`,
  );
  process.exit(1);
}
