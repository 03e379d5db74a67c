import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors';

// The SDK answers a profile that does not exist exactly as it answers no credentials at all
// ("Could not load credentials from any providers"); only its files can tell the two apart.

/** The profile named for this run (`--profile`, else AWS_PROFILE), unless it is the default one. */
export function namedProfile(option: string | undefined, env = process.env): string | undefined {
  const name = option ?? env.AWS_PROFILE;
  return name && name !== 'default' ? name : undefined;
}

/** The SDK's shared files: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else those in ~/.aws. */
export function sharedFiles(env = process.env): { config: string; credentials: string } {
  const home = (path: string) => (path.startsWith('~/') ? join(homedir(), path.slice(2)) : path);
  return {
    config: home(env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')),
    credentials: home(env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials')),
  };
}

/**
 * Whether a profile is defined where the SDK looks for it: `[profile <name>]` in the config file
 * (`[default]` for the default one), `[<name>]` in the credentials file. A missing file defines none.
 */
export async function profileExists(name: string, env = process.env): Promise<boolean> {
  const files = sharedFiles(env);
  const sections = async (path: string) => {
    const text = await readFile(path, 'utf8').catch(() => '');
    return [...text.matchAll(/^\s*\[\s*([^\]]*?)\s*\]/gm)].map((m) => m[1].replace(/\s+/g, ' '));
  };
  const [config, credentials] = await Promise.all([sections(files.config), sections(files.credentials)]);
  const inConfig = name === 'default' ? 'default' : `profile ${name}`;
  return config.includes(inConfig) || credentials.includes(name);
}

/**
 * When the run names a profile that is in neither shared file, that is the problem to report,
 * rather than the missing Region or credentials the SDK saw for it; else undefined.
 */
export async function missingProfile(
  option: string | undefined,
  env = process.env,
): Promise<CliError | undefined> {
  const name = namedProfile(option, env);
  if (name === undefined || (await profileExists(name, env))) return undefined;
  const files = sharedFiles(env);
  const from = option === undefined ? 'AWS_PROFILE' : '--profile';
  return new CliError(
    `profile "${name}" (${from}) is in neither ${files.config} nor ${files.credentials}: check its name (\`aws configure list-profiles\` lists them)`,
  );
}
