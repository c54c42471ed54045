import { domainException } from '../../common/domain-exception';

export enum AgentErrorCode {
  /** No connection from the server's agent (on any instance). */
  NotConnected = 'agent.not_connected',
  /** The agent did not acknowledge in time. */
  Timeout = 'agent.timeout',
  /** The agent's connection closed while a request was waiting for its answer. */
  Lost = 'agent.lost',
  /** The agent has the capability switched off (`--enable-exec`, `--enable-terminal`, Docker). */
  CapabilityDisabled = 'agent.capability_disabled',
}

export const AgentException = domainException<AgentErrorCode>('AgentException', {
  [AgentErrorCode.NotConnected]: 503,
  [AgentErrorCode.Timeout]: 504,
  [AgentErrorCode.Lost]: 503,
  [AgentErrorCode.CapabilityDisabled]: 403,
});
