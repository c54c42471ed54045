import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CONTAINER_ID_PATTERN, CONTAINER_MUTATION_OPTIONS, DOCKER_LOGS_DEFAULT_TAIL, ENV_REDACTED_VALUE, redactEnvEntry,
  type ContainerActionResponse, type ContainerEvent, type ContainerInfo, type ContainerInspect, type ContainerLogs,
  type ContainerMutation, type ContainerStats, type DockerOptions, type ImageInfo,
} from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { DomainException } from '../../common/domain-exception';
import { AuditService } from '../audit/audit.service';
import { LatestSamples } from '../metrics/latest-samples.service';
import { ContainerEventsService } from './container-events.service';
import { DockerAgentClient } from './docker-agent.client';
import { DockerErrorCode, DockerException } from './docker.errors';
import { ContainerActionQueryDto, ContainerEventsQueryDto, ContainerLogsQueryDto } from './dto/docker.dto';
import { AccessService } from '../access/access.service';

/**
 * Docker operations over REST: the ownership check first (another user's server is a 404 and
 * nothing reaches its agent), then the agent's `docker` request through DockerAgentClient.
 * Every mutation is audited with the container's name and its outcome, success or failure.
 */
@Injectable()
export class DockerService {
  private readonly logger = new Logger(DockerService.name);

  constructor(
    private readonly access: AccessService,
    private readonly client: DockerAgentClient,
    private readonly audit: AuditService,
    private readonly latest: LatestSamples,
    private readonly events: ContainerEventsService,
  ) {}

  async list(user: AuthUser, serverId: string, all = true): Promise<ContainerInfo[]> {
    await this.access.require(user, serverId, 'containers.read');
    return this.client.ask(serverId, { requestId: randomUUID(), action: 'list', options: { all } });
  }

  async inspect(user: AuthUser, serverId: string, containerId: string): Promise<ContainerInspect> {
    await this.access.require(user, serverId, 'containers.read');
    const data = await this.client.ask(serverId, { requestId: randomUUID(), action: 'inspect', containerId });
    // The agent redacts; an agent that says so but slipped is held to it here.
    if (data.envRedacted) data.config.env = data.config.env.map((e) => (e.endsWith(`=${ENV_REDACTED_VALUE}`) ? e : redactEnvEntry(e)));
    return data;
  }

  async logs(user: AuthUser, serverId: string, containerId: string, q: ContainerLogsQueryDto): Promise<ContainerLogs> {
    if (q.since !== undefined && q.until !== undefined && q.until < q.since) {
      throw new DockerException(DockerErrorCode.BadRequest, 'until must not be before since');
    }
    await this.access.require(user, serverId, 'containers.read');
    return this.client.ask(serverId, {
      requestId: randomUUID(), action: 'logs', containerId,
      options: { tail: q.tail ?? DOCKER_LOGS_DEFAULT_TAIL, since: q.since, until: q.until, timestamps: q.timestamps ?? false },
    });
  }

  async stats(user: AuthUser, serverId: string, containerId: string): Promise<ContainerStats> {
    await this.access.require(user, serverId, 'containers.read');
    return this.client.ask(serverId, { requestId: randomUUID(), action: 'stats', containerId });
  }

  async images(user: AuthUser, serverId: string): Promise<ImageInfo[]> {
    await this.access.require(user, serverId, 'containers.read');
    return this.client.ask(serverId, { requestId: randomUUID(), action: 'images' });
  }

  async recentEvents(user: AuthUser, serverId: string, q: ContainerEventsQueryDto): Promise<ContainerEvent[]> {
    await this.access.require(user, serverId, 'containers.read');
    return this.events.list(serverId, q.limit ?? 100, q.containerId);
  }

  /** start, stop, restart, pause, unpause, kill, remove: audited whatever the outcome. */
  async act(user: AuthUser, serverId: string, containerId: string, action: ContainerMutation, q: ContainerActionQueryDto, meta: RequestMeta): Promise<ContainerActionResponse> {
    const options = mutationOptions(action, q);
    const server = await this.access.require(user, serverId, 'docker.action', meta);
    const record = (name: string | null, outcome: string, success: boolean) => this.audit.record({
      action: `docker.${action}`,
      description: `Container ${describeContainer(containerId, name)} on server ${server.name}: ${action}${describeOptions(options)} ${outcome}`,
      userId: user.id,
      serverId,
      meta,
      success,
    });
    try {
      const data = await this.client.ask(serverId, { requestId: randomUUID(), action, containerId, options });
      const name = data.name ?? this.knownName(serverId, containerId);
      await record(name, 'succeeded', true);
      return { ok: true, action, containerId, name };
    } catch (err) {
      const why = err instanceof DomainException ? err.message : 'internal error';
      if (!(err instanceof DomainException)) this.logger.error({ err, serverId, action }, 'Docker action failed unexpectedly');
      await record(this.knownName(serverId, containerId), `failed: ${why}`, false);
      throw err;
    }
  }

  /** The container's name from the server's newest sample (no query), when it is there. */
  private knownName(serverId: string, ref: string): string | null {
    const containers = this.latest.peek(serverId)?.sample.containers ?? [];
    const byId = CONTAINER_ID_PATTERN.test(ref) ? containers.find((c) => c.id.startsWith(ref)) : undefined;
    const found = byId ?? containers.find((c) => c.name === ref || c.name === `/${ref}`);
    return found ? found.name.replace(/^\//, '') : null;
  }
}

/** The agent's options for a mutation; a query option that does not apply to it is a 400. */
function mutationOptions(action: ContainerMutation, q: ContainerActionQueryDto): DockerOptions<ContainerMutation> {
  const given = (['timeout', 'signal', 'force', 'volumes'] as const).filter((k) => q[k] !== undefined);
  const allowed: readonly string[] = CONTAINER_MUTATION_OPTIONS[action];
  const stray = given.filter((k) => !allowed.includes(k));
  if (stray.length) {
    throw new DockerException(DockerErrorCode.BadRequest,
      `${stray.join(', ')} ${stray.length > 1 ? 'do' : 'does'} not apply to ${action}${allowed.length ? ` (it takes ${allowed.join(', ')})` : ''}`);
  }
  switch (action) {
    case 'stop':
    case 'restart':
      return q.timeout === undefined ? {} : { timeoutSec: q.timeout };
    case 'kill':
      return q.signal === undefined ? {} : { signal: q.signal };
    case 'remove':
      return { force: q.force ?? false, volumes: q.volumes ?? false };
    default:
      return {};
  }
}

function describeContainer(ref: string, name: string | null): string {
  if (!name || name === ref) return `"${ref}"`;
  return `"${name}" (${ref.length > 12 && CONTAINER_ID_PATTERN.test(ref) ? ref.slice(0, 12) : ref})`;
}

function describeOptions(options: DockerOptions<ContainerMutation>): string {
  const parts: string[] = [];
  if ('timeoutSec' in options && options.timeoutSec !== undefined) parts.push(`timeout ${options.timeoutSec} s`);
  if ('signal' in options && options.signal) parts.push(`signal ${options.signal}`);
  if ('force' in options && options.force) parts.push('force');
  if ('volumes' in options && options.volumes) parts.push('volumes');
  return parts.length ? ` (${parts.join(', ')})` : '';
}
