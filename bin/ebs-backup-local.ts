// `npm start`: the real workflow on this machine, against a simulated account (the demo) or the
// account of the SDK's settings. `npm start -- --help` lists the options and the exit codes.
import { createInterface } from 'node:readline/promises';
import { main } from '../local/demo/main';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdin.isTTY === true,
  readLine: async (prompt) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await terminal.question(prompt);
    } finally {
      terminal.close();
    }
  },
}).then((code) => {
  process.exitCode = code;
});
