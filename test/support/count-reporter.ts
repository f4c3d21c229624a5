// Owns the closing `N passed, N failed, N skipped` line that CI and scripts/test.sh read.
//
// It is vitest's default reporter (progress, failure details, summary) plus that one line,
// printed alone after everything else. If AMZ_TOKEN_TEST_COUNTS_FILE is set, the same line is
// also written there, so scripts/test.sh can check it without scraping the terminal; and
// AMZ_TOKEN_TEST_FILES_FILE gets one line per test file (path, passed, failed, skipped, tab-separated),
// from which scripts/test.sh picks the files to run again after the keyring daemon's known crash.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { SerializedError } from 'vitest';
// vitest 4.1 deprecates the `vitest/reporters` entry point: DefaultReporter comes from `vitest/node`.
import { DefaultReporter, type TestModule, type TestRunEndReason } from 'vitest/node';

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countTests(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError>,
): TestCounts {
  const counts: TestCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const testModule of testModules) {
    const here = countFile(testModule);
    counts.passed += here.passed;
    counts.failed += here.failed;
    counts.skipped += here.skipped;
  }
  // Errors outside any test (an unhandled rejection, a crashed worker) fail the run too.
  counts.failed += unhandledErrors.length;
  return counts;
}

export function countFile(testModule: TestModule): TestCounts {
  const counts: TestCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const test of testModule.children.allTests()) {
    const { state } = test.result();
    if (state === 'passed') counts.passed++;
    else if (state === 'failed') counts.failed++;
    // `pending` only survives an interrupted run: those tests did not run either.
    else counts.skipped++;
  }
  // A file that fails to load (syntax error, throwing import) has no tests to count; count it
  // as one failure so that the line never says `0 failed` about a failed run.
  if (counts.failed === 0 && testModule.state() === 'failed') counts.failed = 1;
  return counts;
}

export function formatCounts({ passed, failed, skipped }: TestCounts): string {
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

export default class CountReporter extends DefaultReporter {
  override onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    super.onTestRunEnd(testModules, unhandledErrors, reason);
    const line = formatCounts(countTests(testModules, unhandledErrors));
    // Blank line first so the count is alone on its line whatever the default reporter left.
    this.log('');
    this.log(line);
    const countsFile = process.env['AMZ_TOKEN_TEST_COUNTS_FILE'];
    if (countsFile) writeFileSync(countsFile, `${line}\n`);
    const filesFile = process.env['AMZ_TOKEN_TEST_FILES_FILE'];
    if (filesFile) {
      const rows = testModules.map((m) => {
        const { passed, failed, skipped } = countFile(m);
        return `${relative(process.cwd(), m.moduleId)}\t${passed}\t${failed}\t${skipped}\n`;
      });
      writeFileSync(filesFile, rows.join(''));
    }
  }
}
