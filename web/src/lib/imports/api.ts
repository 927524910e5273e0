/**
 * The import endpoints. Reads go through fetch like lib/api/client.ts; the upload uses
 * XMLHttpRequest because fetch reports no upload progress, and a 500 MB file needs a bar.
 */
import type { CoordinateSystem } from '../../../../server/domain/coordinates.ts';
import type { ImportPreview } from '../../../../server/imports/previews.ts';
import type { ImportKind, ImportMode } from '../../../../server/imports/tables.ts';
import type { ImportJobView as ImportJob } from '../../../../server/imports/view.ts';
import { api, ApiError, query } from '../api/client.ts';

export { IMPORT_KINDS } from '../../../../server/imports/tables.ts';
export { COORDINATE_SYSTEMS } from '../../../../server/domain/coordinates.ts';
export type { CoordinateSystem } from '../../../../server/domain/coordinates.ts';
export type { ImportKind } from '../../../../server/imports/tables.ts';
/** The job as GET /api/imports/:id answers it. */
export type { ImportJobView as ImportJob } from '../../../../server/imports/view.ts';

export type { ImportPreview, PreviewRow } from '../../../../server/imports/previews.ts';
export type { ImportMode } from '../../../../server/imports/tables.ts';

/** A bad row: the reason in English (`message`, also `reason`) and Chinese (`messageZh`). */
export interface RowError {
  row: number;
  field: string;
  reason: string;
  message: string;
  messageZh: string;
}

/** The empty template of a kind, its header row in Chinese and English. */
export const templateUrl = (kind: ImportKind, format: 'csv' | 'xlsx') => `/api/imports/templates/${kind}.${format}`;

export const isFinished = (job: ImportJob) => job.status === 'done' || job.status === 'failed';

function apiErrorOf(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  return new ApiError(status, error?.code ?? `http_${status}`, error?.message ?? 'Request failed', error?.details);
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw apiErrorOf(response.status, body);
  return body as T;
}

export const recentImports = (signal?: AbortSignal) => getJson<{ jobs: ImportJob[] }>(`/api/imports${query({ limit: 20 })}`, signal);
export const importJob = (id: number, signal?: AbortSignal) =>
  getJson<{ job: ImportJob; errors: RowError[]; preview: ImportPreview | null }>(`/api/imports/${id}`, signal);

/** How a file is imported: add only, or add and update rows on file; `preview` checks and reports without changing anything. */
export interface ImportOptions {
  kind: ImportKind;
  crs: CoordinateSystem;
  mode: ImportMode;
  preview: boolean;
}

/** Uploads `file` as multipart form data; `onProgress` gets the fraction sent. Resolves with the accepted job. */
export async function uploadImport(file: File, { kind, crs, mode, preview }: ImportOptions, onProgress: (fraction: number) => void): Promise<ImportJob> {
  const session = await api.me();
  if (!session) throw new ApiError(401, 'unauthenticated', 'Log in first');
  const form = new FormData();
  form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/imports${query({ kind, crs, filename: file.name, mode, preview: String(preview) })}`);
    request.setRequestHeader('X-CSRF-Token', session.csrfToken);
    request.setRequestHeader('Accept', 'application/json');
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status === 202) resolve((request.response as { job: ImportJob }).job);
      else reject(apiErrorOf(request.status, request.response));
    };
    request.onerror = () => reject(new ApiError(0, 'network_error', 'The upload was interrupted'));
    request.send(form);
  });
}
