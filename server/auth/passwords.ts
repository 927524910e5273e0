import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { z } from 'zod';
import { bilingual } from '../http/validate.ts';

// Algorithm is an ambient const enum (unusable as a value here): 2 is Argon2id.
const ARGON2ID_ALGORITHM = 2 as Algorithm;

// OWASP's argon2id baseline: 19 MiB memory, 2 iterations, 1 lane.
const ARGON2ID = { algorithm: ARGON2ID_ALGORITHM, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2ID);
export const verifyPassword = (passwordHash: string, password: string) => verify(passwordHash, password);

/** Demo accounts' passwords follow one documented pattern and are refused in production. */
export const demoPassword = (username: string) => `renwu-demo-${username}`;

/**
 * The password policy, for a password a user chooses and for a temporary one an administrator
 * sets (server/users): long enough, and never the demo pattern anyone can guess.
 */
export const passwordPolicy = (field: string) =>
  z
    .string()
    .min(12, `${field} must have at least 12 characters`)
    .max(200)
    .refine((value) => !value.startsWith(demoPassword('')), bilingual(`${field} must not follow the demo pattern`, '不得沿用演示密码的格式'));
