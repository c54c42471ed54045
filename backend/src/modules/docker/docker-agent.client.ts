import { Inject, Injectable } from '@nestjs/common';
import {
  describeIssues, dockerAnswerWithinMs, dockerDataSchemas,
  type DockerAction, type DockerData, type DockerRequest, type DockerRequestOf,
} from '@chatops/protocol';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AgentManager } from '../agents/agent-manager.service';
import { agentFailure, DockerErrorCode, DockerException } from './docker.errors';

/**
 * The one door to the agents' `docker` request: sends it with the wait it deserves (stop and
 * restart: their own timeout on top of the base, so a slow stop that succeeds is never a failure),
 * checks the answer against its action's schema and turns refusals into DockerExceptions. Agent
 * errors (`agent.not_connected` 503, `agent.timeout` 504, `agent.lost` 503) pass through.
 */
@Injectable()
export class DockerAgentClient {
  constructor(
    private readonly agents: AgentManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How long the backend waits for the agent's answer to this request, in ms. */
  answerWithinMs(req: { action: DockerAction; options?: object }): number {
    return dockerAnswerWithinMs(req, this.config.dockerRequestTimeoutSec);
  }

  async ask<A extends DockerAction>(serverId: string, req: DockerRequestOf<A>): Promise<DockerData<A>> {
    const wait = this.answerWithinMs(req);
    // DockerRequestOf<A> is a member of the DockerRequest union; TypeScript cannot see it for a generic A.
    const payload = { ...req, answerWithinMs: wait } as DockerRequestOf<A> as DockerRequest;
    const reply: unknown = await this.agents.request(serverId, 'docker', payload, wait);
    return unwrap(req.action, reply, req.containerId);
  }
}

/** The answer's data, checked against the action's schema (unknown keys stripped, sizes bounded). */
function unwrap<A extends DockerAction>(action: A, reply: unknown, containerId: string | undefined): DockerData<A> {
  const r = reply && typeof reply === 'object' ? (reply as { ok?: unknown; data?: unknown; error?: unknown; message?: unknown }) : null;
  if (r?.ok === false) throw agentFailure(r.error, r.message, action, containerId);
  if (r?.ok !== true) throw new DockerException(DockerErrorCode.BadAnswer, 'The agent answered the Docker request without {ok}');
  const parsed = dockerDataSchemas[action].safeParse(r.data);
  if (!parsed.success) {
    throw new DockerException(DockerErrorCode.BadAnswer, `The agent's answer to ${action} is malformed: ${describeIssues(parsed.error)}`);
  }
  // Each action's schema parses to exactly its data type (checked at compile time in docker-schemas.ts).
  return parsed.data as DockerData<A>;
}
