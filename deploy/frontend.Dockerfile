# syntax=docker/dockerfile:1
#
# Atrium web app image: `next build` in a build stage, `next start` in a slim runtime.
#
# Build from the repository root (the build context must be the root: the lockfile lives there):
#
#   docker build -f deploy/frontend.Dockerfile -t atrium-frontend .
#
# The API's address is NOT baked in: src/proxy.ts reads API_URL on every request, so one image can be
# pointed at any backend (`docker run -e API_URL=http://api:4000 …`).

ARG NODE_IMAGE=node:24-slim

# ---------------------------------------------------------------------------------------------------
# build: every dependency (Tailwind, PostCSS, TypeScript and the types `next build` checks), then build
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY backend/package.json backend/package.json
COPY frontend/package.json frontend/package.json
# All workspaces and dev dependencies: `next build` type-checks everything frontend/tsconfig.json
# includes (the browser tests import vitest, a dependency hoisted from the backend workspace).
# --ignore-scripts: the build needs no install script (it skips the `node` package's download of a
# second Node binary; this stage runs on the image's Node 24).
RUN --mount=type=cache,target=/root/.npm \
    npm install --ignore-scripts --no-audit --no-fund
COPY frontend/ frontend/
WORKDIR /app/frontend
# Called directly rather than through `npm run`, which would put node_modules/.bin (and the `node`
# package's missing binary) first on the PATH. .next/cache is build-time cache only.
RUN NODE_ENV=production node ../node_modules/next/dist/bin/next build \
 && rm -rf .next/cache

# ---------------------------------------------------------------------------------------------------
# prod-deps: the frontend workspace's production dependencies only
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY backend/package.json backend/package.json
COPY frontend/package.json frontend/package.json
# See backend.Dockerfile for the flags: --legacy-peer-deps keeps npm from installing packages that are
# only optional peers of a dependency (better-auth's drizzle-kit, vitest…).
RUN --mount=type=cache,target=/root/.npm \
    npm install --omit=dev --workspace=frontend --legacy-peer-deps --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/.bin \
 && mkdir -p frontend/node_modules

# ---------------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    API_URL=http://127.0.0.1:4000
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
# Packages npm could not hoist live in the workspace's own node_modules (today: better-auth).
COPY --from=prod-deps /app/frontend/node_modules ./frontend/node_modules
# next start reads next.config.ts; package.json tells Node the workspace's module type.
# (If the app ever gets a public/ folder, copy it here too.)
COPY frontend/package.json frontend/next.config.ts frontend/
# Writable by the runtime user: Next.js writes its incremental cache (ISR, images) under .next.
COPY --from=build --chown=node:node /app/frontend/.next frontend/.next
WORKDIR /app/frontend
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "../node_modules/next/dist/bin/next", "start", "--port", "3000", "--hostname", "0.0.0.0"]
