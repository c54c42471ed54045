import type { CommandAccepted, CommandPolicy, CommandRecord, CommandResponse, CommandStatus } from '@chatops/protocol';

export class CommandResponseDto implements CommandResponse {
  commandId: string;
  command: string;
  /** `completed` (exit 0), `failed` (non-zero exit, or the agent was lost), `timeout`, `refused`, `unreachable`. */
  status: CommandStatus;
  /** null when killed (timeout) or when it never ran. */
  exitCode: number | null;
  /** stdout as captured, at most 1 MiB. */
  output: string;
  /** stderr as captured, at most 1 MiB. */
  stderr: string;
  durationMs: number | null;
  /** stdout or stderr exceeded 1 MiB and was cut. */
  truncated: boolean;
}

export class CommandAcceptedDto implements CommandAccepted {
  commandId: string;
  command: string;
  status: 'running';
}

export class CommandRecordDto extends CommandResponseDto implements CommandRecord {
  serverId: string;
  userId: string | null;
  /** Why it was refused, failed without an exit code, or could not be sent. */
  error: string | null;
  timedOut: boolean;
  ip: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** History lists only: output cut to its first 4,096 characters (the item has it all). */
  preview?: boolean;
}

export class CommandPolicyDto implements CommandPolicy {
  serverId: string;
  allow: string[];
  deny: string[];
  updatedAt: string | null;
}
