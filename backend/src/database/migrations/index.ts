import { Init1764230000000 } from './1764230000000-Init';
import { Metrics1764230100000 } from './1764230100000-Metrics';
import { Rollups1764230200000 } from './1764230200000-Rollups';
import { AuditOwner1764230300000 } from './1764230300000-AuditOwner';
import { Commands1764231000000 } from './1764231000000-Commands';
import { ConnectionEventAttempts1764231500000 } from './1764231500000-ConnectionEventAttempts';
import { Alerts1764232000000 } from './1764232000000-Alerts';
import { ContainerEvents1764232500000 } from './1764232500000-ContainerEvents';
import { Chatops1764233000000 } from './1764233000000-Chatops';
import { AgentGeneration1764233500000 } from './1764233500000-AgentGeneration';
import { ChatDoors1764234500000 } from './1764234500000-ChatDoors';
import { AdminUsers1764236500000 } from './1764236500000-AdminUsers';
import { Teams1764235000000 } from './1764235000000-Teams';
import { ChatStreams1764237000000 } from './1764237000000-ChatStreams';
import { ServerTags1764236000000 } from './1764236000000-ServerTags';
import { PerUserSlots1764237500000 } from './1764237500000-PerUserSlots';
import { SignIn1764235500000 } from './1764235500000-SignIn';
import { TokenScopeNames1764238000000 } from './1764238000000-TokenScopeNames';
import { SsoTeamMembers1764238100000 } from './1764238100000-SsoTeamMembers';
import { TokenTeamScope1764239000000 } from './1764239000000-TokenTeamScope';
import { TeamInvites1764239010000 } from './1764239010000-TeamInvites';
import { RuleCreators1764239100000 } from './1764239100000-RuleCreators';
import { ChatStreamInstance1764239200000 } from './1764239200000-ChatStreamInstance';
import { DetailSeries1764239300000 } from './1764239300000-DetailSeries';
import { PasswordResets1764239400000 } from './1764239400000-PasswordResets';

/** Every migration, in order. The app runs pending ones at start; `npm run db:migrate` does too. */
export const MIGRATIONS = [
  Init1764230000000, Metrics1764230100000, Rollups1764230200000, AuditOwner1764230300000, Commands1764231000000,
  ConnectionEventAttempts1764231500000, Alerts1764232000000, ContainerEvents1764232500000, Chatops1764233000000,
  AgentGeneration1764233500000, ChatDoors1764234500000, Teams1764235000000, SignIn1764235500000, ServerTags1764236000000,
  AdminUsers1764236500000, ChatStreams1764237000000, PerUserSlots1764237500000, TokenScopeNames1764238000000,
  SsoTeamMembers1764238100000, TokenTeamScope1764239000000, TeamInvites1764239010000, RuleCreators1764239100000,
  ChatStreamInstance1764239200000, DetailSeries1764239300000, PasswordResets1764239400000,
];
