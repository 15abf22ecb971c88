/**
 * `distancesWithout` (the repair of the distances when one object is taken away, used for a holder reached only
 * through the object) against a full second measure with that object blocked, for every object of random graphs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapAnalysis } from '../../src/core/analysis';
import { computeDistances, distancesWithout } from '../../src/core/distances';
import { parseText } from './graphBuilder';
import { randomGraph } from './randomGraphs';

describe('distancesWithout', () => {
  test('300 random graphs: for every object, the same distances as a full measure without it (or a refusal)', () => {
    let repaired = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const a = HeapAnalysis.fromSnapshot(parseText(randomGraph(seed).serialize()));
      const g = a.graph;
      for (let v = 0; v < g.nodeCount; v++) {
        const fast = distancesWithout(g, a.distances, v, g.nodeCount);
        if (!fast) continue;
        repaired++;
        assert.deepEqual(Array.from(fast), Array.from(computeDistances(g, v)), `seed ${seed}, object ${v}`);
      }
    }
    assert.ok(repaired > 1000, `repairs exercised (${repaired})`);
  });
});
