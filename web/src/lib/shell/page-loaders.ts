import type { Component } from 'svelte';
import type { SessionUser } from '../api/types.ts';
import { pagePaths, type PageId } from './pages.ts';

type PageModule = { default: Component<{ user: SessionUser }> };

// Each page is its own chunk: a collector never downloads the planner's deck.gl layers.
export const pageLoaders: Record<PageId, () => Promise<PageModule>> = {
  overview: () => import('../../pages/LeaderHome.svelte'),
  allocation: () => import('../../pages/PlannerHome.svelte'),
  police: () => import('../../pages/PoliceHome.svelte'),
  'my-grid': () => import('../../pages/CollectorHome.svelte'),
  admin: () => import('../../pages/AdminHome.svelte'),
  audit: () => import('../../pages/AuditorHome.svelte'),
  account: () => import('../../pages/AccountHome.svelte'),
};

/**
 * Starts fetching the chunks of the page at `path` (a map page's include MapLibre's 1.1 MB) while
 * the session is checked, instead of after (issue 18: 100–380 ms of the first paint). Whether the
 * user may open that page is decided later, by the shell; a chunk is no secret.
 */
export function preloadPageAt(path: string): void {
  const page = (Object.keys(pagePaths) as PageId[]).find((id) => pagePaths[id] === path);
  if (page) void pageLoaders[page]().catch(() => undefined); // the shell reports a failed load when it asks again
}
