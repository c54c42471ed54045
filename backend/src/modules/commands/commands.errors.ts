import { domainException } from '../../common/domain-exception';

export enum CommandErrorCode {
  NotFound = 'command.not_found',
  /** The agent runs without `--enable-exec`. */
  ExecDisabled = 'command.exec_disabled',
  /** The agent's own allow-list (`--exec-allow`) refused the command. */
  NotAllowed = 'command.not_allowed',
  /** The server's command policy refused the command. */
  PolicyDenied = 'command.policy_denied',
  /** The agent's queue is full. */
  AgentBusy = 'command.agent_busy',
  /** Too many commands of this user are running at once. */
  TooManyRunning = 'command.too_many_running',
  /** The agent refused the request as malformed. */
  Rejected = 'command.rejected',
  /** The agent failed handling the request (it logged why). */
  AgentError = 'command.agent_error',
  InvalidPolicy = 'command.invalid_policy',
  BadCursor = 'command.bad_cursor',
}

export const CommandException = domainException<CommandErrorCode>('CommandException', {
  [CommandErrorCode.NotFound]: 404,
  [CommandErrorCode.ExecDisabled]: 403,
  [CommandErrorCode.NotAllowed]: 403,
  [CommandErrorCode.PolicyDenied]: 403,
  [CommandErrorCode.AgentBusy]: 429,
  [CommandErrorCode.TooManyRunning]: 429,
  [CommandErrorCode.Rejected]: 400,
  [CommandErrorCode.AgentError]: 502,
  [CommandErrorCode.InvalidPolicy]: 400,
  [CommandErrorCode.BadCursor]: 400,
});
