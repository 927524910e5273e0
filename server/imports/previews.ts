import type { Principal } from '../auth/session.ts';
import { maskIdNumber, maskPhone } from '../domain/id-number.ts';
import type { FieldChange, UpdatableField } from './kinds/kind.ts';
import type { ImportMode } from '../domain/word-lists.ts';
import type { ImportPreview, PreviewRow, RowOutcome } from './contract.ts';

/**
 * What a preview (issue 16.9) found, per row: added, changed (which fields, old → new) or
 * unchanged, with totals. Kept in this process's memory for the most recent jobs, like their
 * live progress: a preview is looked at right after it ran, then applied by uploading the same
 * file again without `preview`. (A server restart forgets previews; the job itself stays.)
 */

/** A change as a preview row lists it (the contract's previewRow): the file's column for the field, as the bad-row report names it. */
type PreviewChange = ImportPreview['rows'][number]['changes'][number];
export type { ImportPreview, PreviewRow, RowOutcome };

export interface JobOptions {
  mode: ImportMode;
  preview: boolean;
}

const PREVIEW_ROWS = 1000;
const JOBS_REMEMBERED = 200;

/** Roles that see a person's name and phone as written (as the rest of the API shows person facts). */
const SEES_PERSON_FACTS = new Set(['police', 'collector']);

function masked(value: unknown, personal: 'name' | 'phone' | undefined, principal: Principal): unknown {
  if (!personal || value === null || SEES_PERSON_FACTS.has(principal.role)) return value;
  return personal === 'phone' ? maskPhone(String(value)) : '***';
}

/** Collects a preview while the job validates, masking what the caller may not see. */
export class PreviewLog {
  private readonly preview: ImportPreview = { totals: { added: 0, changed: 0, unchanged: 0 }, rows: [], truncated: false };

  constructor(
    private readonly principal: Principal,
    private readonly keyIsIdNumber: boolean,
    private readonly fields: readonly UpdatableField<never>[],
    private readonly columnOf: (field: string) => string,
  ) {}

  add(row: number, key: string, changes: FieldChange[] | undefined): void {
    const outcome: RowOutcome = changes === undefined ? 'added' : changes.length > 0 ? 'changed' : 'unchanged';
    this.preview.totals[outcome] += 1;
    if (this.preview.rows.length >= PREVIEW_ROWS) {
      this.preview.truncated = true;
      return;
    }
    const shownKey = this.keyIsIdNumber && this.principal.role !== 'police' ? maskIdNumber(key) : key;
    this.preview.rows.push({ row, key: shownKey, outcome, changes: (changes ?? []).map((change) => this.shown(change)) });
  }

  private shown(change: FieldChange): PreviewChange {
    const personal = this.fields.find((field) => field.name === change.field)?.personal;
    return {
      field: change.field,
      column: this.columnOf(change.field),
      old: masked(change.old, personal, this.principal),
      new: masked(change.new, personal, this.principal),
    };
  }

  result(): ImportPreview {
    this.preview.rows.sort((a, b) => a.row - b.row);
    return this.preview;
  }
}

/** Bounded memory of the recent jobs' options and previews. */
class RecentJobs<Value> {
  private readonly values = new Map<number, Value>();

  set(id: number, value: Value): void {
    this.values.set(id, value);
    if (this.values.size > JOBS_REMEMBERED) this.values.delete(this.values.keys().next().value!);
  }

  get(id: number): Value | undefined {
    return this.values.get(id);
  }
}

export const jobOptions = new RecentJobs<JobOptions>();
export const previews = new RecentJobs<ImportPreview>();
