# syntax=docker/dockerfile:1
# ChatOps backend + dashboard. Build from the repository root: docker build -t chatops .
# Uses DATABASE_URL (see docker-compose.yml); without it, an embedded PostgreSQL runs under /data.

FROM node:20-bookworm-slim AS build
WORKDIR /src
ENV NG_CLI_ANALYTICS=false
COPY package.json package-lock.json ./
COPY libs/protocol/package.json ./libs/protocol/
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.js protocol backend frontend \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production CHATOPS_DATA_DIR=/data PORT=3000
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/libs/protocol/package.json ./libs/protocol/package.json
COPY --from=build /src/libs/protocol/dist ./libs/protocol/dist
COPY --from=build /src/dist/backend ./dist/backend
COPY --from=build /src/dist/frontend ./dist/frontend
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:3000/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/backend/main.js"]
