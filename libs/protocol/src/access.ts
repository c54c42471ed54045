/**
 * The access model: what a user may do on a server is a set of capabilities. A server belongs to
 * a user (its owner holds every capability) or to a team (each member holds the capabilities of
 * their role in that team). This file is the ONE list of capabilities and role sets: the backend's
 * access checks, API tokens scoped to capabilities and the dashboard's capability-aware UI all
 * read it from here.
 */

/** Every capability, in the order the docs list them. */
export const CAPABILITIES = [
  /** See the server, its status and agent info. */
  'server.read',
  /** Metrics: latest sample, history, live metrics. */
  'metrics.read',
  /** Containers: list, inspect (environment values redacted), logs, stats. */
  'containers.read',
  /** Alerts and the command history of the server. */
  'alerts.read',
  /** Docker actions: start, stop, restart, pause, unpause, kill, remove. */
  'docker.action',
  /** Container environment values (inspect without redaction). */
  'docker.inspect_env',
  /** Acknowledge and resolve alerts, silence them. */
  'alerts.manage',
  /** Run commands the server's command policy allows (a policy with an allow-list). */
  'commands.run',
  /** Run any command the server's command policy does not deny (no allow-list needed). */
  'commands.unrestricted',
  /** Open an interactive terminal. */
  'terminal.open',
  /** Create, list, deactivate and delete the server's agent API keys. */
  'keys.manage',
  /** Create, change and delete alert rules on the server. */
  'rules.manage',
  /** Add, change and remove members of the team that owns the server. */
  'members.manage',
  /** Rename, update, delete the server, edit its command policy, move it between a user and a team. */
  'server.manage',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const TEAM_ROLES = ['viewer', 'operator', 'admin'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

const VIEWER: readonly Capability[] = ['server.read', 'metrics.read', 'containers.read', 'alerts.read'];
const OPERATOR: readonly Capability[] = [...VIEWER, 'docker.action', 'alerts.manage', 'commands.run'];

/** The capabilities of each team role. */
export const ROLE_CAPABILITIES: Readonly<Record<TeamRole, readonly Capability[]>> = {
  viewer: VIEWER,
  operator: OPERATOR,
  admin: CAPABILITIES,
};

/** Capabilities that only read: the instance admin holds them on every server ("admins see all"). */
export const READ_CAPABILITIES: readonly Capability[] = VIEWER;

export const isCapability = (v: unknown): v is Capability => typeof v === 'string' && (CAPABILITIES as readonly string[]).includes(v);
export const isTeamRole = (v: unknown): v is TeamRole => typeof v === 'string' && (TEAM_ROLES as readonly string[]).includes(v);

/**
 * How the caller reaches a server: `owner` (a personal server of theirs), a team role, or
 * `instance_admin` (no role: reading is allowed, anything else is break-glass and audited).
 */
export type AccessVia = 'owner' | TeamRole | 'instance_admin';

/** What `GET /servers` tells about the caller's access to each server. */
export interface ServerAccess {
  via: AccessVia;
  /** The team that owns the server, null for a personal server. */
  teamId: string | null;
  /** What the caller may do without break-glass. */
  capabilities: Capability[];
  /** The instance admin may also do what `capabilities` lacks, audited as break-glass. */
  breakGlass: boolean;
}

// ---- Teams REST ---------------------------------------------------------------------------

export interface Team {
  id: string;
  name: string;
  /** The caller's role; null when an instance admin reads a team they are not in. */
  role: TeamRole | null;
  memberCount: number;
  serverCount: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * How a membership came about: `manual` (added or last changed by a team admin) or `oidc` (granted
 * by the single sign-on team mapping, OIDC_TEAM_MAPPING, which keeps it in line with the person's
 * groups at every sign-in).
 */
export const TEAM_MEMBER_SOURCES = ['manual', 'oidc'] as const;
export type TeamMemberSource = (typeof TEAM_MEMBER_SOURCES)[number];

export interface TeamMember {
  userId: string;
  username: string;
  fullName: string | null;
  role: TeamRole;
  source: TeamMemberSource;
  addedAt: string;
}

export interface CreateTeamRequest { name: string }
export interface RenameTeamRequest { name: string }
/** `user`: a username or an email address. */
export interface AddTeamMemberRequest { user: string; role: TeamRole }
export interface ChangeTeamMemberRequest { role: TeamRole }
/** `teamId` set: the server moves to that team; null: to the caller personally. */
export interface MoveServerRequest { teamId: string | null }

/** Team invite links (`/teams/join/<token>`): lifetime in days (default, most) and uses (default, most). */
export const TEAM_INVITE_DEFAULT_DAYS = 7;
export const TEAM_INVITE_MAX_DAYS = 30;
export const TEAM_INVITE_DEFAULT_USES = 1;
export const TEAM_INVITE_MAX_USES = 100;

/** A pending invite link of a team, as its admins list it (never with the secret). */
export interface TeamInvite {
  id: string;
  teamId: string;
  /** The role a user who accepts gets. */
  role: TeamRole;
  expiresAt: string;
  maxUses: number;
  uses: number;
  /** Username of the admin who made it (null when that account is gone). */
  createdBy: string | null;
  createdAt: string;
}

/** The create response: the only time the secret (`token`, for the link `/teams/join/<token>`) is shown. */
export interface CreatedTeamInvite extends TeamInvite { token: string }

export interface CreateTeamInviteRequest {
  role: TeamRole;
  /** 1–30, default 7. */
  expiresInDays?: number;
  /** 1–100, default 1. */
  maxUses?: number;
}

/** What an invite link leads to, for the person who opened it. */
export interface TeamInvitePreview { teamId: string; teamName: string; role: TeamRole; expiresAt: string }

/** After accepting: the team you joined and your role there. */
export interface AcceptedTeamInvite { teamId: string; teamName: string; role: TeamRole }
