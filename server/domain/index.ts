export * from './codes.ts';
export * from './id-number.ts';
