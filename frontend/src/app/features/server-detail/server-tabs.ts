import type { Route } from '@angular/router';
import type { Capability } from '@chatops/protocol';

/**
 * One tab of a server's page: a child route of `servers/:id`, lazy-loaded. A tab is its page
 * component (`loadComponent`), or its own routes (`loadChildren`) when it needs route providers
 * (the Overview provides ECharts); either way its dependencies (ECharts, xterm, ansi_up) stay in
 * its chunk.
 */
export interface ServerTab {
  /** URL segment under `/servers/:id` ('' = the Overview). */
  path: string;
  label: string;
  /** Document title while the tab is open. */
  title: string;
  loadComponent?: Route['loadComponent'];
  loadChildren?: Route['loadChildren'];
  /** The capability the tab needs (docs/access.md): without it the tab shows disabled, with the reason. */
  capability?: Capability;
}

/**
 * The tabs of the server page, in order. A new tab (Containers, Alerts...) is one entry here plus
 * its `*.routes.ts`.
 */
export const SERVER_TABS: readonly ServerTab[] = [
  { path: '', label: 'Overview', title: 'Server · ChatOps', loadChildren: () => import('./overview.routes').then((m) => m.OVERVIEW_ROUTES) },
  { path: 'commands', label: 'Commands', title: 'Commands · ChatOps', capability: 'commands.run', loadComponent: () => import('../server-commands/commands.page').then((m) => m.CommandsPage) },
  { path: 'terminal', label: 'Terminal', title: 'Terminal · ChatOps', capability: 'terminal.open', loadComponent: () => import('../server-terminal/terminal.page').then((m) => m.TerminalPage) },
  { path: 'containers', label: 'Containers', title: 'Containers · ChatOps', loadComponent: () => import('../server-containers/containers.page').then((m) => m.ContainersPage) },
  { path: 'alerts', label: 'Alerts', title: 'Server alerts · ChatOps', loadComponent: () => import('../alerts/server-alerts.page').then((m) => m.ServerAlertsPage) },
  { path: 'sessions', label: 'Sessions', title: 'Terminal sessions · ChatOps', capability: 'terminal.open', loadComponent: () => import('../server-sessions/sessions.page').then((m) => m.SessionsPage) },
];
