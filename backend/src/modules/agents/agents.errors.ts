import { domainException } from '../../common/domain-exception';

export enum AgentErrorCode {
  /** No connection from the server's agent (on any instance). */
  NotConnected = 'agent.not_connected',
  /** The agent did not acknowledge in time. */
  Timeout = 'agent.timeout',
  /** The agent's connection closed while a request was waiting for its answer. */
  Lost = 'agent.lost',
}

export const AgentException = domainException<AgentErrorCode>('AgentException', {
  [AgentErrorCode.NotConnected]: 503,
  [AgentErrorCode.Timeout]: 504,
  [AgentErrorCode.Lost]: 503,
});
