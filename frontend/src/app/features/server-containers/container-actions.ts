import type { ContainerActionQuery, ContainerMutation } from '@chatops/protocol';

export interface ActionSpec {
  action: ContainerMutation;
  label: string;
  /** Past tense, for the success toast. */
  done: string;
  icon: string;
  /** Interrupts what runs in the container, or deletes it: confirmed first. */
  destructive: boolean;
}

export const ACTIONS: readonly ActionSpec[] = [
  { action: 'start', label: 'Start', done: 'Started', icon: 'play', destructive: false },
  { action: 'stop', label: 'Stop', done: 'Stopped', icon: 'stop', destructive: true },
  { action: 'restart', label: 'Restart', done: 'Restarted', icon: 'replay', destructive: true },
  { action: 'pause', label: 'Pause', done: 'Paused', icon: 'pause', destructive: false },
  { action: 'unpause', label: 'Unpause', done: 'Unpaused', icon: 'play', destructive: false },
  { action: 'kill', label: 'Kill', done: 'Killed', icon: 'offline', destructive: true },
  { action: 'remove', label: 'Remove', done: 'Removed', icon: 'delete', destructive: true },
];

export const actionSpec = (action: ContainerMutation): ActionSpec => ACTIONS.find((a) => a.action === action)!;

/** What makes sense in a state (Docker would refuse the rest with a 409). `remove` is always offered (force for a running one). */
export function actionsFor(state: string): ContainerMutation[] {
  switch (state) {
    case 'running': return ['stop', 'restart', 'pause', 'kill', 'remove'];
    case 'paused': return ['unpause', 'stop', 'kill', 'remove'];
    case 'restarting': return ['stop', 'kill', 'remove'];
    case 'created': case 'exited': case 'dead': return ['start', 'remove'];
    default: return ['remove'];
  }
}

/** Signals offered for kill (Docker's default is SIGKILL). */
export const KILL_SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;

/** What the confirm dialog returns: the options to send with the action. */
export type ConfirmedOptions = ContainerActionQuery;
