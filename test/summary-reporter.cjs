// Ends every jest run with one plain line that any CI log reader understands:
//   jest: N passed, N failed, N skipped
// A suite that fails to load (a throw at import time, a missing fixture) runs no test at all, so
// jest's own test counts do not show it; it counts here as one failure.
class SummaryReporter {
  static line(results) {
    // testExecError: the suite failed to load, or a hook outside any test (afterAll) threw.
    const suiteErrors = results.testResults
      ? results.testResults.filter((r) => r.testExecError).length
      : results.numRuntimeErrorTestSuites
    const failed = results.numFailedTests + suiteErrors
    const skipped = results.numPendingTests + results.numTodoTests
    return `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`
  }
  onRunComplete(_contexts, results) {
    process.stdout.write(`\n${SummaryReporter.line(results)}\n`)
  }
}
module.exports = SummaryReporter
