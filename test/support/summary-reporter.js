/** Prints the plain closing line `N passed, N failed, N skipped` after the whole Jest run. */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    process.stderr.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
