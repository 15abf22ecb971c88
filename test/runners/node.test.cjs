// node:test: the shared checks, one test each.
'use strict';
const { test } = require('node:test');
const { cases } = require('./cases.cjs');

for (const [name, fn] of cases) test(name, fn);
