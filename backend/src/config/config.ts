import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseOidcTeamMapping, type OidcTeamMapping } from './oidc-team-mapping';

/**
 * The whole configuration, read from the environment once at boot and validated.
 * Every variable is documented in the README's configuration table.
 */
const rateLimit = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected "<max>/<seconds>", e.g. "10/60"')
  .transform((v) => {
    const [limit, seconds] = v.split('/').map(Number);
    return { limit, ttlMs: seconds * 1000 };
  });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  CHATOPS_DATA_DIR: z.string().min(1).default('.data'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ACCESS_TTL_SEC: z.coerce.number().int().min(60).max(86_400).default(1800),
  JWT_REFRESH_TTL_SEC: z.coerce.number().int().min(300).max(90 * 86_400).default(7 * 86_400),
  AUTH_RATE_LIMIT: rateLimit.default({ limit: 10, ttlMs: 60_000 }),
  AUTH_SESSION_RATE_LIMIT: rateLimit.default({ limit: 60, ttlMs: 60_000 }),
  CHAT_RATE_LIMIT: rateLimit.default({ limit: 30, ttlMs: 60_000 }),
  CHAT_INTEGRATION_RATE_LIMIT: rateLimit.default({ limit: 300, ttlMs: 60_000 }),
  COOKIE_SECURE: bool.default(true),
  CORS_ORIGINS: z.string().default(''),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_CHANNEL_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - (1-64)').default('chatops'),
  AGENT_STALE_INTERVALS: z.coerce.number().int().min(2).max(100).default(3),
  AGENT_KEY_RECHECK_SEC: z.coerce.number().int().min(1).max(3600).default(60),
  SERVE_FRONTEND: bool.default(true),
  METRICS_RAW_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(7),
  METRICS_1M_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(90),
  METRICS_1H_RETENTION_DAYS: z.coerce.number().min(1).max(36500).default(730),
  ROLLUP_INTERVAL_SEC: z.coerce.number().int().min(1).max(3600).default(30),
  ROLLUP_SLICE_SERVERS: z.coerce.number().int().min(1).max(100_000).default(500),
  CONNECTION_EVENTS_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(30),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3000),
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  COMMANDS_MAX_RUNNING_PER_USER: z.coerce.number().int().min(1).max(10_000).default(64),
  TERMINAL_MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  REGISTRATION: z.enum(['open', 'invite']).default('open'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  ALERT_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  ALERT_SYNC_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  NOTIFY_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  NOTIFY_ALLOW_PRIVATE: bool.default(false),
  NOTIFY_GROUP_WINDOW_SEC: z.coerce.number().min(0).max(3600).default(30),
  NOTIFY_COOLDOWN_SEC: z.coerce.number().min(0).max(86_400).default(300),
  NOTIFY_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(6),
  NOTIFY_RETRY_DELAY_SEC: z.coerce.number().int().min(1).max(3600).default(5),
  NOTIFY_TIMEOUT_SEC: z.coerce.number().min(1).max(120).default(10),
  NOTIFY_POLL_SEC: z.coerce.number().min(0.5).max(60).default(2),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_FROM: z.string().min(3).default('ChatOps <chatops@localhost>'),
  DOCKER_REQUEST_TIMEOUT_SEC: z.coerce.number().int().min(1).max(300).default(15),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_RESPONSE_URL_PREFIX: z.url({ protocol: /^https?$/ }).default('https://hooks.slack.com/'),
  MATTERMOST_TOKEN: z.string().min(8).optional(),
  MATTERMOST_RESPONSE_URL_PREFIX: z.url({ protocol: /^https?$/ }).optional(),
  LOCAL_LOGIN: bool.default(true),
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(256).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_SCOPES: z.string().regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'space-separated scope names').default('openid profile email'),
  OIDC_BUTTON_LABEL: z.string().min(1).max(64).default('Sign in with SSO'),
  OIDC_GROUPS_CLAIM: z.string().min(1).max(128).default('groups'),
  OIDC_ADMIN_GROUPS: z.string().default(''),
  OIDC_TEAM_MAPPING: z.string().max(16_384).default(''),
  OIDC_LINK_VERIFIED_EMAIL: bool.default(false),
  OIDC_ALLOW_HTTP: bool.default(false),
});

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  jwtSecret: string;
  accessTtlSec: number;
  refreshTtlSec: number;
  /** Credential attempts (login, register, change-password) per client, across those routes. */
  authRateLimit: { limit: number; ttlMs: number };
  /** Session renewals (refresh, logout) per client, across those routes. */
  authSessionRateLimit: { limit: number; ttlMs: number };
  /** Chat messages per account (every door together), and per chat integration (a Slack workspace, a Mattermost team). */
  chatRateLimit: { limit: number; ttlMs: number };
  chatIntegrationRateLimit: { limit: number; ttlMs: number };
  /** Mark the refresh-token cookie `Secure` (browsers then keep it only over HTTPS or on localhost). */
  cookieSecure: boolean;
  corsOrigins: string[] | '*' | false;
  trustProxy: boolean;
  bodyLimitBytes: number;
  logLevel: string;
  logPretty: boolean;
  redisUrl: string | undefined;
  /** Prefix of the Socket.IO adapter's Redis channels: the instances of one deployment share it. */
  redisChannelPrefix: string;
  agentStaleIntervals: number;
  /** How often connected agents' keys are re-checked for expiry. */
  agentKeyRecheckSec: number;
  serveFrontend: boolean;
  /** How long each history tier is kept, in days. */
  retention: { rawDays: number; minuteDays: number; hourDays: number };
  rollupIntervalSec: number;
  /** Servers aggregated per rollup statement (see MetricsRollupService: slices and pacing). */
  rollupSliceServers: number;
  /** Agent connection events (connects, disconnects, failed handshakes) are kept this many days. */
  connectionEventsRetentionDays: number;
  /**
   * How long a request waits for PostgreSQL: to connect or get a pooled connection, and for one
   * statement. Beyond either the request is answered 503 (see database/db-unavailable.ts).
   */
  db: { connectTimeoutMs: number; queryTimeoutMs: number };
  /** Self-registration until an admin changes it: `open` (anybody) or `invite` (invite links only). */
  registrationDefault: 'open' | 'invite';
  /** Commands one user may have running at once, and terminal sessions open, per instance. */
  limits: { commandsPerUser: number; terminalSessionsPerUser: number };
  /** Where people reach the dashboard (links in notifications); unset: no links. */
  publicUrl: string | undefined;
  alerts: {
    /** How often pending durations and event-based rules are checked. */
    tickMs: number;
    /** How often an instance picks up rule, silence and alert changes made by other instances. */
    syncMs: number;
  };
  notify: {
    /** AES-256-GCM key material for channel secrets; derived from jwtSecret when unset. */
    secretKey: string | undefined;
    /** Deliver to loopback, private, link-local and other non-public addresses. */
    allowPrivate: boolean;
    groupWindowSec: number;
    cooldownSec: number;
    retryLimit: number;
    retryDelaySec: number;
    timeoutSec: number;
    pollSec: number;
    smtp: { host: string | undefined; port: number; secure: boolean; user: string | undefined; password: string | undefined; from: string };
  };
  /** How long to wait for an agent's answer to a Docker request; stop/restart wait their own timeout on top. */
  dockerRequestTimeoutSec: number;
  /** Chat doors (docs/chatops.md): used when no secret was stored through the API. */
  chat: {
    slackSigningSecret: string | undefined;
    /** Where Slack's `response_url` may point (the door POSTs late results there). */
    slackResponseUrlPrefix: string;
    mattermostToken: string | undefined;
    /** Where the Mattermost door may POST late answers (e.g. `https://mm.example.com/hooks/commands/`); unset: always inline. */
    mattermostResponseUrlPrefix: string | undefined;
  };
  /** Password sign-in and registration (LOCAL_LOGIN); off: 403 `auth.local_login_disabled`. */
  localLogin: boolean;
  /** Single sign-on through OpenID Connect (docs/security.md); null when OIDC_ISSUER is unset. */
  oidc: OidcConfig | null;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE only, no client authentication). */
  clientSecret: string | undefined;
  /** OIDC_REDIRECT_URI, else PUBLIC_URL + /api/v1/auth/oidc/callback. */
  redirectUri: string;
  scopes: string;
  buttonLabel: string;
  /** The claim (ID token or userinfo) that lists the user's groups. */
  groupsClaim: string;
  /** Members of any of these groups sign in as instance admins; the others as users. Empty: roles are not managed by the provider. */
  adminGroups: string[];
  /**
   * OIDC_TEAM_MAPPING: provider groups → team memberships, applied at every sign-in (docs/security.md).
   * Empty: the provider does not manage team memberships.
   */
  teamMapping: OidcTeamMapping[];
  /** Sign a new provider identity into the local account with the same, provider-verified email. */
  linkVerifiedEmail: boolean;
  /** Talk to an http:// issuer (tests, trusted networks); https only otherwise. */
  allowHttp: boolean;
}

