/**
 * Every command the extension registers, with its title, its `when` clause, and the argument it accepts, in one map.
 * package.json's `contributes.commands` and menus must agree with it (test/suite/manifest.test.ts checks).
 *
 * Arguments arrive from VS Code (menus, keybindings, `executeCommand`) as `unknown`; each command's parser turns them
 * into the typed argument or a sentence that says what was expected.
 */

/** `when` fragments built from the context keys the extension sets (see debugSessions.ts). */
export const CONTEXT = {
  /** A js-debug Node session (or the child of one) is running. */
  nodeSession: 'retentionExplorer.nodeSession',
  /** A direct `--inspect` connection is open. */
  attached: 'retentionExplorer.attached',
  /** An allocation recording is running on some target. */
  recording: 'retentionExplorer.recording',
  /** At least one analysed snapshot is open. */
  hasSnapshot: 'retentionExplorer.hasSnapshot',
  /** A leak hunt has its baseline. */
  huntStarted: 'retentionExplorer.huntStarted',
  /** A leak hunt has its target snapshot: suspects can be shown. */
  huntHasTarget: 'retentionExplorer.huntHasTarget',
} as const;

const canCapture = `${CONTEXT.nodeSession} || ${CONTEXT.attached}`;

export interface CommandSpec {
  title: string;
  /** Shown in the command palette under this clause; `false`: never in the palette (internal or menu-only). */
  palette: string | false;
  icon?: string;
  /** Internal commands are registered but not contributed (tests and webviews use them). */
  internal?: boolean;
}

export const COMMANDS = {
  'retentionExplorer.findRetainingCycles': {
    title: 'Find Retaining Cycles',
    palette: 'true',
    icon: '$(type-hierarchy-sub)',
  },
  'retentionExplorer.findRetainingCyclesForVariable': {
    title: 'Find Retaining Cycles',
    // Only from the Variables and Watch views, whose argument names the variable.
    palette: false,
    icon: '$(type-hierarchy-sub)',
  },
  'retentionExplorer.takeHeapSnapshot': {
    title: 'Take Heap Snapshot',
    palette: canCapture,
    icon: '$(device-camera)',
  },
  'retentionExplorer.attachToInspector': {
    title: 'Attach to Inspector Port',
    palette: 'true',
    icon: '$(plug)',
  },
  'retentionExplorer.detach': {
    title: 'Detach from Inspector',
    palette: CONTEXT.attached,
    icon: '$(debug-disconnect)',
  },
  'retentionExplorer.openSnapshotFile': {
    title: 'Open Heap Snapshot File',
    palette: 'true',
    icon: '$(folder-opened)',
  },
  'retentionExplorer.startAllocationRecording': {
    title: 'Start Allocation Recording',
    palette: `(${canCapture}) && !${CONTEXT.recording}`,
    icon: '$(record)',
  },
  'retentionExplorer.stopAllocationRecording': {
    title: 'Stop Allocation Recording',
    palette: CONTEXT.recording,
    icon: '$(debug-stop)',
  },
  'retentionExplorer.findInstancesOfClass': {
    title: 'Find Instances of Class',
    palette: CONTEXT.hasSnapshot,
    icon: '$(symbol-class)',
  },
  'retentionExplorer.showObjectById': {
    title: 'Show Retainers of Heap Object Id',
    palette: CONTEXT.hasSnapshot,
    icon: '$(search)',
  },
  'retentionExplorer.showRetentionPanel': {
    title: 'Show Retention Tree',
    palette: CONTEXT.hasSnapshot,
    icon: '$(list-tree)',
  },
  'retentionExplorer.takeBaseline': {
    title: 'Find Leaks: Take Baseline Snapshot',
    palette: canCapture,
    icon: '$(debug-start)',
  },
  'retentionExplorer.runAction': {
    title: 'Find Leaks: Repeat an Action in the Program...',
    palette: CONTEXT.huntStarted,
    icon: '$(run-all)',
  },
  'retentionExplorer.takeTarget': {
    title: 'Find Leaks: Take Target Snapshot',
    palette: CONTEXT.huntStarted,
    icon: '$(device-camera)',
  },
  'retentionExplorer.takeFinal': {
    title: 'Find Leaks: Take Final Snapshot',
    palette: CONTEXT.huntHasTarget,
    icon: '$(device-camera)',
  },
  'retentionExplorer.showLeakSuspects': {
    title: 'Find Leaks: Show Leak Suspects',
    palette: CONTEXT.huntHasTarget,
    icon: '$(bug)',
  },
  'retentionExplorer.compareSnapshots': {
    title: 'Compare Heap Snapshots...',
    palette: 'true',
    icon: '$(diff)',
  },
  'retentionExplorer.copyAsRegressionTest': {
    title: 'Copy as Regression Test',
    // Only from the retention tree's context menu, whose argument is the finding.
    palette: false,
    icon: '$(beaker)',
  },
  'retentionExplorer._panelState': {
    title: 'Retention: panel state (tests)',
    palette: false,
    internal: true,
  },
} satisfies Record<string, CommandSpec>;

