/**
 * The one handle the page has on VS Code: postMessage to the host, typed by the page's side of the protocol (a
 * misspelt request does not compile), and state that survives hide/show.
 */
export interface VsCodeApi<S, Out> {
  postMessage(message: Out): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

let api: VsCodeApi<unknown, unknown> | null = null;

export function vscodeApi<S, Out>(): VsCodeApi<S, Out> {
  if (!api) api = acquireVsCodeApi();
  return api as VsCodeApi<S, Out>;
}
