import { InjectionToken } from '@angular/core';
import { create } from 'asciinema-player';
import playerCss from 'asciinema-player/dist/bundle/asciinema-player.css' with { loader: 'text' };
import { adoptStyles } from '../../shared/ui/lazy-styles';

/** The part of asciinema-player's Player the page uses. */
export interface RecordingPlayer {
  play(): Promise<unknown>;
  pause(): Promise<unknown>;
  seek(seconds: number): Promise<unknown>;
  getCurrentTime(): number;
  getDuration(): number | undefined;
  addEventListener(event: 'play' | 'playing' | 'pause' | 'ended', handler: () => void): void;
  dispose(): void;
}

export interface RecordingPlayerOptions {
  speed: number;
  startAt?: number;
  autoPlay: boolean;
}

/** Creates a player for an asciicast v2 text inside `host`. */
export type RecordingPlayerFactory = (cast: string, host: HTMLElement, options: RecordingPlayerOptions) => RecordingPlayer;

/**
 * Creates asciinema-player. The player and its CSS are static imports of this file, which only the
 * player component imports, and the Sessions tab loads that component with `@defer` on the first
 * Play: the player is a lazy chunk of its own. Unit tests provide a fake.
 */
export const RECORDING_PLAYER_FACTORY = new InjectionToken<RecordingPlayerFactory>('RECORDING_PLAYER_FACTORY', {
  providedIn: 'root',
  factory: () => createAsciinemaPlayer,
});

function createAsciinemaPlayer(cast: string, host: HTMLElement, options: RecordingPlayerOptions): RecordingPlayer {
  adoptStyles(host.ownerDocument, 'asciinema-player', playerCss);
  // The recording was fetched with the Bearer token: the player gets the text, not a URL.
  return create({ data: cast }, host, {
    speed: options.speed,
    startAt: options.startAt,
    autoPlay: options.autoPlay,
    fit: 'both',
    idleTimeLimit: 2,
    controls: true,
    terminalFontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  });
}
