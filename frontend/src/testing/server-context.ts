import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { AgentCapabilities, Server } from '@chatops/protocol';
import { ServerContext } from '../app/features/server-detail/server-context';
import { server } from './auth-fixtures';

/** A server with an agent that has these capabilities (`null`: no agent has connected yet). */
export function serverWithAgent(caps: Partial<AgentCapabilities> | null, partial: Partial<Server> = {}): Server {
  return server({
    id: 's1', name: 'web-1', status: 'online', lastSeen: new Date().toISOString(),
    agent: caps === null ? null : { version: '1.0.0', hostname: 'web-1.local', os: 'linux', arch: 'x64', capabilities: { exec: false, docker: false, terminal: false, ...caps } },
    ...partial,
  });
}

/**
 * What the server layout does before a tab is created: ServerContext (provided by the test
 * module) loads the server. Returns the context.
 */
export function loadServerContext(http: HttpTestingController, srv: Server): ServerContext {
  const ctx = TestBed.inject(ServerContext);
  ctx.load(srv.id);
  http.expectOne(`/api/v1/servers/${srv.id}`).flush(srv);
  return ctx;
}

/** Polls (a macrotask at a time) until `ok()` holds; for what a debounce or an async step does. */
export async function waitFor(ok: () => boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
