import type { FeatureRoutes } from '../http/route-registry.ts';

export const rentalsRoutes: FeatureRoutes = () => [];
