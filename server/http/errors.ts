/** The one error type routes and services throw; the error middleware renders it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new HttpError(400, code, message, details);
export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} ${id} not found`);
export const unauthenticated = () => new HttpError(401, 'unauthenticated', 'Log in first');
export const forbidden = (message = 'Your role may not do this') => new HttpError(403, 'forbidden', message);
