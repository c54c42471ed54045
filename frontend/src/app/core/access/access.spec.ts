import type { Server, ServerAccess } from '@chatops/protocol';
import { can, deniedReason, isBreakGlass } from './access';

const withAccess = (access: ServerAccess | undefined): Pick<Server, 'access'> => ({ access });

describe('capability checks in the dashboard', () => {
  const viewer = withAccess({ via: 'viewer', teamId: 't', capabilities: ['server.read', 'metrics.read', 'containers.read', 'alerts.read'], breakGlass: false });
  const admin = withAccess({ via: 'instance_admin', teamId: 't', capabilities: ['server.read'], breakGlass: true });

  it('allows what the role holds and refuses the rest with the reason', () => {
    expect(can(viewer, 'metrics.read')).toBe(true);
    expect(can(viewer, 'terminal.open')).toBe(false);
    expect(deniedReason(viewer, 'terminal.open')).toBe('Your role (viewer) on this server does not allow this (terminal.open)');
    expect(deniedReason(viewer, 'metrics.read')).toBe('');
  });

  it('counts the instance admin\'s break-glass as allowed, and says so', () => {
    expect(can(admin, 'docker.action')).toBe(true);
    expect(isBreakGlass(admin, 'docker.action')).toBe(true);
    expect(isBreakGlass(admin, 'server.read')).toBe(false);
  });

  it('leaves the decision to the backend when it sent no access', () => {
    expect(can(withAccess(undefined), 'server.manage')).toBe(true);
  });
});
