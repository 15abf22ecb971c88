// Mocha: the shared checks, one test each.
'use strict';
const { cases } = require('./cases.cjs');

describe('retention-explorer/testing under Mocha', () => {
  for (const [name, fn] of cases) it(name, fn);
});
