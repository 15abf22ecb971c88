/**
 * Links each fix in a finished report to the line that creates the reference it names: the `.on(` /
 * `addEventListener(` / `.set(` / `.push(` / `[key] =` / `this.parent =` / `setInterval(` call or assignment, found
 * by parsing the scripts the path runs through (referenceSites.ts), mapped through source maps to the original
 * (TypeScript) line. Pure: script text and source maps come from a `ScriptSources` the caller provides (over the live
 * session, or from files for a saved snapshot).
 *
 * Adds to every Suggestion `site` (the most likely) and `sites` (most likely first); a fix whose reference no script
 * shows (Node's own storage, a script that does not parse) gets neither.
 */
import { findReferenceSites, ScriptIndex, type ReferenceQuery, type ScriptPosition } from './referenceSites';
import type { RetentionReport, SourceLocation, Step, Suggestion } from './report';
import { shortUrl } from './retention';

export interface ScriptSources {
  /** The text of the script a location is in (by URL, else script id), or null. Implementations cache per script. */
  source(loc: SourceLocation): Promise<string | null>;
  /** A position in a script mapped to its original source (TypeScript), or null when the script has no source map. */
  original(loc: SourceLocation): Promise<SourceLocation | null>;
}

export interface SiteOptions {
  /** Scripts searched per fix (the listener's or holder's first). Default 4. */
  maxScripts?: number;
  /** Sites kept per fix. Default 5. */
  maxSites?: number;
  /** Scripts longer than this are not parsed (a bundle of many megabytes). Default 8 million characters. */
  maxScriptChars?: number;
}

/** What a fix's reference is, and where to look for the line that makes it. */
export interface ReferencePlan {
  query: ReferenceQuery;
  /** Scripts to search, most likely first (each by a location in it). */
  scripts: SourceLocation[];
  /** The function (a listener, a timer callback) whose definition the sites must pass, when there is one. */
  fn?: SourceLocation | null;
}

/** Parses each script once; keep one per session (or per snapshot) to reuse parses across reports. */
export class ReferenceSiteFinder {
  /** Parsed scripts, least recently used first (a Map keeps insertion order); at most MAX_PARSED. */
  private readonly parsed = new Map<string, Promise<ScriptIndex | null>>();

  constructor(private readonly sources: ScriptSources, private readonly options: SiteOptions = {}) {}

  /** Adds `site` and `sites` to every suggestion of the report (in place) and returns it. */
  async addTo(report: RetentionReport): Promise<RetentionReport> {
    const jobs: { s: Suggestion; steps: Step[] }[] = [];
    for (const p of report.paths) if (p.suggestion) jobs.push({ s: p.suggestion, steps: p.steps });
    for (const c of report.cycles) if (c.suggestion) jobs.push({ s: c.suggestion, steps: c.steps });
    if (report.fix) jobs.push({ s: report.fix, steps: report.paths[report.fix.path]?.steps ?? [] });
    for (const { s, steps } of jobs) {
      const plan = planReference(steps, s.step);
      if (!plan) continue;
      const sites = await this.sitesFor(plan);
      if (sites.length) {
        s.sites = sites;
        s.site = sites[0];
      }
    }
    return report;
  }

  private async sitesFor(plan: ReferencePlan): Promise<SourceLocation[]> {
    const maxScripts = this.options.maxScripts ?? 4;
    const maxSites = this.options.maxSites ?? 5;
    const found: { loc: SourceLocation; score: number; order: number }[] = [];
    const fn = plan.fn ? generatedOf(plan.fn) : null;
    let order = 0;
    for (const script of uniqueScripts(plan.scripts).slice(0, maxScripts)) {
      const index = await this.index(script);
      if (!index) continue;
      // A function's definition position only means something in its own script.
      const at: ScriptPosition | undefined = fn && scriptKey(fn) === scriptKey(script) ? { line: fn.line, column: fn.column } : undefined;
      const query = withPosition(plan.query, at);
      for (const site of findReferenceSites(index, query, maxSites)) {
        const loc: SourceLocation = { url: script.url, line: site.line, column: site.column, origin: 'site' };
        if (script.scriptId !== undefined) loc.scriptId = script.scriptId;
        found.push({ loc, score: site.score, order });
      }
      order++;
    }
    found.sort((a, b) => b.score - a.score || a.order - b.order);
    const out: SourceLocation[] = [];
    for (const { loc } of found.slice(0, maxSites)) out.push((await this.sources.original(loc).catch(() => null)) ?? loc);
    return out;
  }

