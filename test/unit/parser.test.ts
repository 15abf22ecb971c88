/**
 * The streaming snapshot parser: documents from the builder and a real snapshot of a real Node program, fed whole,
 * in random text chunks and in random byte chunks, must give exactly what JSON.parse of the same document gives;
 * meta is read by name; malformed and truncated inputs end in one SnapshotFormatError sentence with the byte offset,
 * never a hang, a different error or a half-built result.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { SnapshotFormatError, SnapshotParser, type HeapSnapshot } from '../../src/core/snapshotParser';
import { parseSnapshotFile } from '../../src/node/snapshotFile';
import { HeapAnalysis } from '../../src/core/analysis';
import {
  EDGE_FIELDS, EDGE_TYPES, NODE_FIELDS, NODE_TYPES, SnapshotBuilder, parseChunks, parseText, randomChunks, randomInt, seededRandom,
} from './graphBuilder';
import { snapshotDir, type SnapshotDir } from './snapshotPrograms';

/** Everything the parser produces, as plain arrays (for deepEqual). */
function columns(s: HeapSnapshot) {
  return {
    nodeCount: s.nodeCount,
    edgeCount: s.edgeCount,
    nodeTypeNames: s.nodeTypeNames,
    edgeTypeNames: s.edgeTypeNames,
    nodeType: Array.from(s.nodeType),
    nodeName: Array.from(s.nodeName),
    nodeId: Array.from(s.nodeId),
    nodeSelfSize: Array.from(s.nodeSelfSize),
    firstEdge: Array.from(s.firstEdge),
    nodeTraceId: s.nodeTraceId ? Array.from(s.nodeTraceId) : null,
    edgeType: Array.from(s.edgeType),
    edgeNameOrIndex: Array.from(s.edgeNameOrIndex),
    edgeTarget: Array.from(s.edgeTarget),
    strings: s.strings,
    locations: Array.from(s.locations),
    locationCount: s.locationCount,
  };
}

/** Strings a heap can hold: escapes, control characters, non-ASCII, surrogate pairs, a lone surrogate, markup. */
const AWKWARD_STRINGS = [
  'plain',
  '',
  'quote " backslash \\ slash /',
  'line\nbreak\ttab\rreturn\bback\fform',
  'control \u0001\u001f\u007f',
  'café naïve Ελληνικά 日本語 €',
  'astral 😀 𝄞 (surrogate pairs)',
  'lone \ud800 high and \udc00 low',
  '<script>alert("owned")</script>',
  '</script><img src=x onerror=alert(1)>',
  '\\u0041 is not an escape here',
  'long ' + 'ab\u00e9😀\\"'.repeat(700), // longer than the parser's initial 1024-unit string buffer
];

/** A small graph touching every node and edge type, awkward names, locations and a saturating size. */
function sampleBuilder(): { b: SnapshotBuilder; named: number[] } {
  const b = new SnapshotBuilder();
  const global = b.global('global');
  const handles = b.subRoot('(Handle scope)');
  const named: number[] = [];
  for (const s of AWKWARD_STRINGS) {
    const n = b.node('string', s, { size: 16 + s.length });
    b.edge(global, 'property', s || 'empty', n);
    named.push(n);
  }
  const widget = b.node('object', 'Widget', { size: 40, id: 4294967295 }); // the largest id V8 can write
  const fn = b.node('closure', 'onData', { size: 32 });
  const ctx = b.node('object', 'system / Context', { size: 24 });
  const huge = b.node('array', '', { size: 5e9 }); // self_size above 2^32 saturates
  b.edge(global, 'property', 'widget', widget)
    .edge(widget, 'property', 'onData', fn)
    .edge(fn, 'internal', 'context', ctx)
    .edge(ctx, 'context', 'this', widget)
    .edge(widget, 'element', 0, huge)
    .edge(widget, 'hidden', 7, huge)
    .edge(widget, 'weak', 'weak ref', fn)
    .edge(global, 'shortcut', 'shortcut', widget)
    .edge(handles, 'internal', '<script>', widget)
    .edge(widget, 'property', 'self', widget);
  for (const t of NODE_TYPES) b.node(t, `a ${t}`, { size: 1 });
  b.location(fn, 81, 11, 18).location(widget, 81, 7, 13);
  return { b, named };
}

