import { isAbortError } from './client.ts';

export type ResourceStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * One thing loaded from the API, with the states a screen shows: loading, error (with the
 * cause, and a retry), ready. A new load cancels the one in flight; the last value stays while
 * the next loads, so a map layer does not blink when the month changes.
 */
export class Resource<T> {
  value = $state.raw<T | undefined>();
  status = $state<ResourceStatus>('idle');
  error = $state.raw<unknown>();

  #controller: AbortController | undefined;
  #fetcher: ((signal: AbortSignal) => Promise<T>) | undefined;

  load(fetcher: (signal: AbortSignal) => Promise<T>): void {
    this.abort();
    this.#fetcher = fetcher;
    const controller = new AbortController();
    this.#controller = controller;
    this.status = 'loading';
    this.error = undefined;
    fetcher(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        this.value = value;
        this.status = 'ready';
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbortError(error)) return;
        this.error = error;
        this.status = 'error';
      },
    );
  }

  retry = (): void => {
    if (this.#fetcher) this.load(this.#fetcher);
  };

  abort(): void {
    this.#controller?.abort();
    this.#controller = undefined;
  }

  clear(): void {
    this.abort();
    this.value = undefined;
    this.status = 'idle';
    this.error = undefined;
  }
}
