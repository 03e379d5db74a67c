import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm test` lints with the project's biome.json; these prove the lint really fails on a focused
 * or skipped test, so no test can be silenced unnoticed.
 */
describe('the lint step of npm test', () => {
  const root = join(__dirname, '..');
  const biome = join(root, 'node_modules', '.bin', 'biome');
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lint-probe-'));
    const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
    config.vcs.enabled = false; // the probe folder is not a git checkout
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const lint = (body: string) => {
    writeFileSync(join(dir, 'probe.test.ts'), `describe('probe', () => {\n  ${body}\n});\n`);
    const result = spawnSync(biome, ['lint', 'probe.test.ts'], { cwd: dir, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  // The probes are assembled so that this file itself contains no focused or skipped test.
  const call = (fn: string, modifier?: string) =>
    `${fn}${modifier ? `.${modifier}` : ''}('x', () => expect(1).toBe(1));`;

  it.each([
    [call('it', 'only'), 'noFocusedTests'],
    [call('describe', 'only'), 'noFocusedTests'],
    [call('it', 'skip'), 'noSkippedTests'],
    [call(`x${'it'}`), 'noSkippedTests'],
  ])('GIVEN %s WHEN linted THEN it fails with %s', (body, rule) => {
    const { status, output } = lint(body);
    expect(status).not.toBe(0);
    expect(output).toContain(rule);
  });

  it('GIVEN a plain test WHEN linted THEN it passes', () => {
    expect(lint(call('it')).status).toBe(0);
  });
});
