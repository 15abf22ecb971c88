// Vitest: the shared checks, one test each.
import { createRequire } from 'node:module';
import { test } from 'vitest';

const { cases } = createRequire(import.meta.url)('./cases.cjs');

for (const [name, fn] of cases) test(name, fn);
