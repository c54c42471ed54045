/**
 * Who commands and terminals run as, and the environment they get. They run as the agent's own
 * user with a minimal environment built from scratch: never the agent's `process.env`, which holds
 * the API key (CHATOPS_API_KEY) and whatever else the service manager passed to the agent.
 */
import { userInfo } from 'node:os';

export interface ExecIdentity {
  user: string;
  home: string;
  /** The login shell from the passwd entry, if any. */
  shell: string | null;
}

/** PATH of every command: the usual system directories, in the order Debian's /etc/profile uses. */
export const EXEC_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The agent's user from the passwd database (not $HOME/$USER, which the caller's env may fake). */
export function execIdentity(): ExecIdentity {
  try {
    const u = userInfo();
    return { user: u.username, home: u.homedir || '/', shell: u.shell || null };
  } catch {
    // A uid without a passwd entry (containers run with an arbitrary --user).
    const uid = process.getuid?.() ?? 0;
    return { user: String(uid), home: '/', shell: null };
  }
}

/** The environment of a command (TERM=dumb: no pager, no colours) or a terminal shell. */
export function minimalEnv(id: ExecIdentity, kind: 'command' | 'terminal', shell?: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: EXEC_PATH,
    HOME: id.home,
    USER: id.user,
    LOGNAME: id.user,
    LANG: 'C.UTF-8',
    TERM: kind === 'terminal' ? 'xterm-256color' : 'dumb',
  };
  if (kind === 'terminal' && shell) env.SHELL = shell;
  return env;
}
