/**
 * Loads drizzle-orm's CommonJS build in the API and worker processes, for every importer (ours and
 * Better Auth's adapter alike, so there is one copy). Node 24 pays about 100 MB of resident memory for
 * loading drizzle-orm's ES modules (the package has hundreds of entry points in one large package.json)
 * against a few MB for the same code as CommonJS; see docs/performance.md. Only module resolution
 * changes: the same version of the same library, built by its authors in both formats.
 *
 * Must run before any module that imports drizzle-orm is resolved: the entry points import this first
 * and load the rest with a dynamic import().
 */
import { registerHooks } from 'node:module';

let registered = false;

export function loadDrizzleAsCommonJs(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, next) {
      if (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/')) {
        return next(specifier, { ...context, conditions: ['node', 'require', 'default'] });
      }
      return next(specifier, context);
    },
  });
}
