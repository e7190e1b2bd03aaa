// Vite config of the playground: a plain TypeScript + DOM app. Workspace packages are consumed
// from their built `dist` (WGSL already inlined). `vite dev` and `vite preview` also serve model
// folders at /models/: the test fixture `mamba-tiny`, plus PLAYGROUND_MODELS_DIR's sub-folders.

import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { type Mount, serveMounts } from './server/static-files.js';

const fixtures = fileURLToPath(new URL('./test/fixtures/', import.meta.url));

function modelMounts(): Mount[] {
  const mounts: Mount[] = [{ prefix: '/models/', root: fixtures }];
  const extra = process.env.PLAYGROUND_MODELS_DIR;
  if (extra) mounts.push({ prefix: '/models/', root: extra });
  return mounts;
}

/** Serves /models/ (with Range requests) in `vite dev` and `vite preview`. */
function serveModels(): Plugin {
  const middleware = (
    req: Parameters<typeof serveMounts>[0],
    res: Parameters<typeof serveMounts>[1],
    next: (error?: unknown) => void,
  ) => {
    serveMounts(req, res, modelMounts()).then((served) => {
      if (served) return;
      // A missing model file must be a 404 (the loader probes optional files), not the SPA page.
      if (new URL(req.url ?? '/', 'http://localhost').pathname.startsWith('/models/')) {
        res.statusCode = 404;
        res.end();
      } else {
        next();
      }
    }, next);
  };
  return {
    name: 'playground-serve-models',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [serveModels()],
  build: { outDir: 'dist', target: 'es2022', sourcemap: true, emptyOutDir: true },
});
