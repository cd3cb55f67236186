# syntax=docker/dockerfile:1
# The ovn-evpn node agent. Build from the repository root:
#   docker build -f deploy/docker/node-agent.Dockerfile -t ghcr.io/ovn-evpn/evpn-node-agent:0.1.0 .
#
# Based on the same FRR 10.x image the chart runs as the sidecar, so the agent's
# vtysh and frr-reload.py are exactly the daemons' version. That image is
# Alpine (musl): Node 24 and the netlink addon come from node:24-alpine.
#
# Runs as UID 0, not 42494: the agent needs CAP_NET_ADMIN for rtnetlink, and
# Kubernetes gives added capabilities to a non-root process only through file
# capabilities on the node binary, which would need allowPrivilegeEscalation
# and would hand NET_ADMIN to every node process in the image. The chart drops
# every other capability and keeps the root file system read-only.
ARG NODE_IMAGE=node:24-alpine
ARG FRR_IMAGE=quay.io/frrouting/frr:10.4.1

FROM ${NODE_IMAGE} AS deps
RUN apk add --no-cache python3 make g++ linux-headers
WORKDIR /app
COPY package.json package-lock.json ./
# Builds the netlink N-API addon for musl (its prebuilt binaries are glibc).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${FRR_IMAGE} AS runtime
# bash, jq, iproute2, iputils: node-init.sh (gateway discovery, ASN mapping).
RUN apk add --no-cache libstdc++ libgcc bash jq iproute2 iputils \
 && addgroup root frrvty
COPY --from=deps /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production PATH=/opt/ovn-evpn/bin:$PATH
WORKDIR /opt/ovn-evpn
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY lib ./lib
COPY crds ./crds
COPY node-agent ./node-agent
COPY bin/evpn-node-agent ./bin/
# The vty sockets are frr:frrvty 0770; root joins frrvty above instead of
# getting CAP_DAC_OVERRIDE.
# hadolint ignore=DL3002
USER 0:0
ENTRYPOINT ["/opt/ovn-evpn/bin/evpn-node-agent"]
