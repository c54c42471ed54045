import { Injectable, inject, signal } from '@angular/core';
import type { Server } from '@chatops/protocol';
import { ServersApi } from '../../core/api/servers-api.service';

/** The user's servers, read once for the Alerts pages (names in lists, the server pickers). */
@Injectable()
export class FleetServers {
  readonly servers = signal<Server[]>([]);

  constructor() {
    inject(ServersApi).list().subscribe({ next: (s) => this.servers.set([...s].sort((a, b) => a.name.localeCompare(b.name))), error: () => undefined });
  }
}
