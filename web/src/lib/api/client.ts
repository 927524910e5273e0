/**
 * The one HTTP client of the web app. Same origin, cookie session; every non-GET request
 * carries the CSRF token the server handed out at login (or /me). Failures become ApiError
 * with the server's `{ error: { code, message, details } }` when there is one.
 */
import type {
  AreaCollection,
  AreaLevel,
  BBox,
  Building,
  BuildingFootprintCollection,
  Health,
  Session,
} from './types.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status, or 0 when the request never got an answer (network down, server gone). */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  get isNetworkFailure(): boolean {
    return this.status === 0;
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** Called whenever a request that needed a session gets 401 (session expired or revoked). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: ErrorBody | undefined;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
  const message =
    typeof error?.message === 'string' ? error.message : response.statusText || 'Request failed';
  return new ApiError(response.status, code, message, error?.details);
}

async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network_error', cause instanceof Error ? cause.message : String(cause));
  }

  if (!response.ok) {
    const error = await errorFrom(response);
    if (error.isUnauthorized && path !== '/api/auth/login' && path !== '/api/auth/me') {
      for (const listener of unauthorizedListeners) listener();
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function remember(session: Session): Session {
  csrfToken = session.csrfToken;
  return session;
}

export const api = {
  async login(username: string, password: string): Promise<Session> {
    return remember(await request<Session>('POST', '/api/auth/login', { body: { username, password } }));
  },

  /** The current session, or null when nobody is signed in. */
  async me(): Promise<Session | null> {
    try {
      return remember(await request<Session>('GET', '/api/auth/me'));
    } catch (error) {
      if (error instanceof ApiError && error.isUnauthorized) return null;
      throw error;
    }
  },

  async logout(): Promise<void> {
    try {
      await request<unknown>('POST', '/api/auth/logout');
    } finally {
      csrfToken = undefined;
    }
  },

  health(signal?: AbortSignal): Promise<Health> {
    return request<Health>('GET', '/api/health', { signal });
  },

  areas(level: AreaLevel, signal?: AbortSignal): Promise<AreaCollection> {
    return request<AreaCollection>('GET', `/api/areas?level=${level}`, { signal });
  },

  buildingFootprints(bbox: BBox, signal?: AbortSignal): Promise<BuildingFootprintCollection> {
    const box = bbox.map((value) => value.toFixed(6)).join(',');
    return request<BuildingFootprintCollection>('GET', `/api/buildings.geojson?bbox=${box}`, {
      signal,
    });
  },

  building(code: string, signal?: AbortSignal): Promise<Building> {
    return request<Building>('GET', `/api/buildings/${encodeURIComponent(code)}`, { signal });
  },
};

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
