// `ebs-backup`: the operator's command line (plan, run, status, generations, restore, adopt).
// `ebs-backup --help` lists the commands; `ebs-backup <command> --help` each one's options.
import { createInterface } from 'node:readline';
import { main } from '../cli/main';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** One line from the terminal; undefined on Ctrl+D (end of input) or Ctrl+C. */
function readLine(prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    terminal.on('SIGINT', () => terminal.close());
    // Closed without an answer (Ctrl+D, Ctrl+C): resolving again after an answer changes nothing.
    terminal.on('close', () => resolve(undefined));
    terminal.question(prompt, (answer) => {
      resolve(answer);
      terminal.close();
    });
  });
}

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true && process.stdin.isTTY === true,
  readLine,
}).then((code) => {
  process.exitCode = code;
});
