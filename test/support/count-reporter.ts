// Owns the closing `N passed, N failed, N skipped` line that CI and scripts/test.sh read.
//
// It is vitest's default reporter (progress, failure details, summary) plus that one line,
// printed alone after everything else. If AMZ_TOKEN_TEST_COUNTS_FILE is set, the same line is
// also written there, so scripts/test.sh can check it without scraping the terminal.
import { writeFileSync } from 'node:fs';
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
    let failedHere = 0;
    for (const test of testModule.children.allTests()) {
      const { state } = test.result();
      if (state === 'passed') counts.passed++;
      else if (state === 'failed') failedHere++;
      // `pending` only survives an interrupted run: those tests did not run either.
      else counts.skipped++;
    }
    // A file that fails to load (syntax error, throwing import) has no tests to count; count it
    // as one failure so that the line never says `0 failed` about a failed run.
    if (failedHere === 0 && testModule.state() === 'failed') failedHere = 1;
    counts.failed += failedHere;
  }
  // Errors outside any test (an unhandled rejection, a crashed worker) fail the run too.
  counts.failed += unhandledErrors.length;
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
  }
}
