import type { MessageKey, MessageParams } from '../i18n.ts';
import { fieldProblems, summaryOf, type FieldProblem } from './problems.ts';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/**
 * One form's round trip to the server: busy while it runs, then either a success sentence or
 * what went wrong — a summary above the form and the problems per field.
 */
export class Submission {
  busy = $state(false);
  problems = $state.raw<FieldProblem[]>([]);
  outcome = $state<{ ok: boolean; text: string } | undefined>();

  constructor(private readonly t: Translate) {}

  /** Runs `action`; its result is the success sentence. Resolves true when it succeeded. */
  async run(action: () => Promise<string>): Promise<boolean> {
    this.busy = true;
    this.reset();
    try {
      this.outcome = { ok: true, text: await action() };
      return true;
    } catch (error) {
      this.problems = fieldProblems(error);
      this.outcome = { ok: false, text: summaryOf(error, this.t) };
      return false;
    } finally {
      this.busy = false;
    }
  }

  reset(): void {
    this.problems = [];
    this.outcome = undefined;
  }
}
