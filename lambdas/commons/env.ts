/**
 * Lambda configuration from the environment, read once per container. A missing or bad value
 * fails the first invocation with a message naming the variable, rather than misbehaving.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is not set; the deployment must provide it`);
  }
  return value;
}

export function positiveIntegerEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = requireEnv(name, env);
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`Environment variable ${name} must be a whole number of at least 1, got "${value}"`);
  }
  return parsed;
}