export type CommandId = keyof typeof COMMANDS;

export const CATEGORY = 'Retention';

/** Menus the extension contributes, by menu id: command and `when`. Checked against package.json too. */
export const MENUS: Record<string, { command: CommandId; when: string; group: string }[]> = {
  'debug/variables/context': [
    { command: 'retentionExplorer.findRetainingCyclesForVariable', when: 'debugType == pwa-node || debugType == node', group: 'z_retention@1' },
  ],
  'debug/watch/context': [
    { command: 'retentionExplorer.findRetainingCyclesForVariable', when: 'debugType == pwa-node || debugType == node', group: 'z_retention@1' },
  ],
  // Rows of the retention tree that carry a finding (data-vscode-context with webviewSection 'finding').
  'webview/context': [
    { command: 'retentionExplorer.copyAsRegressionTest', when: "webviewId == 'retentionExplorer.retentionTree' && webviewSection == 'finding'", group: 'retention@1' },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// Arguments

/** What "Find Retaining Cycles" accepts programmatically. */
export interface FindArgument {
  expression: string;
  /** A debug session id (the parent or the Node child); default: the active Node session. */
  sessionId?: string;
  /** Paused call frame index (0 = top); default: the focused frame when paused. */
  frame?: number;
  /** Evaluate globally even when paused. */
  global?: boolean;
}

/** What the Variables and Watch context menus pass (the fields we read). */
export interface VariableArgument {
  expression: string;
  sessionId?: string;
  /** A readable name for messages ("leaf"). */
  name: string;
}

export class ArgumentError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `undefined` (ask the user), a string expression, or `{expression, sessionId?, frame?, global?}`. */
export function parseFindArgument(arg: unknown): FindArgument | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return { expression: arg };
  if (!isRecord(arg) || typeof arg.expression !== 'string') {
    throw new ArgumentError('Find Retaining Cycles takes an expression string, or {expression, sessionId?, frame?, global?}.');
  }
  const out: FindArgument = { expression: arg.expression };
  if (arg.sessionId !== undefined) {
    if (typeof arg.sessionId !== 'string') throw new ArgumentError('sessionId must be a debug session id (a string).');
    out.sessionId = arg.sessionId;
  }
  if (arg.frame !== undefined) {
    if (typeof arg.frame !== 'number' || !Number.isInteger(arg.frame) || arg.frame < 0) throw new ArgumentError('frame must be a call frame index (0 = top).');
    out.frame = arg.frame;
  }
  if (arg.global !== undefined) out.global = arg.global === true;
  return out;
}

/**
 * The Variables view passes `{sessionId, container, variable: {name, evaluateName, variablesReference}}`; the Watch
 * view passes the same shape for a child variable, and for a watch expression itself an element with `name` and
 * `evaluateName` (or `expression`).
 */
export function parseVariableArgument(arg: unknown): VariableArgument {
  const sessionId = isRecord(arg) && typeof arg.sessionId === 'string' ? arg.sessionId : undefined;
  const variable = isRecord(arg) && isRecord(arg.variable) ? arg.variable : isRecord(arg) ? arg : undefined;
  if (!variable) throw new ArgumentError('Run this from the Variables or Watch view on an object.');
  const name = typeof variable.name === 'string' ? variable.name : typeof variable.expression === 'string' ? variable.expression : 'the variable';
  const wrapped = isRecord(arg) && isRecord(arg.variable);
  const expression = typeof variable.evaluateName === 'string' && variable.evaluateName
    ? variable.evaluateName
    : typeof variable.expression === 'string' && variable.expression ? variable.expression
      // A watch expression itself arrives unwrapped, its `name` being the expression the user typed.
      : !wrapped && typeof variable.name === 'string' ? variable.name : '';
  if (!expression) {
    throw new ArgumentError(`The debugger gives no expression for ${name}, so it cannot be selected; add it to Watch as an expression, or run "Retention: Find Retaining Cycles" and type one.`);
  }
  return sessionId ? { expression, sessionId, name } : { expression, name };
}

/** An inspector address (`HOST:PORT`, `PORT`, `ws://...`) or undefined (ask). */
export function parseAddressArgument(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'number' && Number.isInteger(arg)) return String(arg);
  if (isRecord(arg) && typeof arg.address === 'string') return arg.address;
  throw new ArgumentError('Attach to Inspector Port takes an address such as "127.0.0.1:9229".');
}