function oidcConfig(e: z.infer<typeof envSchema>): OidcConfig | null {
  if (!e.OIDC_ISSUER) {
    if (!e.LOCAL_LOGIN) throw new ConfigError('Invalid configuration:\n  LOCAL_LOGIN: false needs OIDC_ISSUER (nobody could sign in)');
    return null;
  }
  const problems: string[] = [];
  if (!e.OIDC_CLIENT_ID) problems.push('  OIDC_CLIENT_ID: required with OIDC_ISSUER');
  if (!e.OIDC_REDIRECT_URI && !e.PUBLIC_URL) problems.push('  OIDC_REDIRECT_URI: required with OIDC_ISSUER unless PUBLIC_URL is set');
  if (e.OIDC_ISSUER.startsWith('http:') && !e.OIDC_ALLOW_HTTP) problems.push('  OIDC_ISSUER: must be https (or set OIDC_ALLOW_HTTP=true)');
  if (!e.OIDC_SCOPES.split(' ').includes('openid')) problems.push('  OIDC_SCOPES: must include "openid"');
  const teamMapping = parseOidcTeamMapping(e.OIDC_TEAM_MAPPING);
  problems.push(...teamMapping.problems.map((p) => `  OIDC_TEAM_MAPPING: ${p}`));
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return {
    issuer: e.OIDC_ISSUER,
    clientId: e.OIDC_CLIENT_ID!,
    clientSecret: e.OIDC_CLIENT_SECRET,
    redirectUri: e.OIDC_REDIRECT_URI ?? `${e.PUBLIC_URL!.replace(/\/+$/, '')}/api/v1/auth/oidc/callback`,
    scopes: e.OIDC_SCOPES,
    buttonLabel: e.OIDC_BUTTON_LABEL,
    groupsClaim: e.OIDC_GROUPS_CLAIM,
    adminGroups: e.OIDC_ADMIN_GROUPS.split(',').map((g) => g.trim()).filter(Boolean),
    teamMapping: teamMapping.mappings,
    linkVerifiedEmail: e.OIDC_LINK_VERIFIED_EMAIL,
    allowHttp: e.OIDC_ALLOW_HTTP,
  };
}

