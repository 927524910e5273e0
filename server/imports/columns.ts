import type { Cell } from './cells.ts';

/** One field of an import kind and the column headers that name it, Chinese first (what docs and errors show). */
export interface FieldSpec {
  name: string;
  headers: readonly string[];
  /** A file without this column is refused as a whole, before any row is read. */
  required?: boolean;
}

/**
 * "面积(㎡)", " Building_Code ", "buildingCode" and "BUILDING CODE" name the same column: case,
 * spaces, underscores, dashes and a bracketed unit or note do not count.
 */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .replace(/[(（[【][^)）\]】]*[)）\]】]/g, '')
    .replace(/[\s_\-*:：]/g, '')
    .toLowerCase();
}

/** Maps a file's column headers (or GeoJSON property names) onto a kind's fields. */
export class ColumnMap {
  private readonly fieldByHeader = new Map<string, string>();
  private readonly resolved = new Map<string, string | null>();
  /** The header the file used for each field: the report names columns as the file does. */
  private readonly labels = new Map<string, string>();

  constructor(private readonly fields: readonly FieldSpec[]) {
    for (const field of fields) {
      for (const header of [field.name, ...field.headers]) this.fieldByHeader.set(normalizeHeader(header), field.name);
    }
  }

  fieldOf(header: string): string | undefined {
    let field = this.resolved.get(header);
    if (field === undefined) {
      field = this.fieldByHeader.get(normalizeHeader(header)) ?? null;
      this.resolved.set(header, field);
      if (field !== null && !this.labels.has(field)) this.labels.set(field, header.trim());
    }
    return field ?? undefined;
  }

  /** Required fields none of `headers` names. */
  missingRequired(headers: readonly string[]): FieldSpec[] {
    const present = new Set(headers.map((header) => this.fieldOf(header)));
    return this.fields.filter((field) => field.required && !present.has(field.name));
  }

  /** A record keyed by the file's headers, re-keyed by field name; unknown columns are left out (序号, 备注 …). */
  toFields(values: Readonly<Record<string, Cell>>): Record<string, Cell> {
    const fields: Record<string, Cell> = {};
    for (const [header, value] of Object.entries(values)) {
      const field = this.fieldOf(header);
      // The first column naming a field wins; a later duplicate column is ignored.
      if (field !== undefined && !(field in fields)) fields[field] = value;
    }
    return fields;
  }

  labelOf(field: string): string {
    return this.labels.get(field) ?? field;
  }
}
