// Jest: the shared checks, one test each.
'use strict';
const { cases } = require('./cases.cjs');

for (const [name, fn] of cases) test(name, fn);
