import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is draining (SIGTERM with other instances to take over, see `drainApp`):
 * readiness answers 503 so the load balancer stops sending it work, and agents it lets go are not
 * marked offline (they reconnect to another instance; if they do not, the others mark them offline
 * once this instance's presence is gone).
 */
@Injectable()
export class DrainState {
  draining = false;
}
