import type { DockerAction } from '@chatops/protocol';
import { domainException, type DomainException } from '../../common/domain-exception';

export enum DockerErrorCode {
  /** The path's containerId is neither a container id nor a name. */
  InvalidContainerId = 'docker.invalid_container_id',
  /** The path's action is not one of the container mutations. */
  InvalidAction = 'docker.invalid_action',
  /** Options that do not apply to the action, or the agent/engine found the request invalid. */
  BadRequest = 'docker.bad_request',
  /** No such container on the server. */
  ContainerNotFound = 'docker.container_not_found',
  /** The agent has no Docker capability. */
  Disabled = 'docker.disabled',
  /** The agent runs with `--docker-read-only`. */
  ReadOnly = 'docker.read_only',
  /** Docker refused the change in the container's state (its message is passed on). */
  Conflict = 'docker.conflict',
  /** The agent runs as many follow-log streams as it allows. */
  TooManyStreams = 'docker.too_many_streams',
  /** The agent answered something this backend cannot use (a malformed answer, an unknown error). */
  BadAnswer = 'docker.bad_answer',
  /** The agent is connected but the Docker Engine on its host does not answer. */
  DockerUnavailable = 'docker.docker_unavailable',
  /** The Docker Engine did not answer the agent in time. */
  Timeout = 'docker.timeout',
}

export const DockerException = domainException<DockerErrorCode>('DockerException', {
  [DockerErrorCode.InvalidContainerId]: 400,
  [DockerErrorCode.InvalidAction]: 400,
  [DockerErrorCode.BadRequest]: 400,
  [DockerErrorCode.ContainerNotFound]: 404,
  [DockerErrorCode.Disabled]: 403,
  [DockerErrorCode.ReadOnly]: 403,
  [DockerErrorCode.Conflict]: 409,
  [DockerErrorCode.TooManyStreams]: 429,
  [DockerErrorCode.BadAnswer]: 502,
  [DockerErrorCode.DockerUnavailable]: 503,
  [DockerErrorCode.Timeout]: 504,
});

/**
 * The agent's `{ok:false, error, message?}` (its vocabulary: DOCKER_AGENT_ERRORS) as the error the
 * REST caller gets: what happened, and what to change where there is something to change.
 */
export function agentFailure(error: unknown, message: unknown, action: DockerAction, containerId: string | undefined): DomainException<DockerErrorCode> {
  const detail = typeof message === 'string' && message.trim() ? message.trim().slice(0, 500) : null;
  const code = String(error).slice(0, 64);
  switch (error) {
    case 'disabled':
      return new DockerException(DockerErrorCode.Disabled,
        'Docker is disabled on this server\'s agent: it found no Docker Engine when it started. Give it the engine\'s socket '
        + '(--docker-socket <path> or DOCKER_HOST; as a container, mount /var/run/docker.sock and add its group) and restart it');
    case 'read_only':
      return new DockerException(DockerErrorCode.ReadOnly,
        `This server's agent runs with --docker-read-only (CHATOPS_DOCKER_READ_ONLY): it allows list, inspect, logs, stats and images only. `
        + `Restart it without that flag to ${action} containers`);
    case 'not_found':
      return new DockerException(DockerErrorCode.ContainerNotFound, containerId ? `No such container on this server: ${containerId}` : detail ?? 'Not found on this server');
    case 'conflict':
      return new DockerException(DockerErrorCode.Conflict, detail ?? `Docker refused to ${action} the container in its current state`);
    case 'bad_request':
      return new DockerException(DockerErrorCode.BadRequest, detail ? `Docker refused the request: ${detail}` : 'The agent refused the request as invalid');
    case 'docker_unavailable':
      return new DockerException(DockerErrorCode.DockerUnavailable,
        `The Docker Engine on this server does not answer${detail ? ` (${detail})` : ''}; the agent is connected: check the Docker daemon`);
    case 'timeout':
      return new DockerException(DockerErrorCode.Timeout, 'The Docker Engine on this server did not answer in time');
    case 'too_many_streams':
      return new DockerException(DockerErrorCode.TooManyStreams, 'The agent follows as many container logs as it allows; close one first');
    case 'not_implemented':
      return new DockerException(DockerErrorCode.BadAnswer, 'This server\'s agent does not implement Docker operations: upgrade it');
    default:
      return new DockerException(DockerErrorCode.BadAnswer, `The agent answered an error this backend does not know: ${code}${detail ? ` (${detail})` : ''}`);
  }
}
