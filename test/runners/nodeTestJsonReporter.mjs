// A node:test reporter that writes one JSON array of { title, status, message } for the harness to read
// (test/integration/testingRunners.test.ts); the other runners have a JSON reporter built in.
export default async function* jsonReporter(source) {
  const results = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    const error = event.data.details?.error;
    const cause = error?.cause ?? error;
    results.push({
      title: event.data.name,
      status: event.type === 'test:pass' ? 'passed' : 'failed',
      errorName: cause?.name ?? '',
      message: event.type === 'test:fail' ? String(cause?.message ?? error) : '',
    });
  }
  yield JSON.stringify(results);
}
