/** Where progress goes: stderr, or a test's stand-in. isTTY decides between bars and plain lines. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Plain-line mode only: the least time between two lines of one unfinished step. */
  intervalMs?: number;
  /** The clock, in milliseconds (tests pass their own). */
  now?: () => number;
}

export type ProgressPrinter = (step: string, done: number, total: number) => void;

const BAR_WIDTH = 30;
const DEFAULT_INTERVAL_MS = 5000;

function progressLine(step: string, done: number, total: number, withBar: boolean): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = withBar ? `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ` : '';
  return `  ${step.padEnd(22)} ${bar}${(fraction * 100).toFixed(0).padStart(3)}%  ${done}/${total}`;
}

/**
 * Progress of long steps. On a terminal one bar per step, redrawn in place. Elsewhere (a log
 * file, a service manager, a CI job) a redrawn bar would only show at 100%, so plain lines
 * come instead: when a step starts, then at most every intervalMs, and once when it completes.
 * A step that reports completion twice in a row prints it once.
 */
export function createProgressPrinter(stream: ProgressStream, options: ProgressOptions = {}): ProgressPrinter {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const lastLineAt = new Map<string, number>();
  const completed = new Set<string>();
  return (step, done, total) => {
    const complete = total <= 0 || done >= total;
    // A completion repeated (a last batch, then a closing report) prints once; a later run of the step starts afresh.
    if (complete && completed.has(step)) return;
    if (complete) completed.add(step);
    else completed.delete(step);
    if (stream.isTTY) {
      stream.write(`\r${progressLine(step, done, total, true)}${complete ? '\n' : ''}`);
      return;
    }
    const previous = lastLineAt.get(step);
    if (!complete && previous !== undefined && now() - previous < intervalMs) return;
    if (complete) lastLineAt.delete(step);
    else lastLineAt.set(step, now());
    stream.write(`${progressLine(step, done, total, false)}\n`);
  };
}

/** The printer for stderr, shared by the server's first start and the scripts. */
export const renderProgress: ProgressPrinter = createProgressPrinter(process.stderr);

/**
 * Says that a slow step has begun and, when its promise settles, how long it took: the
 * first start spends seconds opening and migrating the embedded database before anything else.
 */
export async function announced<T>(label: string, work: () => Promise<T>, stream: ProgressStream = process.stderr, now: () => number = Date.now): Promise<T> {
  const started = now();
  stream.write(`  ${label} …\n`);
  const result = await work();
  stream.write(`  ${label}: done in ${((now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}
