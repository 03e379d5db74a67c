// `npm start`: the real workflow on this machine, against a simulated account (the demo) or the
// account of the SDK's settings. `npm start -- --help` lists the options and the exit codes.
import { terminalReadLine } from '../cli/terminal';
import { main } from '../local/demo/main';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdin.isTTY === true,
  readLine: terminalReadLine(),
}).then((code) => {
  process.exitCode = code;
});
