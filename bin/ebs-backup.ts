// `ebs-backup`: the operator's command line (plan, run, status, generations, restore, adopt).
// `ebs-backup --help` lists the commands; `ebs-backup <command> --help` each one's options.
import { main } from '../cli/main';
import { terminalReadLine } from '../cli/terminal';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true && process.stdin.isTTY === true,
  readLine: terminalReadLine(),
}).then((code) => {
  process.exitCode = code;
});
