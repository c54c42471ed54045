import { Injectable, inject } from '@angular/core';
import type { Server } from '@chatops/protocol';
import { MAX_TAGS } from '@chatops/protocol/tags';
import { Observable, catchError, from, map, mergeMap, of, toArray } from 'rxjs';
import { describeHttpError } from '../../core/api/error-message';
import { ServersApi } from '../../core/api/servers-api.service';

/** How many requests a bulk action keeps in flight. */
const CONCURRENCY = 4;

export interface BulkOutcome {
  /** Servers changed (their new state; for deletes, just the id). */
  done: { id: string; server?: Server }[];
  /** Servers left alone because nothing was to change (the tag was there already...). */
  skipped: number;
  failed: { id: string; message: string }[];
}

/**
 * The bulk actions of the fleet overview, each one request per server through the REST API (so each
 * change is checked for ownership and audited like a single one), a few at a time, quietly: the page
 * reports once for all of them.
 */
@Injectable()
export class FleetBulkActions {
  private readonly api = inject(ServersApi);

  addTag(servers: Server[], tag: string): Observable<BulkOutcome> {
    return this.retag(servers, (tags) => (tags.includes(tag) ? null : [...tags, tag]));
  }

  removeTag(servers: Server[], tag: string): Observable<BulkOutcome> {
    return this.retag(servers, (tags) => (tags.includes(tag) ? tags.filter((t) => t !== tag) : null));
  }

  remove(ids: string[]): Observable<BulkOutcome> {
    return this.run(ids.map((id) => ({ id, call: this.api.remove(id, true).pipe(map(() => undefined)) })), 0);
  }

  /** `change` gives the new tags, or null when this server needs no change. */
  private retag(servers: Server[], change: (tags: string[]) => string[] | null): Observable<BulkOutcome> {
    const jobs: { id: string; call: Observable<Server | undefined> }[] = [];
    const tooMany: BulkOutcome['failed'] = [];
    for (const s of servers) {
      const next = change(s.tags ?? []);
      if (!next) continue;
      if (next.length > MAX_TAGS) tooMany.push({ id: s.id, message: `${s.name} has ${MAX_TAGS} tags already` });
      else jobs.push({ id: s.id, call: this.api.update(s.id, { tags: next }, true) });
    }
    return this.run(jobs, servers.length - jobs.length - tooMany.length).pipe(map((o) => ({ ...o, failed: [...tooMany, ...o.failed] })));
  }

  private run(jobs: { id: string; call: Observable<Server | undefined> }[], skipped: number): Observable<BulkOutcome> {
    if (!jobs.length) return of({ done: [], skipped, failed: [] });
    return from(jobs).pipe(
      mergeMap(({ id, call }) => call.pipe(
        map((server) => ({ ok: true as const, id, server })),
        catchError((err: unknown) => of({ ok: false as const, id, message: describeHttpError(err).message })),
      ), CONCURRENCY),
      toArray(),
      map((results) => ({
        done: results.flatMap((r) => (r.ok ? [{ id: r.id, server: r.server }] : [])),
        skipped,
        failed: results.flatMap((r) => (r.ok ? [] : [{ id: r.id, message: r.message }])),
      })),
    );
  }
}
