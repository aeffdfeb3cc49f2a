/**
 * Every route module of the API and where it is mounted: the whole HTTP surface at a glance.
 */
import type { AppConfig } from '../config.ts';
import type { AppInstance } from '../types.ts';
import { devRoutes } from './dev/dev.routes.ts';
import { systemRoutes } from './system/system.routes.ts';

export interface RouteModule {
  prefix: string;
  routes: (app: AppInstance) => Promise<void>;
  enabled?: (config: AppConfig) => boolean;
}

export const routeModules: RouteModule[] = [
  { prefix: '', routes: systemRoutes },
  { prefix: '/api/v1/dev', routes: devRoutes, enabled: (c) => c.appEnv !== 'production' },
];
