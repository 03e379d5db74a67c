// `npm run bench -- [options]`: the scale benchmark (local/benchmark). `--help` lists the options;
// BENCHMARKS.md and benchmarks.json are rewritten only with `--write`.
import '../local/benchmark/quiet-functions';
import { main } from '../local/benchmark/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