  private index(script: SourceLocation): Promise<ScriptIndex | null> {
    const key = scriptKey(script);
    let pending = this.parsed.get(key);
    if (pending) {
      this.parsed.delete(key);
      this.parsed.set(key, pending);
    } else {
      if (this.parsed.size >= MAX_PARSED) this.parsed.delete(this.parsed.keys().next().value!);
      pending = this.sources.source(script).then((text) => {
        if (text === null || text.length > (this.options.maxScriptChars ?? 8_000_000)) return null;
        return ScriptIndex.parse(text);
      }).catch(() => null);
      this.parsed.set(key, pending);
    }
    return pending;
  }
}

/**
 * What the suggestion at `index` names, read from the path's steps: a listener (its emitter storage), a timer's
 * callback, a Map/Set entry, an array element, a property. Null for what no line of the program creates by itself.
 */
export function planReference(steps: Step[], index: number): ReferencePlan | null {
  const step = steps[index];
  if (!step) return null;
  const before = steps[index - 1];
  const nearby = (from: number, to: number) => steps.slice(Math.max(0, from), Math.min(steps.length, to + 1)).map((s) => [s.from.location, s.to.location]).flat();

  // A timer: Timeout._onTimeout -> callback. The suggestion may name the timer list, the Timeout or what the
  // callback captures: the line to change is the setInterval/setTimeout call either way.
  const timer = steps.findIndex((s) => s.from.name === 'Timeout' && s.edge.name === '_onTimeout' && s.to.type === 'closure');
  if (timer >= 0 && index >= timer - 2 && index <= timer + 1) {
    const callback = steps[timer].to;
    return { query: { kind: 'timer', callbackName: callback.name }, fn: callback.location, scripts: [callback.location, ...nearby(timer, timer + 2)].filter(isLoc) };
  }

  // A listener: the closure an emitter's storage holds, from `_events` (EventEmitter, process) or an EventTarget's
  // listener records (`kEvents` map -> Listener .listener).
  const listener = listenerAt(steps, index);
  if (listener) {
    const fn = steps[listener.step].to;
    return {
      query: { kind: 'listener', api: listener.api, event: listener.event, listenerName: fn.name, emitterName: listener.emitterName },
      fn: fn.location,
      scripts: [fn.location, ...nearby(listener.start - 1, listener.step + 1)].filter(isLoc),
    };
  }

  const ownerClass = before && isObjectLike(before.from.type) ? before.from.name : undefined;
  const holderName = before && (before.edge.type === 'property' || before.edge.type === 'context') ? before.edge.name : undefined;
  const scripts = [before?.from.location, step.from.location, step.to.location, ...nearby(index - 2, index + 1)].filter(isLoc);
  const label = step.label ?? '';
  if (/^(Map|Set) entry/.test(label) || (step.edge.type === 'internal' && /^(Map|Set)$/.test(step.from.name))) {
    const collection = /Set/.test(label) || /Set$/.test(step.from.name) ? 'set' : 'map';
    return { query: { kind: 'entry', collection, holderName, ownerClass }, scripts };
  }
  // A JavaScript array is an `object` named Array in V8's snapshot (type `array` is the engine's own arrays).
  if (step.edge.type === 'element' && (step.from.type === 'array' || step.from.name === 'Array')) return { query: { kind: 'element', holderName, ownerClass }, scripts };
  if (step.edge.type === 'property' || (step.edge.type === 'element' && isObjectLike(step.from.type))) {
    const plain = step.from.name === 'Object' || step.from.name === '';
    return {
      query: { kind: 'property', name: step.edge.name, ownerClass: plain ? undefined : step.from.name, holderName: plain ? holderName : undefined },
      scripts: [step.from.location, ...scripts].filter(isLoc),
    };
  }
  return null;
}

/**
 * Rewrites `file.js:14` in the why/fix sentences to the original position once the report's locations are mapped
 * (each mapped location keeps the generated one it came from), so the sentence names the line its link opens.
 */
