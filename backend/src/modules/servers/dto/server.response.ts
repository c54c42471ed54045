import type { AgentCapabilities, AgentInfo, Server, ServerStatus } from '@chatops/protocol';

export class AgentCapabilitiesResponse implements AgentCapabilities {
  exec: boolean;
  docker: boolean;
  terminal: boolean;
}

export class AgentInfoResponse implements AgentInfo {
  version: string;
  hostname: string;
  os: string;
  arch: string;
  capabilities: AgentCapabilitiesResponse;
  /** Seconds between samples, from the last `hello`; absent on servers last seen by an older backend. */
  intervalSec?: number;
}

export class ServerResponse implements Server {
  id: string;
  name: string;
  host: string | null;
  port: number | null;
  metadata: Record<string, unknown>;
  /** `online` while its agent is connected and reporting. */
  status: ServerStatus;
  lastSeen: string | null;
  createdAt: string;
  updatedAt: string;
  /** What the agent reported in its last `hello`; null before the first connection. */
  agent: AgentInfoResponse | null;
  /** Lower-case labels (letters, digits, `.`, `_`, `:`, `-`; 1–32 characters), at most 20. */
  tags: string[];
}