describe('parsing builder documents', () => {
  const { b, named } = sampleBuilder();
  const text = b.serialize();
  const whole = parseText(text);

  test('every column holds what the builder described', () => {
    assert.equal(whole.nodeCount, b.nodes.length);
    assert.equal(whole.edgeCount, b.edgeCount);
    assert.deepEqual(whole.nodeTypeNames, [...NODE_TYPES]);
    assert.deepEqual(whole.edgeTypeNames, [...EDGE_TYPES]);
    let e = 0;
    b.nodes.forEach((n, i) => {
      assert.equal(whole.nodeTypeNames[whole.nodeType[i]], n.type, `node ${i} type`);
      assert.equal(whole.strings[whole.nodeName[i]], n.name, `node ${i} name`);
      assert.equal(whole.nodeId[i], n.id, `node ${i} id`);
      assert.equal(whole.nodeSelfSize[i], Math.min(n.size, 0xffffffff), `node ${i} size`);
      assert.equal(whole.firstEdge[i], e, `node ${i} first edge`);
      for (const edge of n.edges) {
        assert.equal(whole.edgeTypeNames[whole.edgeType[e]], edge.type, `edge ${e} type`);
        const name = typeof edge.nameOrIndex === 'number' ? whole.edgeNameOrIndex[e] : whole.strings[whole.edgeNameOrIndex[e]];
        assert.equal(name, edge.nameOrIndex, `edge ${e} name`);
        assert.equal(whole.edgeTarget[e], edge.to, `edge ${e} target ordinal`);
        e++;
      }
    });
    assert.equal(whole.firstEdge[b.nodes.length], b.edgeCount);
    assert.equal(whole.nodeTraceId, null, 'no allocation trace: trace ids are not kept');
    assert.deepEqual(Array.from(whole.locations), [b.nodes.length - NODE_TYPES.length - 3, 81, 11, 18, b.nodes.length - NODE_TYPES.length - 4, 81, 7, 13]);
    assert.equal(whole.byteLength, Buffer.byteLength(text));
  });

  test('the string table keeps escapes, surrogate pairs, lone surrogates and markup exactly', () => {
    assert.deepEqual(named.map((n) => whole.strings[whole.nodeName[n]]), AWKWARD_STRINGS);
    // Raw UTF-8 (as JSON.stringify writes) reads the same as V8's \uXXXX escapes.
    const utf8 = parseText(b.serialize({ strings: 'utf8' }));
    assert.deepEqual(utf8.strings, whole.strings);
    assert.deepEqual(whole.strings, (JSON.parse(text) as { strings: string[] }).strings);
  });

  test('random text chunks and random byte chunks give the same columns as one write', () => {
    const expected = columns(whole);
    const utf8Text = b.serialize({ strings: 'utf8' });
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const max = [1, 2, 3, 7, 64][seed % 5];
      for (const [doc, as] of [[text, 'text'], [text, 'bytes'], [utf8Text, 'text'], [utf8Text, 'bytes']] as const) {
        const parsed = parseChunks(randomChunks(doc, random, max, as));
        assert.deepEqual(columns(parsed), expected, `seed ${seed}, chunks of 1..${max} ${as}, ${doc === text ? 'V8 escapes' : 'raw UTF-8'}`);
      }
    }
  });

  test('meta is read by name: permuted and extra node and edge fields, sections in another order', () => {
    const expected = columns(whole);
    const permuted = b.serialize({
      nodeFields: ['detachedness', 'edge_count', 'self_size', 'extra_field', 'id', 'name', 'trace_node_id', 'type'],
      edgeFields: ['to_node', 'type', 'name_or_index'],
      sections: ['snapshot', 'strings', 'locations', 'samples', 'nodes', 'trace_tree', 'edges', 'trace_function_infos'],
    });
    assert.notEqual(permuted, text);
    const parsed = parseText(permuted);
    assert.deepEqual(columns(parsed), expected);
    assert.deepEqual(parsed.meta.node_fields.indexOf('type'), 7);
  });

  test('sections in any order: edges before nodes, everything before the header, in chunks of any size', () => {
    const expected = columns(whole);
    const all = ['snapshot', 'nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings'];
    const random = seededRandom(12);
    const orders = [
      ['snapshot', 'edges', 'nodes', 'strings', 'locations', 'samples', 'trace_tree', 'trace_function_infos'],
      ['edges', 'nodes', 'strings', 'locations', 'samples', 'trace_tree', 'trace_function_infos', 'snapshot'],
      ['strings', 'locations', 'edges', 'snapshot', 'nodes', 'samples', 'trace_tree', 'trace_function_infos'],
    ];
    for (let k = 0; k < 12; k++) orders.push([...all].sort(() => random() - 0.5));
    for (const sections of orders) {
      const doc = b.serialize({ sections });
      assert.deepEqual(columns(parseText(doc)), expected, sections.join(','));
      assert.deepEqual(columns(parseChunks(randomChunks(doc, random, 64, 'bytes'))), expected, `${sections.join(',')} in chunks`);
    }
  });

  test('an error in a section read before the header carries that section\'s own byte offset', () => {
    const doc = b.serialize({ sections: ['edges', 'nodes', 'strings', 'locations', 'samples', 'trace_tree', 'trace_function_infos', 'snapshot'] });
    const firstNode = doc.indexOf('"nodes":[') + 9;
    expectFormatError(() => parseText(doc.slice(0, firstNode) + 'x' + doc.slice(firstNode)), /^Expected a number in "nodes", found 'x' at byte \d+\.$/, firstNode);
  });

  test('headers that are not objects or announce impossible counts get a sentence, not an engine message', () => {
    expectFormatError(() => parseText('{"snapshot":null}'), /^The "snapshot" header is null, not an object, so this is not a V8 heap snapshot at byte 16\.$/, 16);
    expectFormatError(() => parseText('{"snapshot":[1]}'), /header is a list, not an object/);
    expectFormatError(() => parseText(b.serialize({ header: { node_count: 1e308 } })), /^The "snapshot" header's node_count is 1e\+308, more than a heap snapshot can hold \(at most 4294967294\) at byte \d+\.$/);
    expectFormatError(() => parseText(b.serialize({ header: { edge_count: 'many' } })), /^The "snapshot" header's edge_count is "many", not a count at byte \d+\.$/);
    const big = b.serialize({ header: { node_count: 4_000_000_000 } });
    const parser = new SnapshotParser({ totalBytes: big.length });
    assert.throws(() => parser.write(big), /^SnapshotFormatError: The "snapshot" header announces 4000000000 nodes and \d+ edges, more than a document of \d+ bytes can hold at byte \d+\.$/);
    const badLocations: Record<string, unknown> = {
      ...(JSON.parse(b.serialize().slice(0, b.serialize().indexOf(',"node_count"')) + '}}') as { snapshot: { meta: object } }).snapshot.meta,
      location_fields: 7,
    };
    expectFormatError(() => parseText(b.serialize({ meta: badLocations })), /^meta\.location_fields is not a list of field names at byte \d+\.$/);
  });

  test('unknown sections a newer V8 might add are skipped', () => {
    const withExtras = b.serialize({ extraSections: { extra_native_bytes: '{"a":[1,{"b":"}]"}]}', samples_v2: '[[1,2],[3]]', note: '"a, string}"' } });
    assert.deepEqual(columns(parseText(withExtras)), columns(whole));
  });

  test('an unknown scalar section at the end of the document is skipped too', () => {
    // Valid JSON: {"snapshot":...,"strings":[...],"extra_native_bytes":123}. The parser gives the `}` that ends a
    // scalar back to the structure parser only in theory: it reports "Unbalanced '}'" instead.
    const doc = b.serialize({ extraSections: { extra_native_bytes: '123' } });
    assert.doesNotThrow(() => JSON.parse(doc));
    assert.deepEqual(columns(parseText(doc)), columns(whole));
  });

  test('an empty graph of just the synthetic roots parses', () => {
    const tiny = new SnapshotBuilder();
    const s = parseText(tiny.serialize());
    assert.equal(s.nodeCount, 2);
    assert.equal(s.strings[s.nodeName[1]], '(GC roots)');
    assert.deepEqual(Array.from(s.edgeTarget), [1]);
  });
});

describe('parsing a real snapshot of a real program', () => {
  let snapshots: SnapshotDir;
  let file: string;
  let json: {
    snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]]; location_fields: string[] }; node_count: number; edge_count: number };
    nodes: number[]; edges: number[]; strings: string[]; locations: number[];
  };
  let parsed: HeapSnapshot;

  before(async () => {
    snapshots = snapshotDir();
    file = await snapshots.snapshot('hostile-strings.js', { name: 'hostile' });
    json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
    parsed = await parseSnapshotFile(file);
  });
  after(() => snapshots?.cleanup());

  test('every column matches JSON.parse of the same file, field by field by name', () => {
    const meta = json.snapshot.meta;
    const nf = meta.node_fields.length;
    const ef = meta.edge_fields.length;
    const f = (name: string) => meta.node_fields.indexOf(name);
    const g = (name: string) => meta.edge_fields.indexOf(name);
    assert.equal(parsed.nodeCount, json.snapshot.node_count);
    assert.equal(parsed.edgeCount, json.snapshot.edge_count);
    assert.equal(parsed.nodeCount * nf, json.nodes.length);
    assert.deepEqual(parsed.nodeTypeNames, meta.node_types[0]);
    assert.deepEqual(parsed.edgeTypeNames, meta.edge_types[0]);
    assert.deepEqual(parsed.strings, json.strings);
    assert.equal(parsed.byteLength, statSync(file).size);
    let edge = 0;
    for (let i = 0; i < parsed.nodeCount; i++) {
      const o = i * nf;
      if (parsed.nodeType[i] !== json.nodes[o + f('type')]
        || parsed.nodeName[i] !== json.nodes[o + f('name')]
        || parsed.nodeId[i] !== json.nodes[o + f('id')]
        || parsed.nodeSelfSize[i] !== json.nodes[o + f('self_size')]
        || parsed.firstEdge[i] !== edge) {
        assert.fail(`node ${i} differs: parser [${parsed.nodeType[i]},${parsed.nodeName[i]},${parsed.nodeId[i]},${parsed.nodeSelfSize[i]},${parsed.firstEdge[i]}] vs JSON ${json.nodes.slice(o, o + nf).join(',')} (first edge ${edge})`);
      }
      edge += json.nodes[o + f('edge_count')];
    }
    assert.equal(parsed.firstEdge[parsed.nodeCount], edge);
    for (let e = 0; e < parsed.edgeCount; e++) {
      const o = e * ef;
      if (parsed.edgeType[e] !== json.edges[o + g('type')]
        || parsed.edgeNameOrIndex[e] !== json.edges[o + g('name_or_index')]
        || parsed.edgeTarget[e] * nf !== json.edges[o + g('to_node')]) {
        assert.fail(`edge ${e} differs: parser [${parsed.edgeType[e]},${parsed.edgeNameOrIndex[e]},${parsed.edgeTarget[e] * nf}] vs JSON ${json.edges.slice(o, o + ef).join(",")}`);
      }
    }
    const lf = meta.location_fields;
    assert.equal(parsed.locationCount * lf.length, json.locations.length);
    for (let r = 0; r < parsed.locationCount; r++) {
      const row = json.locations.slice(r * lf.length, (r + 1) * lf.length);
      const mine = Array.from(parsed.locations.subarray(r * 4, r * 4 + 4));
      assert.deepEqual(mine, [row[lf.indexOf('object_index')] / nf, row[lf.indexOf('script_id')], row[lf.indexOf('line')], row[lf.indexOf('column')]], `location ${r}`);
    }
    assert.ok(parsed.locationCount > 100, 'a real heap has many closures with locations');
  });

  test('with allocation tracking: trace node ids, function infos and the trace tree match JSON.parse', async () => {
    const tracked = await snapshots.snapshot('listener-leak.js', { name: 'tracked', nodeArgs: ['--track-heap-objects'] });
    const doc = JSON.parse(readFileSync(tracked, 'utf8')) as {
      snapshot: { meta: { node_fields: string[] }; trace_function_count: number };
      nodes: number[]; trace_function_infos: number[]; trace_tree: unknown[];
    };
    const s = await parseSnapshotFile(tracked);
    const meta = doc.snapshot.meta;
    const nf = meta.node_fields.length;
    const traceField = meta.node_fields.indexOf('trace_node_id');
    assert.ok(doc.snapshot.trace_function_count > 0, 'the program ran with allocation tracking');
    assert.ok(s.nodeTraceId, 'trace ids are kept when allocations were recorded');
    const expectedTraceIds = doc.nodes.filter((_: number, i: number) => i % nf === traceField);
    assert.deepEqual(Array.from(s.nodeTraceId), expectedTraceIds);
    assert.deepEqual(Array.from(s.traceFunctionInfos), doc.trace_function_infos);
    // The tree, flattened parents first: [id, function_info_index, count, size, [children]]*.
    const ids: number[] = [];
    const infos: number[] = [];
    const parents: number[] = [];
    const walk = (list: unknown[], parent: number) => {
      for (let i = 0; i < list.length; i += 5) {
        const row = ids.length;
        ids.push(list[i] as number);
        infos.push(list[i + 1] as number);
        parents.push(parent);
        walk(list[i + 4] as unknown[], row);
      }
    };
    walk(doc.trace_tree, -1);
    assert.ok(ids.length > 50, `a real trace tree (${ids.length} nodes)`);
    assert.equal(s.traceTree.count, ids.length);
    assert.deepEqual(Array.from(s.traceTree.ids), ids);
    assert.deepEqual(Array.from(s.traceTree.functionInfoIndex), infos);
    assert.deepEqual(Array.from(s.traceTree.parentRow), parents);
  });

  test('the hostile strings come through as the program wrote them (as far as V8 writes them)', () => {
    const strings = new Set(parsed.strings);
    assert.ok(strings.has('<script>alert("owned")</script>'));
    assert.ok(strings.has('<img src=x onerror=alert(1)>'));
    assert.ok(strings.has('</script>'));
    assert.ok(strings.has('say "hi" \\ back\\slash'));
    assert.ok(strings.has('tab\tnew\nline\u0001\u001f'));
    assert.ok(strings.has('café naïve Ελληνικά 日本語'));
  });

  test('the same file in random byte chunks and as random text chunks parses identically', () => {
    const expected = columns(parsed);
    const bytes = readFileSync(file);
    const random = seededRandom(7);
    const byteChunks: Uint8Array[] = [];
    for (let pos = 0; pos < bytes.length;) {
      const n = randomInt(random, 1, 70_000);
      byteChunks.push(bytes.subarray(pos, pos + n));
      pos += n;
    }
    assert.deepEqual(columns(parseChunks(byteChunks)), expected);
    assert.deepEqual(columns(parseChunks(randomChunks(bytes.toString('utf8'), random, 50_000, 'text'))), expected);
  });

  test('a real snapshot truncated anywhere is reported with its byte offset, never parsed', () => {
    const bytes = readFileSync(file);
    const random = seededRandom(11);
    for (let k = 0; k < 12; k++) {
      const cut = randomInt(random, 1, bytes.length - 3);
      const parser = new SnapshotParser();
      parser.write(bytes.subarray(0, cut));
      assert.throws(() => parser.end(), (e: unknown) => {
        assert.ok(e instanceof SnapshotFormatError, String(e));
        assert.equal(e.offset, cut);
        assert.match(e.message, new RegExp(`^The snapshot ends early at byte ${cut}\\b.*truncated`));
        return true;
      });
    }
  });
});

