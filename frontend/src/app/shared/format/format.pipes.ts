import { Pipe, PipeTransform } from '@angular/core';
import { formatBps, formatBytes, formatPercent, relativeTime } from './format';

@Pipe({ name: 'bytes' })
export class BytesPipe implements PipeTransform {
  transform(v: number | null | undefined): string {
    return formatBytes(v);
  }
}

@Pipe({ name: 'bps' })
export class BpsPipe implements PipeTransform {
  transform(v: number | null | undefined): string {
    return formatBps(v);
  }
}

@Pipe({ name: 'percent1' })
export class Percent1Pipe implements PipeTransform {
  transform(v: number | null | undefined): string {
    return formatPercent(v);
  }
}

/** Pure pipe: pass a `now` tick signal value as argument to refresh it periodically. */
@Pipe({ name: 'relativeTime' })
export class RelativeTimePipe implements PipeTransform {
  transform(iso: string | null | undefined, now: number = Date.now()): string {
    return relativeTime(iso, now);
  }
}
