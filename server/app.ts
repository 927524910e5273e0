import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import compression from 'compression';
import express, { type RequestHandler } from 'express';
import type { AppContext } from './context.ts';
import { errorMiddleware, notFoundMiddleware } from './http/error-middleware.ts';
import { countForeground } from './http/foreground.ts';
import { jsonBodies } from './http/json-body.ts';
import { RateLimiter, rateLimit, requestBudgets } from './http/rate-limit.ts';
import { rejectNulCharacters } from './http/reject-nul.ts';
import { mountRoutes } from './http/mount-routes.ts';
import { apiRoutes } from './routes.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');

/**
 * Everything the dashboard needs comes from this origin (blob: workers are MapLibre's); a
 * configured intranet basemap adds its one origin to what the map may fetch, and only then.
 */
function securityHeaders(basemapOrigin: string | undefined): RequestHandler {
  const mapSources = basemapOrigin ? ` ${basemapOrigin}` : '';
  const policy = `default-src 'self'; img-src 'self' data: blob:${mapSources}; worker-src 'self' blob:; child-src blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'${mapSources}; object-src 'none'; frame-ancestors 'none'`;
  return (_request, response, next) => {
    response.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': policy,
    });
    next();
  };
}

export interface AppOptions {
  /** The rate limits' clock (tests step it instead of waiting). */
  now?: () => number;
}

export function createApp(context: AppContext, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies TRUST_PROXY names: else anyone could pick their address.
  app.set('trust proxy', context.config.trustProxy);
  // Background work building answers ahead waits for a quiet moment between requests (http/foreground.ts).
  app.use(countForeground);
  app.use(securityHeaders(context.config.basemap?.origin));
  const routes = apiRoutes(context);
  app.use(jsonBodies(routes));
  app.use(cookieParser());
  app.use(rejectNulCharacters);
  const limits = context.config.rateLimits;
  app.use(
    '/api/auth/login',
    rateLimit(new RateLimiter(limits.loginPerMinute), (request) => request.ip, 'to log in from this address'),
  );
  // Each route is charged its cost class to the address, and once logged in to the user too.
  const budgets = requestBudgets(limits, options.now);
  app.use('/api', mountRoutes(context, routes, budgets));
  app.use('/api', budgets.byAddress('cheap'), notFoundMiddleware);
  // OGC API Features and vector tiles sit at the root paths GIS clients and the map expect.
  // Their JSON compresses (gzip or br, as the client asks): a page of 10,000 features is ~2 MB raw.
  // The middleware leaves MVT alone (not a type it knows as compressible): tiles are gzipped by their
  // route, once per kept tile (tiles/gzipped-tiles.ts).
  app.use(['/ogc', '/tiles'], compression());
  app.use(mountRoutes(context, routes, budgets, '/'));
  serveDashboard(app);
  app.use(['/ogc', '/tiles'], budgets.byAddress('cheap'));
  app.use(notFoundMiddleware);
  app.use(errorMiddleware);
  return app;
}

/** The built Svelte app, with index.html for client-side routes. */
function serveDashboard(app: express.Express) {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  // Compressed as the client asks: the leader's first view is ~1.9 MB of scripts (maplibre and its
  // worker included), ~0.5 MB gzipped, on an intranet link rather than a loopback.
  app.use(compression());
  app.use(express.static(WEB_DIST, { index: 'index.html', maxAge: '1h' }));
  // The dashboard's client-side routes get index.html; API, tile, OGC and style paths never do
  // (a GIS client asking for a tile or style that does not exist gets a JSON 404, not a web page).
  app.get(/^\/(?!(api|tiles|ogc)(\/|$)|style\.json$).*/, (_request, response) => {
    response.sendFile(path.join(WEB_DIST, 'index.html'));
  });
}

/** Builds the dashboard with Vite when dist/web is missing (first start of a fresh clone). */
export async function ensureDashboardBuilt(): Promise<void> {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  process.stderr.write('  building the dashboard (first run only)…\n');
  const { build } = await import('vite');
  await build({ configFile: path.resolve(WEB_DIST, '../../vite.config.ts'), logLevel: 'warn' });
}
