import type { FeatureRoutes } from '../http/route-registry.ts';

export const importsRoutes: FeatureRoutes = () => [];