export class ConfigError extends Error {}

/** Validate the environment; throws ConfigError listing every bad variable (values never echoed). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.CHATOPS_DATA_DIR);
  const cors = e.CORS_ORIGINS.trim();
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    jwtSecret: e.JWT_SECRET ?? loadOrCreateSecret(dataDir, 'jwt-secret'),
    accessTtlSec: e.JWT_ACCESS_TTL_SEC,
    refreshTtlSec: e.JWT_REFRESH_TTL_SEC,
    authRateLimit: e.AUTH_RATE_LIMIT,
    authSessionRateLimit: e.AUTH_SESSION_RATE_LIMIT,
    chatRateLimit: e.CHAT_RATE_LIMIT,
    chatIntegrationRateLimit: e.CHAT_INTEGRATION_RATE_LIMIT,
    cookieSecure: e.COOKIE_SECURE,
    corsOrigins: cors === '' ? false : cors === '*' ? '*' : cors.split(',').map((o) => o.trim()),
    trustProxy: e.TRUST_PROXY,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_FORMAT === 'pretty' || (e.LOG_FORMAT === 'auto' && Boolean(process.stdout.isTTY)),
    redisUrl: e.REDIS_URL,
    redisChannelPrefix: e.REDIS_CHANNEL_PREFIX,
    agentStaleIntervals: e.AGENT_STALE_INTERVALS,
    agentKeyRecheckSec: e.AGENT_KEY_RECHECK_SEC,
    serveFrontend: e.SERVE_FRONTEND,
    retention: { rawDays: e.METRICS_RAW_RETENTION_DAYS, minuteDays: e.METRICS_1M_RETENTION_DAYS, hourDays: e.METRICS_1H_RETENTION_DAYS },
    rollupIntervalSec: e.ROLLUP_INTERVAL_SEC,
    rollupSliceServers: e.ROLLUP_SLICE_SERVERS,
    connectionEventsRetentionDays: e.CONNECTION_EVENTS_RETENTION_DAYS,
    db: { connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS, queryTimeoutMs: e.DB_QUERY_TIMEOUT_MS },
    registrationDefault: e.REGISTRATION,
    limits: { commandsPerUser: e.COMMANDS_MAX_RUNNING_PER_USER, terminalSessionsPerUser: e.TERMINAL_MAX_SESSIONS_PER_USER },
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    alerts: { tickMs: e.ALERT_TICK_MS, syncMs: e.ALERT_SYNC_MS },
    notify: {
      secretKey: e.NOTIFY_SECRET_KEY,
      allowPrivate: e.NOTIFY_ALLOW_PRIVATE,
      groupWindowSec: e.NOTIFY_GROUP_WINDOW_SEC,
      cooldownSec: e.NOTIFY_COOLDOWN_SEC,
      retryLimit: e.NOTIFY_RETRY_LIMIT,
      retryDelaySec: e.NOTIFY_RETRY_DELAY_SEC,
      timeoutSec: e.NOTIFY_TIMEOUT_SEC,
      pollSec: e.NOTIFY_POLL_SEC,
      smtp: { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE, user: e.SMTP_USER, password: e.SMTP_PASSWORD, from: e.SMTP_FROM },
    },
    dockerRequestTimeoutSec: e.DOCKER_REQUEST_TIMEOUT_SEC,
    localLogin: e.LOCAL_LOGIN,
    oidc: oidcConfig(e),
    chat: { slackSigningSecret: e.SLACK_SIGNING_SECRET, slackResponseUrlPrefix: e.SLACK_RESPONSE_URL_PREFIX, mattermostToken: e.MATTERMOST_TOKEN, mattermostResponseUrlPrefix: e.MATTERMOST_RESPONSE_URL_PREFIX },
  };
}

/** A secret that was not configured is generated once and kept (mode 0600) in the data dir. */
export function loadOrCreateSecret(dataDir: string, name: string): string {
  const file = resolve(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

/** Injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
