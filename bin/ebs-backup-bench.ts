// `npm run bench [-- --only 100,1000]`: the scale benchmark (local/benchmark), writing
// BENCHMARKS.md and benchmarks.json.
import '../local/benchmark/quiet-functions';
import { main } from '../local/benchmark/main';

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
