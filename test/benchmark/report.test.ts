import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchmarkFigures, benchmarksMarkdown } from '../../local/benchmark/report';

const committed: BenchmarkFigures = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'benchmarks.json'), 'utf8'),
);

describe('BENCHMARKS.md from the figures', () => {
  test('GIVEN a new row that counts an action the kept rows predate THEN its column, n/a in the kept rows', () => {
    const [first, older] = committed.rows;
    const fresh = {
      ...first,
      ec2CallsByAction: {
        ...first.ec2CallsByAction,
        CopySnapshot: { succeeded: 7, throttled: 0, failed: 0 },
      },
    };
    const { CopySnapshot: _, ...olderActions } = older.ec2CallsByAction;
    const kept = [{ ...older, ec2CallsByAction: olderActions as typeof older.ec2CallsByAction }];
    const markdown = benchmarksMarkdown({ ...committed, rows: [fresh, ...kept] });
    const header = markdown.split('\n').find((line) => line.startsWith('| scenario | DescribeInstances'));
    expect(header).toMatch(/\| CopySnapshot \|$/);
    expect(markdown).toMatch(new RegExp(`^\\| ${first.scenario} \\|.* \\| 7 / 0 / 0 \\|$`, 'm'));
    expect(markdown).toMatch(new RegExp(`^\\| ${kept[0].scenario} \\|.* \\| n/a \\|$`, 'm'));
  });
});
