import { CHAT_METRIC_RANGES, type ChatCommandKind, type ChatMetricRange } from '@chatops/protocol';

/** Docker actions the language offers (`remove` stays a dashboard/REST action on purpose). */
export const CHAT_DOCKER_ACTIONS = ['start', 'stop', 'restart', 'pause', 'unpause', 'kill'] as const;
export type ChatDockerAction = (typeof CHAT_DOCKER_ACTIONS)[number];
const DESTRUCTIVE_DOCKER: readonly ChatDockerAction[] = ['stop', 'restart', 'kill'];

export const ALERT_FILTERS = ['open', 'active', 'all'] as const;
export type ChatAlertFilter = (typeof ALERT_FILTERS)[number];

/** `logs`: default and largest number of lines a chat reply shows. */
export const CHAT_LOG_LINES_DEFAULT = 50;
export const CHAT_LOG_LINES_MAX = 500;
/** `silence`: shortest and longest duration. */
export const SILENCE_MIN_MS = 60_000;
export const SILENCE_MAX_MS = 366 * 86_400_000;

/** What a message means once parsed: one member per command. */
export type ParsedCommand =
  | { name: 'help'; topic: string | null }
  | { name: 'status'; target: string | null }
  | { name: 'top'; server: string | null }
  | { name: 'metrics'; server: string | null; range: ChatMetricRange }
  | { name: 'run'; server: string | null; command: string }
  | { name: 'containers'; server: string | null }
  | { name: 'docker'; action: ChatDockerAction; container: string; server: string | null }
  | { name: 'logs'; container: string; server: string | null; lines: number; follow: boolean }
  | { name: 'alerts'; filter: ChatAlertFilter }
  | { name: 'ack'; alert: string; note: string | null }
  | { name: 'resolve'; alert: string; note: string | null }
  | { name: 'silence'; target: string; duration: string; durationMs: number; reason: string }
  | { name: 'history'; server: string | null }
  | { name: 'confirm'; token: string }
  | { name: 'cancel'; token: string };

export type CommandName = ParsedCommand['name'];
export type CommandOf<N extends CommandName> = Extract<ParsedCommand, { name: N }>;

/**
 * One positional argument. `server` arguments marked `contextual` may be left out when the
 * conversation is about a server (the panel on a server page); `on` is the `on <server>` pair.
 */
export type ArgSpec =
  | { kind: 'server'; name: string; contextual?: boolean }
  | { kind: 'target'; name: string; optional?: boolean; help: string }
  | { kind: 'container'; name: string }
  | { kind: 'alert'; name: string }
  | { kind: 'choice'; name: string; choices: readonly string[]; optional?: boolean }
  | { kind: 'literal'; literal: string }
  | { kind: 'on'; name: string }
  | { kind: 'duration'; name: string }
  | { kind: 'range'; name: string; optional?: boolean }
  | { kind: 'lines'; name: string; optional?: boolean }
  | { kind: 'topic'; name: string; optional?: boolean }
  | { kind: 'token'; name: string }
  /** An optional keyword (`follow`, or one of its aliases): the value is 1 when present. */
  | { kind: 'flag'; name: string; flag: string; aliases: readonly string[] }
  /** The rest of the message as typed (`--` then the shell command, a note, a reason). */
  | { kind: 'rest'; name: string; optional?: boolean };

/** Argument values by name, as the parser read them (strings, numbers for durations and lines). */
export type ArgValues = Record<string, string | number | undefined>;

export interface CommandSpec<N extends CommandName> {
  name: N;
  aliases: readonly string[];
  args: readonly ArgSpec[];
  description: string;
  examples: readonly string[];
  /** What it may do; `destructive` asks for a confirmation unless the user turned that off. */
  kind: ChatCommandKind | ((cmd: CommandOf<N>) => ChatCommandKind);
  /** Hidden from `help`'s list and from completion (`confirm` is sent by buttons). */
  hidden?: boolean;
  build(v: ArgValues): CommandOf<N>;
  /** The canonical text of a command: parsing it gives the same command back. */
  format(cmd: CommandOf<N>): string;
}

export type CommandTable = { [N in CommandName]: CommandSpec<N> };

const str = (v: ArgValues, k: string): string | null => (typeof v[k] === 'string' ? (v[k] as string) : null);
const on = (server: string | null) => (server ? ` on ${server}` : '');
const opt = (s: string | null) => (s ? ` ${s}` : '');

