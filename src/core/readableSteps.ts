/**
 * How a path reads: engine storage folds into its owner (a closure's scope, an array's backing store, a Map's
 * table), each readable step keeps the raw references it stands for, and a run of the same link repeated (a
 * FinalizationRegistry's WeakCell list, a listener list's `.next`) folds into one row that can be expanded.
 */
import type { HeapGraph } from './heapGraph';
import type { LocationIndex } from './locations';
import { distanceFields, type ReportNode, type Step } from './report';
import type { RawStep } from './retainers';
import type { EdgeSemantics } from './semantics';

export interface StepParts {
  graph: HeapGraph;
  distances: Uint32Array;
  retainedSize: Float64Array;
  semantics: EdgeSemantics;
  locations: LocationIndex;
}

/** A readable step and the raw references it stands for. */
export interface ReadableStep { step: Step; raw: RawStep[] }

export class StepReader {
  private readonly g: HeapGraph;

  constructor(private readonly parts: StepParts) {
    this.g = parts.graph;
  }


  /**
   * Folds engine storage into its owner: closure -context-> Context -context:x-> X reads "closure captures `x`";
   * array -elements-> (object elements) -[3]-> X reads "[3]"; Map -table-> (table) -entry-> X reads "Map entry".
   * Keeps, for every readable step, the raw references it stands for.
   */
  readableSteps(raw: RawStep[]): { step: Step; raw: RawStep[] }[] {
    const out: { step: Step; raw: RawStep[] }[] = [];
    const sem = this.parts.semantics;
    let i = 0;
    while (i < raw.length) {
      const group = [raw[i]];
      while (i + group.length < raw.length && sem.isHolder(group[group.length - 1].to, group[group.length - 1].edge)) {
        group.push(raw[i + group.length]);
      }
      i += group.length;
      const first = group[0];
      const last = group[group.length - 1];
      const via = group.slice(0, -1).map((s) => this.briefNode(s.to));
      const step: Step = {
        from: this.briefNode(first.from),
        edge: { type: this.g.edgeTypeName(last.edge), name: this.g.edgeName(last.edge) },
        to: this.briefNode(last.to),
        label: this.label(group),
      };
      if (via.length) step.via = via;
      out.push({ step, raw: group });
    }
    return out;
  }

  briefNode(node: number): ReportNode {
    return {
      id: this.g.nodeId[node],
      type: this.g.typeName(node),
      name: this.g.name(node),
      location: this.parts.locations.locate(node),
      selfSize: this.g.nodeSelfSize[node],
      retainedSize: this.parts.retainedSize[node],
      ...distanceFields(this.parts.distances[node]),
    };
  }

  private label(group: RawStep[]): string {
    const g = this.g;
    const sem = this.parts.semantics;
    const first = group[0];
    const last = group[group.length - 1];
    const type = g.edgeType[last.edge];
    const name = g.edgeName(last.edge);
    const eph = sem.ephemeron(last.edge);
    if (eph) {
      return g.nodeId[last.from] === eph.keyId ? `${eph.kind} value kept by this key` : `${eph.kind} entry (alive while its key is)`;
    }
    if (g.nodeType[first.from] === g.types.closure && g.edgeNamed(first.edge, 'context') && type === g.edges.context) {
      return `closure captures \`${name}\``;
    }
    if (type === g.edges.context) return `variable \`${name}\``;
    if (sem.isEntryEdge(last.edge) && group.length > 1 && g.edgeNamed(group[group.length - 2].edge, 'table')) {
      return `${g.name(first.from) || 'Map'} entry`;
    }
    if (type === g.edges.element) return `[${name}]`;
    if (type === g.edges.property) return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
    if (type === g.edges.shortcut) return `(root link ${name})`;
    if (type === g.edges.weak) return `weak ${name}`;
    if (type === g.edges.hidden) return `(hidden ${name})`;
    if (g.edgeNamed(last.edge, 'bound_this')) return 'bound `this`';
    if (g.edgeNamed(last.edge, 'value') && g.name(last.from) === 'system / PropertyCell') return `.${g.edgeName(first.edge)}`;
    return `(internal ${name})`;
  }

}

/** The shortest run of one repeated link that folds into one row. */
const MIN_RUN = 3;

/**
 * Folds runs of the same link into one step: a pattern of one or two steps (same labels, same classes) repeated at
 * least MIN_RUN times, such as "280 x WeakCell .next" or a promise chain's "Promise reactions / PromiseReaction".
 * Returns the steps and, for every input step, the index of the step that now shows it.
 */
export function foldRepeats(steps: Step[]): { steps: Step[]; index: number[] } {
  const out: Step[] = [];
  const index: number[] = [];
  const key = (s: Step) => `${s.from.type}\u0000${s.from.name}\u0000${s.label ?? s.edge.name}\u0000${s.to.type}\u0000${s.to.name}`;
  let i = 0;
  while (i < steps.length) {
    let folded = false;
    for (const period of [1, 2]) {
      let reps = 1;
      while (i + (reps + 1) * period <= steps.length && samePattern(steps, i, i + reps * period, period, key)) reps++;
      if (reps < MIN_RUN || (period === 2 && key(steps[i]) === key(steps[i + 1]))) continue;
      const run = steps.slice(i, i + reps * period);
      const first = run[0];
      const last = run[run.length - 1];
      const pattern = run.slice(0, period).map((s) => `${s.from.name || `(${s.from.type})`} ${s.label ?? s.edge.name}`).join(' / ');
      out.push({ from: first.from, edge: first.edge, to: last.to, label: `${reps} x ${pattern}`, folded: run });
      for (let k = 0; k < run.length; k++) index.push(out.length - 1);
      i += run.length;
      folded = true;
      break;
    }
    if (!folded) {
      out.push(steps[i]);
      index.push(out.length - 1);
      i++;
    }
  }
  return { steps: out, index };
}

function samePattern(steps: Step[], a: number, b: number, period: number, key: (s: Step) => string): boolean {
  for (let k = 0; k < period; k++) if (key(steps[a + k]) !== key(steps[b + k])) return false;
  return true;
}
