/**
 * The value, or a failure naming what was missing: for indexed reads in tests that
 * `noUncheckedIndexedAccess` types as possibly undefined (a missing path, layer or row is a test
 * failure with a clear message, not a TypeError further on).
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}, found nothing`);
  return value;
}

/** One operation of an OpenAPI document, or a failure naming the missing path or method. */
export function operationAt<Operation>(document: { paths: Record<string, Record<string, Operation>> }, path: string, method: string): Operation {
  return defined(defined(document.paths[path], `the path ${path}`)[method], `${method.toUpperCase()} ${path}`);
}
