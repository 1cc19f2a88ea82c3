# The gateway, `switchyard serve`, as an image (docs/gateway.md, "Several instances").
#
#   docker build -t switchyard-gateway .
#   docker run -p 8080:8080 -v $PWD/switchyard.yaml:/etc/switchyard/switchyard.yaml:ro switchyard-gateway
#
# Two stages: the first installs every dependency from the lock file and builds `dist/`; the
# second is a slim Node 20 with `dist/` and production dependencies only, plus `pg` (an optional
# peer dependency of the library, needed here for a PostgreSQL store shared by several instances).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing the build needs has one that matters (better-sqlite3, a dev
# dependency, would otherwise compile a native module the image never uses).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsup.config.ts ./
COPY src ./src
COPY providers ./providers
RUN npm run build
# Production dependencies only, with pg kept as one (it is a dev dependency of the package).
RUN npm pkg set "dependencies.pg=$(node -p "require('./package.json').devDependencies.pg")" \
 && npm pkg delete devDependencies.pg \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The image's files belong to root; the gateway runs as the image's unprivileged `node` user and
# may write only its audit directory (a volume mounted there takes this owner).
RUN mkdir -p /var/lib/switchyard/audit && chown node:node /var/lib/switchyard/audit
USER node
EXPOSE 8080
# /healthz answers while the process is up; the slim image has no curl, so Node asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains: calls in flight finish, usage is flushed, exit 0.
ENTRYPOINT ["node", "dist/cli.js", "serve"]
CMD ["--config", "/etc/switchyard/switchyard.yaml", "--host", "0.0.0.0", "--port", "8080"]
