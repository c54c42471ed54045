import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { AuthResponse, CreatedApiKey, Server } from '@chatops/protocol';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createTestDatabase } from './db';
import { channelPrefixFor } from './redis';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  baseUrl: string;
  db: Client;
  dbUrl: string;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** A real backend on an ephemeral port with its own freshly migrated database. */
export async function startTestApp(env: Record<string, string> = {}, existing?: { dbUrl: string }): Promise<TestApp> {
  const database = existing ? null : await createTestDatabase();
  const dbUrl = existing?.dbUrl ?? database!.url;
  const config = loadConfig({
    DATABASE_URL: dbUrl,
    CHATOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'chatops-data-')),
    JWT_SECRET: 'test-secret-' + 'x'.repeat(40),
    AUTH_RATE_LIMIT: '10000/60',
    AUTH_SESSION_RATE_LIMIT: '10000/60',
    CHAT_RATE_LIMIT: '10000/60',
    CHAT_INTEGRATION_RATE_LIMIT: '10000/60',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_FORMAT: 'json',
    SERVE_FRONTEND: 'false',
    PORT: '0',
    REDIS_CHANNEL_PREFIX: channelPrefixFor(dbUrl),
    ...env,
  });
  const app = await createApp(config);
  // A caller that must know the URL before the start (e.g. an OIDC redirect URI) passes PORT.
  await app.listen(Number(env.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address() as import("node:net").AddressInfo;
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  return {
    app,
    config,
    baseUrl,
    db,
    dbUrl,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await db.end().catch(() => undefined);
      await app.close();
      if (database) await database.drop().catch(() => undefined);
    },
  };
}

const uniq = () => randomBytes(4).toString('hex');

export interface TestUser extends AuthResponse { auth: { Authorization: string }; password: string }

export async function registerUser(t: TestApp, over: Partial<{ username: string; email: string; password: string; fullName: string }> = {}): Promise<TestUser> {
  const id = uniq();
  const body = { username: `user_${id}`, email: `user_${id}@example.test`, password: 'correct horse battery', ...over };
  const res = await t.http().post('/api/v1/auth/register').send(body);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, password: body.password, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
}

export async function createServer(t: TestApp, user: TestUser, name = `srv-${uniq()}`): Promise<Server> {
  const res = await t.http().post('/api/v1/servers').set(user.auth).send({ name, host: '10.0.0.1', port: 22 });
  if (res.status !== 201) throw new Error(`create server failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function createApiKey(t: TestApp, user: TestUser, serverId: string, over: Record<string, unknown> = {}): Promise<CreatedApiKey> {
  const res = await t.http().post('/api/v1/api-keys').set(user.auth).send({ serverId, name: 'test', ...over });
  if (res.status !== 201) throw new Error(`create key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls until the predicate holds (or fails after `timeoutMs`): no fixed sleeps in tests. */
export async function waitFor<T>(fn: () => Promise<T> | T, predicate: (v: T) => boolean = Boolean as any, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await fn();
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
