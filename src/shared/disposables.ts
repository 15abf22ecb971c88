/**
 * The one disposal pattern: each owner collects what it registers in a DisposableList and disposes it whole, newest
 * first. Structurally a `vscode.Disposable`, so it serves the VS Code layer and code that must not import `vscode`
 * (the worker client) alike.
 */
export interface Disposable {
  dispose(): void;
}

export class DisposableList implements Disposable {
  private items: Disposable[];

  constructor(...items: Disposable[]) {
    this.items = items;
  }

  push(...items: Disposable[]): void {
    this.items.push(...items);
  }

  /** Disposes every item once, newest first; one that throws does not keep the others alive. */
  dispose(): void {
    const items = this.items.reverse();
    this.items = [];
    let first: Error | undefined;
    for (const d of items) {
      try {
        d.dispose();
      } catch (e) {
        first ??= e instanceof Error ? e : new Error('A disposable threw a value that is not an Error.');
      }
    }
    if (first) throw first;
  }
}