export function mapSentenceLocations(report: RetentionReport): void {
  const pairs = new Map<string, string>();
  const add = (loc: SourceLocation | null | undefined) => {
    const generated = (loc as { generated?: { url: string; line: number } } | null | undefined)?.generated;
    if (!loc || !generated) return;
    pairs.set(`${shortUrl(generated.url)}:${generated.line}`, `${shortUrl(loc.url)}:${loc.line}`);
  };
  add(report.object.location);
  const all = [...report.paths.map((p) => p.steps), ...report.cycles.map((c) => c.steps)];
  for (const steps of all) for (const s of steps) { add(s.from.location); add(s.to.location); for (const v of s.via ?? []) add(v.location); }
  if (pairs.size === 0) return;
  // Longest first, so `a/b.js:1` is not rewritten inside `a/b.js:14`; only whole `name:line` tokens are replaced.
  const keys = [...pairs.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![\\w./-])(${keys.map(escapeRegExp).join('|')})(?!\\d)`, 'g');
  const rewrite = (s: Suggestion | null | undefined) => {
    if (!s) return;
    s.reason = s.reason.replace(pattern, (m) => pairs.get(m) ?? m);
    s.fix = s.fix.replace(pattern, (m) => pairs.get(m) ?? m);
  };
  for (const p of report.paths) rewrite(p.suggestion);
  for (const c of report.cycles) rewrite(c.suggestion);
  rewrite(report.fix);
}

/** Scripts whose index a finder keeps (an index is small next to the script, but a session can load thousands). */
const MAX_PARSED = 32;

// ---- helpers -------------------------------------------------------------------------------------------------------

const LISTENER_PLUMBING = /^(_events|<symbol kEvents>|Map entry|next|listener|\d+)$/;

/** The listener closure the suggestion at `index` runs into, with what the path tells about its registration. */
function listenerAt(steps: Step[], index: number): { step: number; start: number; api: 'emitter' | 'event-target'; event?: string; emitterName?: string } | null {
  for (let k = Math.max(0, index - 1); k < Math.min(steps.length, index + 6); k++) {
    const s = steps[k];
    if (s.to.type !== 'closure') continue;
    // EventTarget: ... -kEvents-> Map -entry-> { next: Listener } ... -> Listener .listener -> fn
    if (s.edge.name === 'listener' && s.from.name === 'Listener') {
      let start = k;
      while (start > 0 && LISTENER_PLUMBING.test(bareName(steps[start - 1])) && !/kEvents/.test(steps[start].edge.name)) start--;
      if (index < start || index > k + 1) return null;
      const emitter = steps[start - 1];
      return { step: k, start, api: 'event-target', emitterName: emitter ? cleanName(emitter.edge.name) : undefined };
    }
    // EventEmitter: emitter ._events -> Object .event -> fn (one listener) or .event -> Array [i] -> fn (several).
    const eventsAt = [k - 1, k - 2].find((j) => j >= 0 && steps[j].edge.name === '_events');
    if (eventsAt === undefined) continue;
    if (index < eventsAt || index > k + 1) return null;
    const eventStep = steps[eventsAt + 1];
    const event = eventStep && eventStep.edge.type === 'property' ? eventStep.edge.name : undefined;
    const owner = steps[eventsAt - 1];
    return { step: k, start: eventsAt, api: 'emitter', event, emitterName: owner ? cleanName(owner.edge.name) : undefined };
  }
  return null;
}

function bareName(s: Step): string {
  return s.label === 'Map entry' ? 'Map entry' : s.edge.name;
}

/** `#signal` and `<symbol kFoo>` are not names a program writes before `.on(`. */
function cleanName(name: string): string | undefined {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : undefined;
}

function isObjectLike(type: string): boolean {
  return type === 'object' || type === 'closure' || type === 'native';
}

function isLoc(l: SourceLocation | null | undefined): l is SourceLocation {
  return !!l && l.line >= 1 && (!!l.url || l.scriptId !== undefined) && !l.url.startsWith('node:') && !/^internal[\\/]/.test(l.url);
}

/** The position V8 gave, before any source map (mapped locations keep it as `generated`). */
function generatedOf(loc: SourceLocation): SourceLocation {
  const g = (loc as { generated?: { url: string; line: number; column: number } }).generated;
  return g ? { ...loc, url: g.url, line: g.line, column: g.column } : loc;
}

function scriptKey(loc: SourceLocation): string {
  return loc.url ? `url:${loc.url}` : `script:${loc.scriptId}`;
}

function uniqueScripts(locs: SourceLocation[]): SourceLocation[] {
  const seen = new Set<string>();
  const out: SourceLocation[] = [];
  for (const l of locs) {
    const g = generatedOf(l);
    const key = scriptKey(g);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(g);
  }
  return out;
}

function withPosition(q: ReferenceQuery, at: ScriptPosition | undefined): ReferenceQuery {
  if (q.kind === 'listener') return { ...q, listenerAt: at };
  if (q.kind === 'timer') return { ...q, callbackAt: at };
  return q;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
