import { ApiProperty } from '@nestjs/swagger';
import { CAPABILITIES, type AccessVia, type AgentCapabilities, type AgentInfo, type Capability, type Server, type ServerAccess, type ServerStatus } from '@chatops/protocol';

export class ServerAccessResponse implements ServerAccess {
  /** How you reach the server: its owner, your role in its team, or the instance admin without a role. */
  @ApiProperty({ enum: ['owner', 'viewer', 'operator', 'admin', 'instance_admin'] })
  via: AccessVia;
  /** The team that holds the server; null for a personal server. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  teamId: string | null;
  /** What you may do on it. */
  @ApiProperty({ enum: CAPABILITIES, isArray: true })
  capabilities: Capability[];
  /** The instance admin may also do the rest, audited as break-glass (visible to the team). */
  breakGlass: boolean;
}

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
  /** Your access to the server (list and single reads). */
  access?: ServerAccessResponse;
  /** Lower-case labels (letters, digits, `.`, `_`, `:`, `-`; 1–32 characters), at most 20. */
  tags: string[];
}
