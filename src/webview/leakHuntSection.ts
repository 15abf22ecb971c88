/**
 * The sidebar's "Find Leaks" section: the guided hunt as numbered steps (baseline, the action, target, optional
 * final, suspects), each a button while it is the next thing to do and a line saying what was taken once done.
 */
import type { LeakHuntState, SidebarCommand, SidebarTarget } from '../shared/webviewProtocol';
import type { SnapshotInfo } from '../shared/workerProtocol';
import { h, icon, text } from './dom';
import { timeOf } from './format';

export type ButtonFactory = (label: string, iconName: string, onClick: () => void, opts?: { primary?: boolean; title?: string; disabled?: boolean }) => HTMLButtonElement;

export function leakHuntSection(
  hunt: LeakHuntState,
  live: SidebarTarget[],
  busy: boolean,
  command: (c: SidebarCommand, target?: string) => void,
  button: ButtonFactory,
): HTMLElement | null {
  const program = hunt.program && live.find((t) => t.key === hunt.program!.key);
  if (live.length === 0 && !hunt.baseline) return null;
  const key = program?.key ?? live[0]?.key;
  const canCapture = !!key && !busy;
  const taken = (s: SnapshotInfo) => h('span', { class: 'done' }, icon('pass-filled'), text('span', '', ` ${s.label} · ${timeOf(s.takenAt)}`));
  const step = (n: number, title: string, ...body: (Node | null)[]) =>
    h('li', { class: 'step', 'aria-label': `Step ${n}: ${title}` }, text('div', 'step-title', title), ...body);

  const steps = h('ol', { class: 'steps' },
    step(1, 'Take a baseline',
      hunt.baseline ? taken(hunt.baseline) : text('p', 'muted', 'Do the action once or twice first, so caches fill and code compiles; then take the baseline at a quiet moment. A garbage collection runs before each snapshot.'),
      button(hunt.baseline ? 'New Baseline' : 'Take Baseline', 'debug-start', () => command('takeBaseline', key), { primary: !hunt.baseline, disabled: !canCapture })),
    step(2, 'Do the action you suspect',
      text('p', 'muted', hunt.baseline
        ? 'Now repeat it a few times in the program (open and close the view, send the requests); a leak grows with each time. Or let the program run it for you:'
        : 'After the baseline, repeat the action a few times in the program.'),
      hunt.actionRuns ? text('p', 'muted', `Ran \`${hunt.lastAction ?? ''}\` ${hunt.actionRuns === 1 ? 'once' : `${hunt.actionRuns} times`} since the baseline.`) : null,
      button('Repeat an Action…', 'run-all', () => command('runAction', key), { disabled: !hunt.baseline || !canCapture || !program })),
    step(3, 'Take the target snapshot',
      hunt.target ? taken(hunt.target) : null,
      button('Take Target', 'device-camera', () => command('takeTarget', key), { primary: !!hunt.baseline && !hunt.target, disabled: !hunt.baseline || !canCapture || !program })),
    step(4, 'Optionally, undo the action and take a final snapshot',
      hunt.final ? taken(hunt.final) : text('p', 'muted', 'Objects that the undo frees are then left out: only what is still alive at the end is a suspect.'),
      button('Take Final', 'device-camera', () => command('takeFinal', key), { disabled: !hunt.target || !canCapture || !program })),
    step(5, 'See the leak suspects',
      button('Show Leak Suspects', 'bug', () => command('showSuspects'), { primary: !!hunt.target, disabled: !hunt.target || busy })));

  return h('section', { class: 'leak-hunt', 'aria-label': 'Find Leaks' },
    h('h3', { class: 'with-actions' }, text('span', '', 'Find Leaks'),
      hunt.program ? text('span', 'muted', ` in ${hunt.program.label}`) : null),
    hunt.program?.ended ? h('div', { class: 'warning' }, icon('warning'), text('span', '', 'The program has ended; the snapshots taken can still be compared.')) : null,
    steps,
    button('Compare Snapshots…', 'diff', () => command('compareSnapshots'), { title: 'Compare any two or three snapshots of one process (also saved files)', disabled: busy }));
}
