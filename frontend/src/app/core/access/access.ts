import type { Capability, Server } from '@chatops/protocol';

/**
 * Whether the signed-in user may do `cap` on the server, from the `access` the servers API returns
 * (docs/access.md). The instance admin's break-glass counts as allowed (the backend audits it).
 * A server without `access` (an older backend) is treated as allowed: the backend still checks.
 */
export function can(server: Pick<Server, 'access'> | null | undefined, cap: Capability): boolean {
  const access = server?.access;
  if (!access) return true;
  return access.capabilities.includes(cap) || access.breakGlass;
}

/** Why an action is unavailable, for a disabled button's tooltip or a notice; '' when allowed. */
export function deniedReason(server: Pick<Server, 'access'> | null | undefined, cap: Capability): string {
  if (can(server, cap)) return '';
  const via = server?.access?.via;
  return `Your role${via ? ` (${via})` : ''} on this server does not allow this (${cap})`;
}

/** True when acting needs the instance admin's break-glass (allowed, audited, visible to the team). */
export function isBreakGlass(server: Pick<Server, 'access'> | null | undefined, cap: Capability): boolean {
  const access = server?.access;
  return !!access && !access.capabilities.includes(cap) && access.breakGlass;
}
