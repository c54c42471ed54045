/**
 * Minimal Docker Engine API client for the per-tick path (list + non-streaming stats + ping) and
 * the container event stream, over the unix socket or TCP with node:http. dockerode costs ≈ 17 MB
 * of RSS (measured, docs/agent.md): the Docker executor loads it on the first Docker request only.
 */
import http from 'node:http';
import https from 'node:https';
import type { DockerTarget } from '../config';

export interface EngineContainer {
  Id: string; Names?: string[]; Image?: string; State?: string; Status?: string;
}

export class DockerEngine {
  private readonly agent: http.Agent;

  constructor(private readonly target: DockerTarget, private readonly timeoutMs = 3000) {
    this.agent = target.kind === 'tcp' && target.protocol === 'https'
      ? new https.Agent({ keepAlive: true, maxSockets: 8 })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  get<T>(path: string, json = true): Promise<T> {
    const t = this.target;
    const base: http.RequestOptions = t.kind === 'socket'
      ? { socketPath: t.socketPath }
      : { host: t.host, port: t.port };
    const mod = t.kind === 'tcp' && t.protocol === 'https' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request({ ...base, path, method: 'GET', agent: this.agent, headers: { Host: 'docker', Accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) return reject(new Error(`Docker API ${path}: HTTP ${res.statusCode}`));
          try {
            resolve((json ? JSON.parse(body) : body) as T);
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`Docker API ${path}: timeout`)));
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * A streaming GET (the event stream): resolves with the response once the engine answered 200,
   * on a connection of its own and without the per-request timeout (it stays open for hours).
   * An error status rejects with `statusCode` and the engine's message.
   */
  stream(path: string): Promise<http.IncomingMessage> {
    const t = this.target;
    const base: http.RequestOptions = t.kind === 'socket' ? { socketPath: t.socketPath } : { host: t.host, port: t.port };
    const mod = t.kind === 'tcp' && t.protocol === 'https' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request({ ...base, path, method: 'GET', agent: false, headers: { Host: 'docker', Accept: 'application/json' } }, (res) => {
        if (res.statusCode === 200) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.length < 16 && chunks.push(c));
        res.on('end', () => reject(Object.assign(new Error(`Docker API ${path}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`), { statusCode: res.statusCode })));
        res.on('error', reject);
      });
      // Until the engine answers (not once it streams): an engine that accepts and never answers.
      const answerTimer = setTimeout(() => req.destroy(new Error(`Docker API ${path}: timeout`)), this.timeoutMs);
      req.on('response', () => clearTimeout(answerTimer));
      req.on('error', (err) => {
        clearTimeout(answerTimer);
        reject(err);
      });
      req.end();
    });
  }

  /** `GET /events` for containers, from `since` (unix seconds) when given. */
  containerEvents(since?: string): Promise<http.IncomingMessage> {
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
    return this.stream(`/events?filters=${filters}${since ? `&since=${encodeURIComponent(since)}` : ''}`);
  }

  ping(): Promise<string> {
    return this.get<string>('/_ping', false);
  }

  listContainers(): Promise<EngineContainer[]> {
    return this.get<EngineContainer[]>('/containers/json?all=1');
  }

  stats<T>(id: string): Promise<T> {
    return this.get<T>(`/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`);
  }

  close(): void {
    this.agent.destroy();
  }
}