export const COMMANDS: CommandTable = {
  help: {
    name: 'help', aliases: ['?', 'commands'], kind: 'read',
    args: [{ kind: 'topic', name: 'command', optional: true }],
    description: 'Lists the commands, or explains one.',
    examples: ['help', 'help docker'],
    build: (v) => ({ name: 'help', topic: str(v, 'command') }),
    format: (c) => `help${opt(c.topic)}`,
  },
  status: {
    name: 'status', aliases: ['st', 'ls'], kind: 'read',
    args: [{ kind: 'target', name: 'server|tag', optional: true, help: 'a server (name or id) or a tag' }],
    description: 'The fleet at a glance (problems first), one server in detail, or the servers with a tag (its tags, else metadata.tags).',
    examples: ['status', 'status web-1', 'status prod'],
    build: (v) => ({ name: 'status', target: str(v, 'server|tag') }),
    format: (c) => `status${opt(c.target)}`,
  },
  top: {
    name: 'top', aliases: ['ps'], kind: 'read',
    args: [{ kind: 'server', name: 'server', contextual: true }],
    description: 'CPU, memory, load and the busiest processes of a server, from its newest sample.',
    examples: ['top web-1'],
    build: (v) => ({ name: 'top', server: str(v, 'server') }),
    format: (c) => `top${opt(c.server)}`,
  },
  metrics: {
    name: 'metrics', aliases: ['graph', 'chart'], kind: 'read',
    args: [{ kind: 'server', name: 'server', contextual: true }, { kind: 'range', name: 'range', optional: true }],
    description: `Averages and peaks over a range (${CHAT_METRIC_RANGES.join(', ')}; default 1h), with a chart.`,
    examples: ['metrics web-1', 'metrics web-1 24h'],
    build: (v) => ({ name: 'metrics', server: str(v, 'server'), range: (str(v, 'range') ?? '1h') as ChatMetricRange }),
    format: (c) => `metrics${opt(c.server)} ${c.range}`,
  },
  run: {
    name: 'run', aliases: ['exec', 'sh'],
    kind: 'destructive',
    args: [{ kind: 'server', name: 'server', contextual: true }, { kind: 'literal', literal: '--' }, { kind: 'rest', name: 'command' }],
    description: 'Runs a shell command on the server through its agent (its policy applies), then shows the output.',
    examples: ['run web-1 -- df -h', 'run web-1 -- systemctl status nginx'],
    build: (v) => ({ name: 'run', server: str(v, 'server'), command: str(v, 'command') ?? '' }),
    format: (c) => `run${opt(c.server)} -- ${c.command}`,
  },
  containers: {
    name: 'containers', aliases: ['docker-ps', 'ctr'], kind: 'read',
    args: [{ kind: 'server', name: 'server', contextual: true }],
    description: 'The server\'s containers, stopped ones too.',
    examples: ['containers web-1'],
    build: (v) => ({ name: 'containers', server: str(v, 'server') }),
    format: (c) => `containers${opt(c.server)}`,
  },
  docker: {
    name: 'docker', aliases: ['container'],
    kind: (c) => (DESTRUCTIVE_DOCKER.includes(c.action) ? 'destructive' : 'mutating'),
    args: [{ kind: 'choice', name: 'action', choices: CHAT_DOCKER_ACTIONS }, { kind: 'container', name: 'container' }, { kind: 'on', name: 'server' }],
    description: 'Starts, stops, restarts, pauses, unpauses or kills a container (stop, restart and kill ask for a confirmation).',
    examples: ['docker restart api on web-1', 'docker start db on web-1'],
    build: (v) => ({ name: 'docker', action: str(v, 'action') as ChatDockerAction, container: str(v, 'container') ?? '', server: str(v, 'server') }),
    format: (c) => `docker ${c.action} ${c.container}${on(c.server)}`,
  },
  logs: {
    name: 'logs', aliases: ['log', 'tail'], kind: 'read',
    args: [
      { kind: 'container', name: 'container' }, { kind: 'on', name: 'server' }, { kind: 'lines', name: 'lines', optional: true },
      { kind: 'flag', name: 'follow', flag: 'follow', aliases: ['-f', '--follow'] },
    ],
    description: `The newest lines of a container's log (default ${CHAT_LOG_LINES_DEFAULT}, at most ${CHAT_LOG_LINES_MAX}); \`follow\` streams new lines in the dashboard until stopped.`,
    examples: ['logs api on web-1', 'logs api on web-1 200', 'logs api on web-1 20 follow'],
    build: (v) => ({
      name: 'logs', container: str(v, 'container') ?? '', server: str(v, 'server'), lines: typeof v.lines === 'number' ? v.lines : CHAT_LOG_LINES_DEFAULT,
      follow: v.follow === 1,
    }),
    format: (c) => `logs ${c.container}${on(c.server)} ${c.lines}${c.follow ? ' follow' : ''}`,
  },
  alerts: {
    name: 'alerts', aliases: ['alert', 'incidents'], kind: 'read',
    args: [{ kind: 'choice', name: 'filter', choices: ALERT_FILTERS, optional: true }],
    description: 'Alerts of your servers: open ones (active and acknowledged) by default, `active` only, or `all`.',
    examples: ['alerts', 'alerts active', 'alerts all'],
    build: (v) => ({ name: 'alerts', filter: (str(v, 'filter') ?? 'open') as ChatAlertFilter }),
    format: (c) => `alerts ${c.filter}`,
  },
  ack: {
    name: 'ack', aliases: ['acknowledge'], kind: 'mutating',
    args: [{ kind: 'alert', name: 'alertId' }, { kind: 'rest', name: 'note', optional: true }],
    description: 'Acknowledges an active alert (the id, or its first 8 characters), with an optional note.',
    examples: ['ack 3f2a9c1e', 'ack 3f2a9c1e looking into it'],
    build: (v) => ({ name: 'ack', alert: str(v, 'alertId') ?? '', note: str(v, 'note') }),
    format: (c) => `ack ${c.alert}${opt(c.note)}`,
  },
  resolve: {
    name: 'resolve', aliases: ['close'], kind: 'mutating',
    args: [{ kind: 'alert', name: 'alertId' }, { kind: 'rest', name: 'note', optional: true }],
    description: 'Resolves an alert, with an optional note.',
    examples: ['resolve 3f2a9c1e', 'resolve 3f2a9c1e disk cleaned'],
    build: (v) => ({ name: 'resolve', alert: str(v, 'alertId') ?? '', note: str(v, 'note') }),
    format: (c) => `resolve ${c.alert}${opt(c.note)}`,
  },
  silence: {
    name: 'silence', aliases: ['mute'], kind: 'mutating',
    args: [
      { kind: 'target', name: 'server|all', help: 'a server (name or id), or all for every server of yours' },
      { kind: 'duration', name: 'duration' },
      { kind: 'rest', name: 'reason' },
    ],
    description: 'Mutes alert notifications for a while (alerts are still recorded): 30m, 2h, 1d, 1w (at most 366d).',
    examples: ['silence web-1 30m deploying', 'silence all 2h maintenance window'],
    build: (v) => ({ name: 'silence', target: str(v, 'server|all') ?? '', duration: str(v, 'durationText') ?? '', durationMs: Number(v.duration), reason: str(v, 'reason') ?? '' }),
    format: (c) => `silence ${c.target} ${c.duration} ${c.reason}`,
  },
  history: {
    name: 'history', aliases: ['hist'], kind: 'read',
    args: [{ kind: 'server', name: 'server', contextual: true }],
    description: 'The newest commands run on a server (from any door), with their outcome.',
    examples: ['history web-1'],
    build: (v) => ({ name: 'history', server: str(v, 'server') }),
    format: (c) => `history${opt(c.server)}`,
  },
  confirm: {
    name: 'confirm', aliases: [], kind: 'read', hidden: true,
    args: [{ kind: 'token', name: 'token' }],
    description: 'Confirms a destructive command with the token its reply carried (within 60 s, once).',
    examples: ['confirm 5Jx0q1m2sXvL8rA9bC3dEf'],
    build: (v) => ({ name: 'confirm', token: str(v, 'token') ?? '' }),
    format: (c) => `confirm ${c.token}`,
  },
  cancel: {
    name: 'cancel', aliases: [], kind: 'read', hidden: true,
    args: [{ kind: 'token', name: 'token' }],
    description: 'Cancels a destructive command waiting for its confirmation: nothing runs.',
    examples: ['cancel 5Jx0q1m2sXvL8rA9bC3dEf'],
    build: (v) => ({ name: 'cancel', token: str(v, 'token') ?? '' }),
    format: (c) => `cancel ${c.token}`,
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** A table entry seen through the common face (each entry is typed by its own command in COMMANDS). */
export const specOf = (name: CommandName): CommandSpec<CommandName> => COMMANDS[name] as unknown as CommandSpec<CommandName>;

/** Looks a command up by its name or an alias (case-insensitive). */
export function findCommand(word: string): CommandSpec<CommandName> | null {
  const w = word.toLowerCase();
  for (const name of COMMAND_NAMES) {
    const spec = specOf(name);
    if (spec.name === w || spec.aliases.includes(w)) return spec;
  }
  return null;
}

/** The commands `help` lists and completion offers. */
export function visibleCommands(): CommandSpec<CommandName>[] {
  return COMMAND_NAMES.map(specOf).filter((s) => !s.hidden);
}

export function kindOf(cmd: ParsedCommand): ChatCommandKind {
  const spec = specOf(cmd.name);
  return typeof spec.kind === 'function' ? spec.kind(cmd) : spec.kind;
}

export function formatCommand(cmd: ParsedCommand): string {
  return specOf(cmd.name).format(cmd);
}

/** `docker <action> <container> on <server>`: the usage line help shows. */
export function usage(spec: CommandSpec<CommandName>): string {
  const parts = spec.args.map((a) => {
    switch (a.kind) {
      case 'literal': return a.literal;
      case 'on': return `on <${a.name}>`;
      case 'server': return `<${a.name}>`;
      case 'choice': return a.optional ? `[${a.choices.join('|')}]` : `<${a.choices.join('|')}>`;
      case 'rest': return a.optional ? `[${a.name}…]` : `<${a.name}…>`;
      case 'flag': return `[${a.flag}]`;
      default: return 'optional' in a && a.optional ? `[${a.name}]` : `<${a.name}>`;
    }
  });
  return [spec.name, ...parts].join(' ');
}
