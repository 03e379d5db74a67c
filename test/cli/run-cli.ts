import { type CliDeps, main } from '../../bin/ebs-backup-local';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The prompts the command asked on the terminal. */
  prompts: string[];
}

/**
 * Runs the `npm start` command in-process with captured output, as a user would from a shell
 * (no TTY unless `isTTY`; `answers` are typed at the prompts, in order).
 */
export async function runCli(
  argv: string[],
  options: { isTTY?: boolean; answers?: string[]; deps?: CliDeps } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const prompts: string[] = [];
  const answers = [...(options.answers ?? [])];
  const code = await main(
    argv,
    {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      isTTY: options.isTTY ?? false,
      readLine: async (prompt) => {
        prompts.push(prompt);
        return answers.shift();
      },
    },
    options.deps,
  );
  return { code, stdout, stderr, prompts };
}

/** The rows of a text table that follow its header line (columns split on two or more spaces). */
export function tableAfter(text: string, heading: RegExp): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) throw new Error(`No line matches ${heading}`);
  const header = lines.findIndex((line, i) => i > start && /^\s+VOLUME\s/.test(line));
  const rows: string[][] = [];
  for (const line of lines.slice(header + 1)) {
    if (!/^\s+vol-/.test(line)) break;
    rows.push(line.trim().split(/\s{2,}/));
  }
  return rows;
}
