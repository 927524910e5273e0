/** One-line progress bar on stderr, redrawn in place; a newline when a step completes. */
export function renderProgress(step: string, done: number, total: number): void {
  const width = 30;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const line = `  ${step.padEnd(22)} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}%  ${done}/${total}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${fraction >= 1 ? '\n' : ''}`);
  else if (fraction >= 1) process.stderr.write(`${line}\n`);
}
