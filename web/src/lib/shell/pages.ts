import type { Role } from '../api/types.ts';

/** Each role's pages, the first being its home after login (DOMAIN.md: who uses it for what). */
export type PageId = 'overview' | 'allocation' | 'police' | 'my-grid' | 'admin' | 'audit' | 'account';

export const pagePaths: Record<PageId, string> = {
  overview: '/overview',
  allocation: '/allocation',
  police: '/police',
  'my-grid': '/my-grid',
  admin: '/admin',
  audit: '/audit',
  account: '/account',
};

export const pagesOfRole: Record<Role, readonly PageId[]> = {
  leader: ['overview', 'account'],
  planner: ['allocation', 'overview', 'account'],
  police: ['police', 'account'],
  collector: ['my-grid', 'account'],
  admin: ['admin', 'account'],
  auditor: ['audit', 'account'],
};

export const homeOf = (role: Role): PageId => pagesOfRole[role][0]!;

/** The page at `path` when this role may open it; undefined sends the user home. */
export function pageAt(path: string, role: Role): PageId | undefined {
  return pagesOfRole[role].find((page) => pagePaths[page] === path);
}