/** Expects one SnapshotFormatError: a single sentence, naming the byte offset it gives. */
function expectFormatError(run: () => unknown, message: RegExp, offset?: number): SnapshotFormatError {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof SnapshotFormatError, `expected a SnapshotFormatError, got ${error === undefined ? 'a result' : error instanceof Error ? error.message : typeof error}`);
  assert.match(error.message, message);
  assert.ok(!/\n|\bat .*\(.*:\d+:\d+\)|undefined|is not a function|Cannot read/.test(error.message), `one plain sentence: ${error.message}`);
  if (offset !== undefined) assert.equal(error.offset, offset, `offset of: ${error.message}`);
  return error;
}

describe('malformed and truncated input', () => {
  const { b } = sampleBuilder();
  const text = b.serialize();
  const bytes = Buffer.from(text);

  test('empty input: the snapshot is empty', () => {
    expectFormatError(() => parseText(''), /^The snapshot is empty\b/, 0);
    expectFormatError(() => parseChunks([]), /^The snapshot is empty\b/, 0);
    expectFormatError(() => parseText('  \n'), /^The snapshot ends early at byte 3\b/, 3);
  });

  test('garbage first byte: not a V8 heap snapshot, at byte 0', () => {
    expectFormatError(() => parseText('x' + text), /^This is not a V8 heap snapshot: it should start with '\{' but starts with 'x' at byte 0\.$/, 0);
    expectFormatError(() => parseChunks([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]), /starts with byte 0x89 at byte 0\./, 0);
  });

  test('truncated mid-nodes: how many nodes were read, and the byte offset', () => {
    const cut = text.indexOf('"nodes":') + 20;
    const e = expectFormatError(() => parseText(text.slice(0, cut)), new RegExp(`^The snapshot ends early at byte ${cut} inside "nodes" \\(\\d+ of ${b.nodes.length} nodes read\\)`), cut);
    assert.match(e.message, /Take the snapshot again\.$/);
  });

  test('truncated mid-strings, inside a \\u escape and inside a multi-byte character', () => {
    const inStrings = text.indexOf('"strings":') + 30;
    expectFormatError(() => parseText(text.slice(0, inStrings)), new RegExp(`^The snapshot ends early at byte ${inStrings} inside "strings" \\(\\d+ strings read\\)`), inStrings);
    const inEscape = text.indexOf('\\u00e9') + 3;
    expectFormatError(() => parseText(text.slice(0, inEscape)), new RegExp(`ends early at byte ${inEscape} inside "strings"`), inEscape);
    const raw = Buffer.from(b.serialize({ strings: 'utf8' }));
    const euro = raw.indexOf(Buffer.from('€')) + 1; // after the first of its three bytes
    expectFormatError(() => parseChunks([raw.subarray(0, euro)]), new RegExp(`ends early at byte ${euro} inside "strings"`), euro);
  });

  test('truncated at every byte of a small document: always one error with the offset, never a result', () => {
    const small = new SnapshotBuilder();
    const g = small.global();
    const w = small.node('object', 'Wé😀"\\', { size: 12 });
    small.edge(g, 'property', 'w', w).edge(w, 'weak', 'back', g).location(w, 3, 1, 2);
    const doc = Buffer.from(small.serialize({ strings: 'utf8' }));
    assert.equal(doc.at(-1), 10);
    for (let cut = 0; cut < doc.length - 1; cut++) {
      expectFormatError(() => parseChunks([doc.subarray(0, cut)]), cut === 0 ? /empty/ : new RegExp(`^The snapshot ends early at byte ${cut}\\b`), cut);
    }
    assert.equal(parseChunks([doc.subarray(0, doc.length - 1)]).nodeCount, small.nodes.length);
  });

  test('node_count larger or smaller than "nodes" holds', () => {
    expectFormatError(() => parseText(b.serialize({ header: { node_count: b.nodes.length + 1 } })),
      new RegExp(`^"nodes" holds ${b.nodes.length} nodes, but the header announces ${b.nodes.length + 1} at byte \\d+\\.$`));
    const e = expectFormatError(() => parseText(b.serialize({ header: { node_count: b.nodes.length - 1 } })),
      new RegExp(`^"nodes" holds more than the ${b.nodes.length - 1} nodes the header announces at byte \\d+\\.$`));
    // The offset points into "nodes", at the row that is one too many.
    const nodesAt = text.indexOf('"nodes":');
    assert.ok(e.offset > nodesAt && e.offset < text.indexOf('"edges":'), `offset ${e.offset}`);
    expectFormatError(() => parseText(b.serialize({ header: { edge_count: b.edgeCount + 2 } })), /edges/);
  });

  test('an edge to an offset that is not a node', () => {
    const nf = NODE_FIELDS.length;
    for (const to of [5, nf * b.nodes.length, nf * b.nodes.length + nf]) {
      const doc = b.serialize().replace(/"edges":\[(\d+,\d+,)(\d+)/, (_m, head) => `"edges":[${head}${to}`);
      const e = expectFormatError(() => parseText(doc), new RegExp(`^Edge 0 points at node offset ${to}, which is not the start of one of the ${b.nodes.length} nodes at byte \\d+\\.$`));
      const edgesAt = doc.indexOf('"edges":');
      assert.ok(e.offset > edgesAt && e.offset < edgesAt + 40, `the offset ${e.offset} is at the first edge row (edges start at ${edgesAt})`);
    }
  });

  test('missing or wrong meta: named fields, no meta at all, type lists', () => {
    const meta = (nodeFields: string[], edgeFields = EDGE_FIELDS) => ({
      node_fields: nodeFields, node_types: nodeFields.map((f): string[] | string => (f === 'type' ? [...NODE_TYPES] : 'number')),
      edge_fields: edgeFields, edge_types: edgeFields.map((f) => (f === 'type' ? [...EDGE_TYPES] : 'number')),
    });
    for (const missing of ['type', 'name', 'id', 'self_size', 'edge_count']) {
      expectFormatError(() => parseText(b.serialize({ meta: meta(NODE_FIELDS.filter((f) => f !== missing)) })), new RegExp(`^meta\\.node_fields has no "${missing}" field at byte \\d+\\.$`));
    }
    for (const missing of ['type', 'name_or_index', 'to_node']) {
      expectFormatError(() => parseText(b.serialize({ meta: meta(NODE_FIELDS, EDGE_FIELDS.filter((f) => f !== missing)) })), new RegExp(`^meta\\.edge_fields has no "${missing}" field`));
    }
    const noMeta = b.serialize().replace(/^\{"snapshot":\{"meta":\{.*?\},"node_count"/s, '{"snapshot":{"node_count"');
    assert.notEqual(noMeta, b.serialize());
    expectFormatError(() => parseText(noMeta), /^The "snapshot" header has no meta\.node_fields\/edge_fields, so this is not a V8 heap snapshot at byte \d+\.$/);
    const noTypes = meta(NODE_FIELDS);
    noTypes.node_types[0] = 'number';
    expectFormatError(() => parseText(b.serialize({ meta: noTypes })), /^meta\.node_types does not list the type names at byte \d+\.$/);
    expectFormatError(() => parseText(b.serialize({ header: { node_count: -1 } })), /^The "snapshot" header's node_count is -1, not a count at byte \d+\.$/);
    expectFormatError(() => parseText('{"snapshot":{"meta":', ), /ends early at byte 20 inside "snapshot"/, 20);
    expectFormatError(() => parseText('{"nodes":[1,2,3]}'), /^The snapshot has no "snapshot" header to describe its "nodes" section, so it is not a complete V8 heap snapshot\.$/, 17);
  });

  test('other damage: a node type meta does not define, a duplicated key, a dangling string index, junk in numbers, trailing junk', () => {
    const firstNode = text.indexOf('"nodes":[') + 9;
    expectFormatError(() => parseText(text.slice(0, firstNode) + '99' + text.slice(firstNode + 1)), /^Node 0 has type 99, which meta\.node_types does not define at byte \d+\.$/);
    expectFormatError(() => parseText(text.replace('"edges":', '"nodes":')), /^The key "nodes" appears twice at byte \d+\.$/);
    expectFormatError(() => parseText(text.slice(0, firstNode) + '9,' + text.slice(firstNode)), /^Node \d+'s edges run past the \d+ edges the header announces at byte \d+\.$/);
    expectFormatError(() => parseText(text.slice(0, firstNode) + 'x' + text.slice(firstNode)), /^Expected a number in "nodes", found 'x' at byte \d+\.$/, firstNode);
    expectFormatError(() => parseText(text.replace('"nodes":[', '"nodes":[,')), /^Two commas without a number between them in "nodes" at byte \d+\.$/, firstNode);
    expectFormatError(() => parseText(text.trimEnd() + ' {'), /^Unexpected '\{' after the end of the snapshot at byte \d+\.$/, Buffer.byteLength(text.trimEnd()) + 1);
    // A node whose name index is past the string table: found at the end, when the table is known.
    const dangling = b.serialize().replace(/"nodes":\[(\d+),(\d+),/, (_m, type) => `"nodes":[${type},100000,`);
    const e = expectFormatError(() => parseText(dangling), /^Node 0 names string 100000, but the string table has only \d+ entries\.$/);
    assert.equal(e.offset, Buffer.byteLength(dangling));
  });

  test('an invalid escape or invalid UTF-8 inside a string names the string and the byte', () => {
    const bad = text.replace('"plain"', '"pl\\qain"');
    const at = Buffer.byteLength(bad.slice(0, bad.indexOf('\\qain') + 1));
    expectFormatError(() => parseText(bad), /^Invalid escape '\\q' in string \d+ at byte \d+\.$/, at);
    const raw = Buffer.from(text);
    const plain = raw.indexOf('"plain"') + 1;
    raw[plain] = 0xff;
    expectFormatError(() => parseChunks([raw]), /^Invalid UTF-8 in string \d+ at byte \d+\.$/, plain);
  });

  test('after an error the parser keeps failing with the same error and never returns a half-built graph', () => {
    const parser = new SnapshotParser();
    const firstNode = text.indexOf('"nodes":[') + 9;
    parser.write(bytes.subarray(0, firstNode));
    let first: unknown;
    try {
      parser.write('x');
    } catch (e) {
      first = e;
    }
    assert.ok(first instanceof SnapshotFormatError);
    assert.throws(() => parser.write(bytes.subarray(firstNode)), (e) => e === first);
    assert.throws(() => parser.end(), (e) => e === first);
  });

  test('random damage never hangs and never escapes as another kind of error', () => {
    const random = seededRandom(2024);
    const junk = [...'{}[],:"\\-0123456789 \nxu\u00e9'];
    let rejected = 0;
    for (let k = 0; k < 300; k++) {
      const doc = Buffer.from(text);
      const damage = randomInt(random, 1, 3);
      for (let d = 0; d < damage; d++) {
        const at = randomInt(random, 0, doc.length - 1);
        doc[at] = Buffer.from(junk[randomInt(random, 0, junk.length - 1)])[0];
      }
      try {
        const parsed = parseChunks(randomChunks(doc.toString('latin1'), random, 97, 'text').map((s) => Buffer.from(s as string, 'latin1')));
        // When damage still parses (a changed size or name), the graph must be whole enough to analyse.
        HeapAnalysis.fromSnapshot(parsed);
      } catch (e) {
        assert.ok(e instanceof SnapshotFormatError, `case ${k}: ${(e as Error).stack}`);
        assert.ok(!/undefined|is not a function|Cannot read|NaN/.test(e.message), `case ${k}: ${e.message}`);
        rejected++;
      }
    }
    assert.ok(rejected > 100, `most damage is caught (${rejected} of 300)`);
  });
});

describe('the fast path for whole node and edge rows', () => {
  // A graph big enough that whole writes go through the fast path; byte-at-a-time writes never do (a row must fit).
  const b = new SnapshotBuilder();
  const g = b.global();
  let prev = g;
  for (let i = 0; i < 300; i++) {
    const n = b.node(i % 3 ? 'object' : 'array', `n${i % 17}`, { size: i * 997, id: i % 50 === 0 ? 4294967295 - i * 2 : undefined });
    b.edge(prev, i % 2 ? 'property' : 'element', i % 2 ? `p${i % 5}` : i * 12345, n);
    if (i % 7 === 0) b.edge(n, 'weak', 'back', g);
    if (i % 3 === 0) b.location(n, 81, i * 1000, i % 40);
    prev = n;
  }
  const text = b.serialize();
  const outcome = (chunks: (string | Uint8Array)[]) => {
    try {
      return columns(parseChunks(chunks));
    } catch (e) {
      assert.ok(e instanceof SnapshotFormatError, String(e));
      return `${e.message} @${e.offset}`;
    }
  };
  const compare = (doc: string, what: string) => {
    const bytes = Buffer.from(doc);
    const byByte = outcome(Array.from(bytes, (_x, i) => bytes.subarray(i, i + 1)));
    assert.deepEqual(outcome([bytes]), byByte, `${what}: one write`);
    assert.deepEqual(outcome([doc]), byByte, `${what}: one text write`);
    const random = seededRandom(doc.length);
    assert.deepEqual(outcome(randomChunks(doc, random, 200, 'bytes')), byByte, `${what}: random chunks`);
    return byByte;
  };

  test('one write, random chunks and byte-at-a-time writes agree on V8 layout, other layouts and long numbers', () => {
    assert.equal(typeof compare(text, 'as V8 writes it'), 'object');
    const nodes = text.indexOf('"nodes":'), strings = text.indexOf('"strings":');
    const body = (f: (s: string) => string) => text.slice(0, nodes) + f(text.slice(nodes, strings)) + text.slice(strings);
    for (const [what, doc] of [
      ['CRLF rows', body((s) => s.replace(/\n/g, '\r\n'))],
      ['spaces after commas', body((s) => s.replace(/,(\d)/g, (_m, d, at) => (at % 3 ? `,${d}` : `, ${d}`)))],
      ['rows without newlines', body((s) => s.replace(/\n/g, ''))],
      ['leading zeros and 10+ digit numbers', body((s) => s.replace(/,(\d+)/g, (_m, d, at) => (at % 5 ? `,${d}` : `,00000000000${d}`)))],
      ['newlines before the closing brackets', body((s) => s.replace(/\]/g, '\n]'))],
    ] as const) {
      assert.equal(typeof compare(doc, what), 'object', what);
    }
  });

  test('damage inside nodes and edges gives the same error and offset in one write as byte by byte', () => {
    const random = seededRandom(77);
    const nodes = text.indexOf('"nodes":') + 9, strings = text.indexOf('"strings":');
    const junk = [...',\n-x 90]['];
    let errors = 0;
    for (let k = 0; k < 60; k++) {
      const doc = [...text];
      const at = randomInt(random, nodes, strings - 1);
      doc[at] = junk[randomInt(random, 0, junk.length - 1)];
      if (typeof compare(doc.join(''), `damage at ${at}`) === 'string') errors++;
    }
    assert.ok(errors > 30, `most damage is caught (${errors} of 60)`);
  });
});
