import { ConfigError, loadConfig } from './config/config';
import { databaseTarget } from './database/data-source';
import { EmbeddedPostgresError, EmbeddedPostgresHandle, startEmbeddedPostgres } from './database/embedded-postgres';
import { Logger } from '@nestjs/common';
import { createApp, drainApp } from './app.factory';
import { installProcessGuards } from './common/process-guards';

const say = (msg: string) => process.stdout.write(`[chatops] ${msg}\n`);

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedPostgresHandle | null = null;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, say);
    config.databaseUrl = embedded.url;
    say(`Database: ${embedded.target} (password in ${embedded.passwordFile}; "npm run db:psql" opens psql on it)`);
  } else {
    say(`Using the PostgreSQL server from DATABASE_URL: ${databaseTarget(config.databaseUrl)}`);
  }

  let app: Awaited<ReturnType<typeof createApp>> | null = null;
  let stopping = false;
  // Dependency order: the app stops taking work, drains the ingest buffer and saves the latest
  // samples (its shutdown hooks), closes its pools; only then does the embedded PostgreSQL stop.
  // The postmaster runs in its own session, so a Ctrl-C in the terminal does not reach it first.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, shutting down`);
    const force = setTimeout(() => {
      say('Shutdown took longer than 15 s; exiting (the embedded PostgreSQL stops by itself)');
      process.exit(1);
    }, 15_000);
    force.unref();
    // With REDIS_URL other instances take over: agents and browsers are sent there first.
    if (app && config.redisUrl) await drainApp(app).catch((err) => say(`Draining failed: ${(err as Error).message}`));
    await app?.close().catch((err) => say(`Closing the app failed: ${(err as Error).message}`));
    await embedded?.stop().catch((err) => say(`Stopping the embedded PostgreSQL failed: ${(err as Error).message}`));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    app = await createApp(config);
    // From here on an error that escapes every handler is logged, not fatal (process-guards.ts).
    installProcessGuards(new Logger('Process'));
    await app.listen(config.port, config.host);
  } catch (err) {
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`Port ${config.port} is already in use. Stop what uses it or set PORT to another port.`);
    }
    throw err;
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  say(`ChatOps is running: dashboard http://${shown}:${config.port}/  API docs http://${shown}:${config.port}/api/docs`);
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof EmbeddedPostgresError) {
    process.stderr.write(`[chatops] ${err.message}\n`);
  } else {
    process.stderr.write(`[chatops] Failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
