import { Injectable } from '@nestjs/common';
import type { Alert, Capability, Server, ServerAccess } from '@chatops/protocol';
import { AuthUser } from '../../common/decorators';
import { AlertsService } from '../alerts/alerts.service';
import { AlertErrorCode, AlertException } from '../alerts/alerts.errors';
import { serverNotFound, ServerErrorCode, ServerException } from '../servers/servers.errors';
import { AccessService, forbidden } from '../access/access.service';
import { ServerBrief, ServersService } from '../servers/servers.service';
import { closest } from './edit-distance';
import { ChatErrorCode, ChatException } from './chatops.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A server a command acts on. */
export interface ServerRef { id: string; name: string }

/** A server's tags: its `tags`, or for a server without any its `metadata.tags` (a list, or a comma-separated string), lower-cased. */
export function tagsOf(server: { tags: unknown }): string[] {
  const t = server.tags;
  const list = Array.isArray(t) ? t : typeof t === 'string' ? t.split(',') : [];
  return list.filter((x): x is string => typeof x === 'string').map((x) => x.trim().toLowerCase()).filter(Boolean);
}

/**
 * Names in chat messages → the things they name, through the owning services' checks: a server
 * by id goes through `ServersService.get` (another user's server is the REST 404, word for word);
 * by name, only the user's own servers are searched (case-insensitive), so nothing leaks either.
 */
@Injectable()
export class ChatTargets {
  constructor(
    private readonly servers: ServersService,
    private readonly access: AccessService,
    private readonly alerts: AlertsService,
  ) {}

  /** The servers the user may see (admins: all), by name, briefly (one query). */
  list(user: AuthUser): Promise<ServerBrief[]> {
    return this.servers.listBrief(user);
  }

  accessible(user: AuthUser, id: string): Promise<boolean> {
    return this.access.visible(user, id);
  }

  /**
   * Refuses (403 `access.forbidden`, the REST wording; 404 for a server the user cannot see) unless
   * the user holds `capability` on the server or may use it as break-glass. Audits nothing: nothing
   * is done yet (the owning service checks and audits when the action runs).
   */
  async requireCapability(user: AuthUser, serverId: string, capability: Capability): Promise<void> {
    const server = await this.access.resolve(user, serverId);
    if (!server) throw serverNotFound();
    if (!mayUse(server.access, capability)) throw forbidden(server.access, capability);
  }

  /** Whether the user may use `capability` on the server now (its role's capabilities, or break-glass). */
  async holds(user: AuthUser, serverId: string, capability: Capability): Promise<boolean> {
    const server = await this.access.resolve(user, serverId);
    return !!server && mayUse(server.access, capability);
  }

  /** One server in full, through the ownership check. */
  detail(user: AuthUser, id: string): Promise<Server> {
    return this.servers.get(user, id);
  }

  /** A server named by `ref` (name or id), or the conversation's server when `ref` is null. */
  async server(user: AuthUser, ref: string | null, context: string | null, usage: string): Promise<ServerRef> {
    const id = ref === null ? context : UUID.test(ref) ? ref : null;
    if (id) {
      const { name } = await this.servers.get(user, id);
      return { id, name };
    }
    if (ref === null) throw new ChatException(ChatErrorCode.ServerRequired, `Name a server: ${usage}`);
    return this.byName(ref, await this.servers.listBrief(user));
  }

  /** Resolves a name against an already loaded list (one query for many lookups). */
  byName<S extends ServerRef>(ref: string, servers: readonly S[], alsoKnown: readonly string[] = []): S {
    const lower = ref.toLowerCase();
    const matches = servers.filter((s) => s.name.toLowerCase() === lower || s.id === lower);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
      throw new ChatException(ChatErrorCode.AmbiguousServer,
        `${matches.length} servers are named '${ref}': use an id (${matches.slice(0, 5).map((s) => s.id).join(', ')})`);
    }
    const suggestions = closest(ref, [...servers.map((s) => s.name), ...alsoKnown]);
    throw new ServerException(ServerErrorCode.NotFound,
      `No server '${clip(ref)}'${suggestions.length ? ` — did you mean ${suggestions.join(', ')}?` : ''}`, suggestions);
  }

  /**
   * An alert by id, or by the first characters of its id among the user's open alerts (what the
   * `alerts` table shows). Another user's alert is the REST 404.
   */
  async alert(user: AuthUser, ref: string): Promise<string> {
    if (UUID.test(ref)) return ref;
    const page = await this.alerts.list(user, { status: 'all', limit: 200 });
    const found: Alert[] = page.items.filter((a) => a.id.startsWith(ref));
    if (found.length === 1) return found[0].id;
    if (found.length > 1) throw new ChatException(ChatErrorCode.AmbiguousAlert, `Several alerts start with ${ref}: type more of the id`);
    throw new AlertException(AlertErrorCode.NotFound, 'Alert not found');
  }
}

const mayUse = (access: ServerAccess, capability: Capability) => access.capabilities.includes(capability) || access.breakGlass;

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
