#!/usr/bin/env node
/** `chatops-agent`: parse options, then run the agent until SIGTERM/SIGINT, or print one sample (--once). */
import './v8-flags'; // first: V8 flags before any other module is loaded
import type { MetricsSample } from '@chatops/protocol';
import { randomUUID } from 'node:crypto';
import { Agent, probeDocker } from './agent';
import { HostCollector } from './collectors/host-collector';
import { ConfigError, HELP_TEXT, describeConfig, parseConfig, type AgentConfig } from './config';
import { PtyUnavailableError } from './executors/pty-loader';
import { createLogger, type Logger } from './log';
import { AGENT_VERSION } from './version';

async function runOnce(config: AgentConfig, logger: Logger): Promise<number> {
  const containers = await probeDocker(config);
  const collector = new HostCollector({ procRoot: config.hostProc, hostRoot: config.hostRoot, containers, processEvery: 1 });
  await collector.collect(); // baseline for rates
  await new Promise((r) => setTimeout(r, 1000));
  const sample = { seq: 0, bootId: randomUUID(), ...(await collector.collect()) } as MetricsSample;
  containers?.close();
  // One-shot mode can afford the schema (and zod) to check its own output.
  const { metricsSampleSchema } = await import('@chatops/protocol');
  const checked = metricsSampleSchema.safeParse(sample);
  if (!checked.success) logger.error('sample does not match the schema', { issues: checked.error.issues.length });
  if (config.json) {
    process.stdout.write(JSON.stringify(sample) + '\n');
  } else {
    const gb = (n: number) => (n / 1024 ** 3).toFixed(1) + ' GiB';
    const lines = [
      `time      ${sample.timestamp}`,
      `cpu       ${sample.cpu.percent}% of ${sample.cpu.cores} cores, load ${sample.cpu.load.join(' ')}`,
      `memory    ${gb(sample.memory.usedBytes)} / ${gb(sample.memory.totalBytes)} (${sample.memory.percent}%), swap ${gb(sample.memory.swapUsedBytes)} / ${gb(sample.memory.swapTotalBytes)}`,
      ...sample.disks.map((d) => `disk      ${d.mount} ${gb(d.usedBytes)} / ${gb(d.totalBytes)} (${d.percent}%) ${d.type} ${d.fs}`),
      ...sample.network.map((n) => `net       ${n.iface} rx ${n.rxBps} B/s tx ${n.txBps} B/s`),
      `disk io   read ${sample.diskIo?.readBps ?? 0} B/s write ${sample.diskIo?.writeBps ?? 0} B/s`,
      `uptime    ${sample.uptimeSec ?? '?'} s`,
      `containers ${sample.containers ? sample.containers.length : 'Docker not reachable'}`,
      `processes ${(sample.processes ?? []).slice(0, 5).map((p) => `${p.name}(${p.pid}) ${p.cpuPercent}%`).join(', ')}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  return checked.success ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`chatops-agent: ${err.message}\nRun chatops-agent --help for the options.\n`);
      return 2;
    }
    throw err;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(AGENT_VERSION + '\n');
    return 0;
  }
  const { config } = parsed;
  const logger = createLogger({ level: config.logLevel });
  if (config.once) return runOnce(config, logger);

  logger.debug('configuration', describeConfig(config));
  const agent = new Agent({ config, logger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, buffered: agent.buffer.size });
    agent.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error('error during shutdown', { error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // SIGHUP re-reads the allow-list; without one it keeps its default meaning (terminate).
  if (config.enableExec && config.execAllow) process.on('SIGHUP', () => agent.reloadExecPolicy());
  try {
    await agent.start();
  } catch (err) {
    if (err instanceof PtyUnavailableError) {
      process.stderr.write(`chatops-agent: --enable-terminal: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`chatops-agent: fatal: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
