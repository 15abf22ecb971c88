/** The one handle the page has on VS Code: postMessage to the host, and state that survives hide/show. */
export interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

let api: VsCodeApi<unknown> | null = null;

export function vscodeApi<S>(): VsCodeApi<S> {
  if (!api) api = acquireVsCodeApi<unknown>();
  return api as VsCodeApi<S>;
}