/** A file path, a `vscode.Uri`-like `{fsPath}`, or undefined (ask). */
export function parsePathArgument(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return arg;
  if (isRecord(arg) && typeof arg.fsPath === 'string') return arg.fsPath;
  throw new ArgumentError('Open Heap Snapshot File takes a path or a file URI.');
}

/** `{snapshotId?, heapId}` for showObjectById, or a number. */
export function parseObjectArgument(arg: unknown): { snapshotId?: number; heapId: number } | undefined {
  if (arg === undefined || arg === null) return undefined;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (ok(arg)) return { heapId: arg };
  if (isRecord(arg) && ok(arg.heapId) && (arg.snapshotId === undefined || ok(arg.snapshotId))) {
    return arg.snapshotId === undefined ? { heapId: arg.heapId } : { heapId: arg.heapId, snapshotId: arg.snapshotId };
  }
  throw new ArgumentError('Show Retainers of Heap Object Id takes a heap id (the @123 in DevTools) or {snapshotId, heapId}.');
}

/** What "Repeat an Action" accepts programmatically: `{expression, times?}`, or undefined (ask). */
export function parseActionArgument(arg: unknown): { expression?: string; times?: number; target?: string } | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return { expression: arg };
  if (!isRecord(arg) || (arg.expression !== undefined && typeof arg.expression !== 'string')) {
    throw new ArgumentError('Repeat an Action takes an expression string, or {expression?, times?, target?}.');
  }
  const out: { expression?: string; times?: number; target?: string } = {};
  if (typeof arg.expression === 'string') out.expression = arg.expression;
  if (arg.times !== undefined) {
    if (typeof arg.times !== 'number' || !Number.isSafeInteger(arg.times) || arg.times < 1 || arg.times > 10_000) throw new ArgumentError('times must be a whole number from 1 to 10000.');
    out.times = arg.times;
  }
  if (typeof arg.target === 'string') out.target = arg.target;
  return out;
}

/** Snapshot ids to compare (2 or 3, oldest first), file paths to open and compare, or undefined (ask). */
export function parseCompareArgument(arg: unknown): { snapshotIds?: number[]; paths?: string[] } | undefined {
  if (arg === undefined || arg === null) return undefined;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (isRecord(arg) && Array.isArray(arg.snapshotIds) && arg.snapshotIds.every(ok)) return { snapshotIds: arg.snapshotIds };
  if (isRecord(arg) && Array.isArray(arg.paths) && arg.paths.every((p) => typeof p === 'string')) return { paths: arg.paths };
  // The Explorer passes the clicked file and, with several selected, all of them.
  if (isRecord(arg) && typeof arg.fsPath === 'string') return { paths: [arg.fsPath] };
  throw new ArgumentError('Compare Heap Snapshots takes {snapshotIds: [baseline, target, final?]} or {paths: [...]}.');
}


/**
 * The finding a retention tree row carries (its data-vscode-context, which VS Code passes as the argument). It comes
 * from a webview: every field is checked and bounded.
 */
export function parseFindingArgument(arg: unknown): { expression: string; className: string; scope: string; fix?: string; where?: string } {
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
  if (!isRecord(arg) || arg.webviewSection !== 'finding') throw new ArgumentError('Copy as Regression Test runs from a row of the retention tree (right-click the object or a fix).');
  const out: { expression: string; className: string; scope: string; fix?: string; where?: string } = {
    expression: str(arg.expression, 500),
    className: str(arg.className, 200),
    scope: str(arg.scope, 200),
  };
  const fix = str(arg.fix, 1000);
  const where = str(arg.where, 500);
  if (fix) out.fix = fix;
  if (where) out.where = where;
  return out;
}

/** A session-id argument for snapshot/recording commands: a string id, `{sessionId}`, or undefined (the active one). */
export function parseTargetArgument(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === 'string') return arg;
  if (isRecord(arg) && typeof arg.sessionId === 'string') return arg.sessionId;
  if (isRecord(arg) && typeof arg.target === 'string') return arg.target;
  return undefined;
}
