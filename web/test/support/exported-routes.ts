import { readdirSync } from 'node:fs';
import path from 'node:path';
import { OUT_DIR } from './build-web';

// web/out/**/*.html → the paths the helper serves them at; the not-found page is reached through
// a path that does not exist.
export function exportedRoutes(): string[] {
  const routes = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name !== '_next') walk(path.join(dir, entry.name), `${prefix}/${entry.name}`);
      } else if (entry.name.endsWith('.html')) {
        const name = entry.name.slice(0, -'.html'.length);
        if (name === '404' || name === '_not-found') routes.add('/no-such-page');
        else routes.add(name === 'index' ? prefix || '/' : `${prefix}/${name}`);
      }
    }
  };
  walk(OUT_DIR, '');
  return [...routes].sort();
}
