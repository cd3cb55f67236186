# syntax=docker/dockerfile:1
# The ovn-evpn operator. Build from the repository root:
#   docker build -f deploy/docker/operator.Dockerfile -t ghcr.io/ovn-evpn/evpn-operator:0.1.0 .
# Node 24 runs the TypeScript sources directly (type stripping): no compile step.
# Runs as the non-root user 42494 (seed 001's UID), read-only root file system
# in the chart, no capabilities.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. --ignore-scripts: the operator never loads the
# agent's netlink addon, so nothing needs compiling.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /opt/ovn-evpn
RUN groupadd --system --gid 42494 ovn-evpn \
 && useradd --system --uid 42494 --gid 42494 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ovn-evpn
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY lib ./lib
COPY crds ./crds
COPY operator ./operator
USER 42494:42494
EXPOSE 8080
ENTRYPOINT ["node", "/opt/ovn-evpn/operator/run.ts"]
