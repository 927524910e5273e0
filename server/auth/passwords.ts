import { Algorithm, hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB memory, 2 iterations, 1 lane.
const ARGON2ID = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2ID);
export const verifyPassword = (passwordHash: string, password: string) => verify(passwordHash, password);

/** Demo accounts' passwords follow one documented pattern and are refused in production. */
export const demoPassword = (username: string) => `renwu-demo-${username}`;
