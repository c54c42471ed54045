import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../../common/decorators';
import { DrainState } from '../../common/drain-state';

export class HealthResponse {
  /** `ok`, or `error` when not ready. */
  status: 'ok' | 'error';
  /** Set while the instance drains before it stops (readiness then answers 503). */
  draining?: true;
  database?: 'up' | 'down';
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly drain: DrainState) {}

  /** Liveness: the process answers. */
  @Get()
  @HttpCode(200)
  getLiveness(): HealthResponse {
    return { status: 'ok' };
  }

  /** Readiness: 200 when the database answers within 2 s, 503 otherwise, and while draining. */
  @Get('ready')
  async getReadiness(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    if (this.drain.draining) {
      res.status(503);
      return { status: 'error', draining: true };
    }
    const up = await Promise.race([
      this.db.query('SELECT 1').then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
    ]);
    res.status(up ? 200 : 503);
    return { status: up ? 'ok' : 'error', database: up ? 'up' : 'down' };
  }
}
