import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../cli/commands';

/**
 * The command line as an operator gets it (SPEC §11.1; README, Operator command line, Install): the
 * `bin` that package.json names, run as a program, and the package `npm pack` makes, installed
 * offline into a clean folder and run there without AWS settings. `npm pack` runs `prepare`,
 * so the bundle under test is built from the sources of this checkout.
 */
const ROOT = join(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const BIN: string = PACKAGE.bin['ebs-backup'];

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

let work: string;
let packed: Packed;
let installed: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ebs-backup-install-'));
  [packed] = JSON.parse(
    succeed('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env: process.env }).stdout,
  ) as Packed[];
  console.log(
    `npm pack: ${packed.filename} ${packed.size} bytes (${packed.unpackedSize} unpacked): ${packed.files
      .map((file) => `${file.path} ${file.size}`)
      .join(', ')}`,
  );
  installed = join(work, 'installed');
  mkdirSync(installed);
  writeFileSync(join(installed, 'package.json'), '{ "private": true }\n');
  // Offline with an empty cache: the install succeeds only if the package depends on nothing.
  succeed(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--cache',
      join(work, 'empty-npm-cache'),
      join(work, packed.filename),
    ],
    { cwd: installed, env: process.env },
  );
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An operator's shell with no AWS settings at all: no AWS_* variables, an empty home. */
function withoutAws(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(work, 'home-'));
  return { PATH: process.env.PATH, HOME: home, USERPROFILE: home, ...extra };
}

function run(program: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return spawnSync(program, args, { ...options, encoding: 'utf8', timeout: 60_000 });
}

function succeed(program: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const result = run(program, args, options);
  if (result.status !== 0) {
    throw new Error(`${program} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return result;
}

function expectUsage(result: SpawnSyncReturns<string>): void {
  expect({ code: result.status, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/^Usage: ebs-backup /);
  for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^ {2}${command.name} `, 'm'));
}

/** Exit 2 and one line on stderr, nothing on stdout: the documented refusal, never a stack trace. */
function expectOneLineRefusal(result: SpawnSyncReturns<string>, line: RegExp): void {
  expect({ code: result.status, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
  expect(result.stderr.split('\n')).toEqual([expect.stringMatching(line), '']);
}

describe('ebs-backup as installed (package.json bin, npm pack)', () => {
  test('GIVEN the bin path package.json names WHEN run as a program with --help THEN the usage, exit 0', () => {
    expectUsage(run(join(ROOT, BIN), ['--help'], { cwd: ROOT, env: withoutAws() }));
  });

  test('GIVEN no bundle built WHEN the bin runs THEN one line says how to build it, exit 2', () => {
    const checkout = join(work, 'unbuilt');
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    copyFileSync(join(ROOT, BIN), join(checkout, BIN));
    const result = run(process.execPath, [join(checkout, BIN), '--help'], {
      cwd: checkout,
      env: withoutAws(),
    });
    expectOneLineRefusal(result, /^ebs-backup: .* is not built: run npm ci \(or npm run build\) in /);
  });

  test('WHEN packed THEN the tarball holds the bin, its bundle, the README and package.json only', () => {
    expect(packed.files.map((file) => file.path).sort()).toEqual(
      ['README.md', 'bin/ebs-backup.cjs', 'dist/ebs-backup.js', 'package.json'].sort(),
    );
  });

  test('WHEN installed offline from the tarball THEN nothing but the package itself is installed', () => {
    const manifest = JSON.parse(
      readFileSync(join(installed, 'node_modules', PACKAGE.name, 'package.json'), 'utf8'),
    );
    expect(manifest.dependencies).toBeUndefined();
    expect(readdirSync(join(installed, 'node_modules')).sort()).toEqual(
      ['.bin', '.package-lock.json', PACKAGE.name].sort(),
    );
  });

  describe('GIVEN the installed ebs-backup in a clean folder', () => {
    const installedBin = () => join(installed, 'node_modules', '.bin', 'ebs-backup');

    test('WHEN run with --help THEN the usage, exit 0', () => {
      expectUsage(run(installedBin(), ['--help'], { cwd: installed, env: withoutAws() }));
    });

    test('WHEN status runs with no region THEN one line names the region settings, exit 2', () => {
      const result = run(installedBin(), ['status'], { cwd: installed, env: withoutAws() });
      expectOneLineRefusal(result, /^ebs-backup: no AWS Region: pass --region, set AWS_REGION/);
    });

    test('WHEN status runs with a region but no credentials THEN one line names the credential settings, exit 2', () => {
      // On an EC2 host the instance's role would be credentials: this operator has none.
      const env = withoutAws({ AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
      const result = run(installedBin(), ['status'], { cwd: installed, env });
      expectOneLineRefusal(result, /^ebs-backup: no AWS credentials found \(.*\): set AWS_PROFILE/);
    });
  });
});
