import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import { Repository } from 'typeorm';
import type { TerminalSession } from '@chatops/protocol';
import { AuthUser } from '../../common/decorators';
import { ServersService } from '../servers/servers.service';
import { TerminalSessionEntity, toTerminalSession } from './terminal-session.entity';
import { TerminalErrorCode, TerminalException } from './terminal.errors';
import { TerminalSessionsQueryDto } from './dto/terminal.dto';
import { AccessService } from '../access/access.service';

const PAGE_EVENTS = 5000;

/** Terminal sessions and their recordings, as REST reads them (ownership through the server). */
@Injectable()
export class TerminalSessionsService {
  constructor(
    @InjectRepository(TerminalSessionEntity) private readonly sessions: Repository<TerminalSessionEntity>,
    private readonly servers: ServersService,
    private readonly access: AccessService,
  ) {}

  async list(user: AuthUser, serverId: string, q: TerminalSessionsQueryDto): Promise<TerminalSession[]> {
    await this.access.require(user, serverId, 'terminal.open');
    const qb = this.sessions.createQueryBuilder('t')
      .where('t.server_id = :serverId', { serverId })
      .orderBy('t.started_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(q.limit ?? 50);
    if (q.before) {
      const cursor = await this.sessions.findOne({ where: { id: q.before, serverId }, select: { id: true, startedAt: true } });
      if (!cursor) throw new TerminalException(TerminalErrorCode.BadCursor, 'before names no session of this server');
      qb.andWhere('(t.started_at, t.id) < (:at, :id)', { at: cursor.startedAt, id: cursor.id });
    }
    return (await qb.getMany()).map(toTerminalSession);
  }

  async get(user: AuthUser, id: string): Promise<TerminalSession> {
    return toTerminalSession(await this.accessible(user, id));
  }

  /**
   * Writes the session as an asciicast v2 file: a header line, then one `[seconds, kind, data]`
   * line per event, read in pages so a long session is never held in memory at once.
   */
  async writeRecording(user: AuthUser, id: string, res: Response, download: boolean): Promise<void> {
    const session = await this.accessible(user, id);
    const server = await this.servers.findById(session.serverId);
    res.setHeader('Content-Type', 'application/x-asciicast; charset=utf-8');
    res.setHeader('Cache-Control', 'private, no-store');
    if (download) {
      const name = `${(server?.name ?? 'server').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}-${id}.cast`;
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    }
    const header = {
      version: 2,
      width: session.cols,
      height: session.rows,
      timestamp: Math.floor(session.startedAt.getTime() / 1000),
      ...(session.endedAt ? { duration: (session.endedAt.getTime() - session.startedAt.getTime()) / 1000 } : {}),
      title: `${server?.name ?? session.serverId} — ${session.username ?? 'unknown user'}`,
      env: { TERM: 'xterm-256color' },
    };
    res.write(`${JSON.stringify(header)}\n`);
    // Events in time order (output and input may be written by different instances), then by arrival.
    let after: [number, string] = [-1, '0'];
    for (;;) {
      const rows = (await this.sessions.query(
        `SELECT seq, at_ms, kind, data FROM terminal_recording_events
          WHERE session_id = $1 AND (at_ms, seq) > ($2, $3::bigint) ORDER BY at_ms, seq LIMIT ${PAGE_EVENTS}`,
        [id, after[0], after[1]],
      )) as Array<{ seq: string; at_ms: number; kind: string; data: string }>;
      if (!rows.length) break;
      res.write(rows.map((r) => JSON.stringify([r.at_ms / 1000, r.kind, r.data])).join('\n') + '\n');
      const last = rows[rows.length - 1];
      after = [last.at_ms, last.seq];
      if (rows.length < PAGE_EVENTS) break;
    }
    res.end();
  }

  private async accessible(user: AuthUser, id: string): Promise<TerminalSessionEntity> {
    const session = await this.sessions.findOneBy({ id });
    const notFound = () => new TerminalException(TerminalErrorCode.NotFound, 'Terminal session not found');
    if (!session) throw notFound();
    await this.access.require(user, session.serverId, 'terminal.open', undefined, notFound);
    return session;
  }
}
