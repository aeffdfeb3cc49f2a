# syntax=docker/dockerfile:1
#
# Atrium backend image: one image, three commands. Node 24 runs the TypeScript sources directly
# (type stripping, ADR 0001), so there is no build step and no dist/ folder.
#
#   API (default)   docker run … atrium-backend
#   job worker      docker run … atrium-backend node src/worker.ts
#   migrations      docker run … atrium-backend node src/db/migrate-cli.ts
#
# Build from the repository root (the build context must be the root: the lockfile lives there):
#
#   docker build -f deploy/backend.Dockerfile -t atrium-backend .
#
# The image defaults to APP_ENV=production, which refuses to start without AUTH_SECRET,
# DATABASE_URL, SMTP_URL, an https:// WEB_URL and METRICS_TOKEN (see docs/deploy.md).

ARG NODE_IMAGE=node:24-slim

# ---------------------------------------------------------------------------------------------------
# deps: the backend workspace's production dependencies, nothing else
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# The lockfile covers both workspaces, so `npm install` needs every workspace's package.json to check it
# against; the frontend's sources are not needed.
COPY package.json package-lock.json ./
COPY backend/package.json backend/package.json
COPY frontend/package.json frontend/package.json
# --omit=dev           no test, lint or build tools (vitest, drizzle-kit, biome, the `node` package…).
# --workspace=backend  only what the backend depends on, not the web app's packages.
# --legacy-peer-deps   without it npm also keeps packages that are merely *optional* peers of a backend
#                      dependency (better-auth lists next, react, vitest, drizzle-kit…): ~400 MB the
#                      API never loads. Every required peer is a direct dependency in backend/package.json.
# --ignore-scripts     no production dependency needs an install script; not running them is safer.
RUN --mount=type=cache,target=/root/.npm \
    npm install --omit=dev --workspace=backend --legacy-peer-deps --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/.bin \
 && mkdir -p backend/node_modules

# ---------------------------------------------------------------------------------------------------
# runtime: node:24-slim + production node_modules + backend sources and SQL migrations
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    APP_ENV=production \
    API_HOST=0.0.0.0 \
    API_PORT=4000
WORKDIR /app
# Owned by root and read-only for the `node` user that runs the process: the code cannot be changed
# at run time. In production nothing is written to disk (the database is PostgreSQL).
COPY --from=deps /app/node_modules ./node_modules
# npm keeps a package in the workspace's own node_modules when it cannot be hoisted (today:
# better-auth, installed for both workspaces with different peers). Node resolves it from there.
COPY --from=deps /app/backend/node_modules ./backend/node_modules
# package.json carries "type": "module", which tells Node how to load the .ts files.
COPY backend/package.json backend/package.json
# src/ includes the SQL migrations (src/db/migrations) that migrate-cli.ts and server.ts apply.
COPY backend/src backend/src
WORKDIR /app/backend
# The unprivileged user that the official Node images provide (uid 1000).
USER node
EXPOSE 4000
# Liveness of the API process. The worker and migration containers have no HTTP server: disable this
# check for them (docker compose: `healthcheck: { disable: true }`). `fetch` is built into Node.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) finishes in-flight requests and jobs, then exits (SHUTDOWN_TIMEOUT_MS + 5 s at
# most): give the container that long before it is killed (compose: stop_grace_period).
STOPSIGNAL SIGTERM
# V8's heap sized for the API (docs/performance.md): a 16 MB semi-space (the young generation otherwise
# grows to 128 MB under load) and a 384 MB old generation (its growth heuristics scale with that limit:
# under load the API's resident memory stays near 240 MB instead of passing 300).
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=384", "src/server.ts"]
