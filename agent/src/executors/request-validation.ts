/**
 * Requests from the backend, checked by hand before anything runs (the agent does not load zod).
 * The backend validates too, but the agent never trusts a frame: a malformed request is refused
 * (`invalid`, with a message) or, for the one-way terminal frames, ignored; it never throws.
 */
import type { CommandRequest, TerminalClose, TerminalData, TerminalOpen, TerminalResize } from '@chatops/protocol';
import {
  COMMAND_MAX_LENGTH, COMMAND_MAX_TIMEOUT_SEC, MAX_ID_LENGTH, TERMINAL_MAX_CHUNK, TERMINAL_MAX_COLS, TERMINAL_MAX_ROWS,
  TERMINAL_MIN_SIZE,
} from './limits';

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const MAX_PATH_LENGTH = 4096;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
const isSize = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= TERMINAL_MIN_SIZE && (v as number) <= max;

export function checkCommandRequest(raw: unknown): Checked<CommandRequest> {
  if (!isRecord(raw)) return { ok: false, message: 'the request is not an object' };
  const { commandId, command, timeoutSec, cwd } = raw;
  if (!isId(commandId)) return { ok: false, message: `commandId must be a string of 1 to ${MAX_ID_LENGTH} characters` };
  if (typeof command !== 'string' || command.trim() === '') return { ok: false, message: 'command must be a non-empty string' };
  if (command.length > COMMAND_MAX_LENGTH) return { ok: false, message: `command is longer than ${COMMAND_MAX_LENGTH} characters` };
  if (command.includes('\0')) return { ok: false, message: 'command contains a NUL character' };
  if (typeof timeoutSec !== 'number' || !Number.isFinite(timeoutSec) || timeoutSec <= 0 || timeoutSec > COMMAND_MAX_TIMEOUT_SEC) {
    return { ok: false, message: `timeoutSec must be a number above 0 and at most ${COMMAND_MAX_TIMEOUT_SEC}` };
  }
  if (cwd !== undefined && cwd !== null) {
    if (typeof cwd !== 'string' || !cwd.startsWith('/') || cwd.length > MAX_PATH_LENGTH || cwd.includes('\0')) {
      return { ok: false, message: 'cwd must be an absolute path' };
    }
    return { ok: true, value: { commandId, command, timeoutSec, cwd } };
  }
  return { ok: true, value: { commandId, command, timeoutSec } };
}

export function checkTerminalOpen(raw: unknown): Checked<TerminalOpen> {
  if (!isRecord(raw)) return { ok: false, message: 'the request is not an object' };
  const { sessionId, cols, rows } = raw;
  if (!isId(sessionId)) return { ok: false, message: `sessionId must be a string of 1 to ${MAX_ID_LENGTH} characters` };
  if (!isSize(cols, TERMINAL_MAX_COLS) || !isSize(rows, TERMINAL_MAX_ROWS)) {
    return { ok: false, message: `cols and rows must be integers from ${TERMINAL_MIN_SIZE} to ${TERMINAL_MAX_COLS} and ${TERMINAL_MAX_ROWS}` };
  }
  return { ok: true, value: { sessionId, cols, rows } };
}

/** One-way frames: null when malformed (they are ignored, there is no ack to refuse with). */
export function checkTerminalResize(raw: unknown): TerminalResize | null {
  if (!isRecord(raw) || !isId(raw.sessionId) || !isSize(raw.cols, TERMINAL_MAX_COLS) || !isSize(raw.rows, TERMINAL_MAX_ROWS)) return null;
  return { sessionId: raw.sessionId, cols: raw.cols, rows: raw.rows };
}

export function checkTerminalData(raw: unknown): TerminalData | null {
  if (!isRecord(raw) || !isId(raw.sessionId) || typeof raw.data !== 'string' || raw.data.length > TERMINAL_MAX_CHUNK) return null;
  return { sessionId: raw.sessionId, data: raw.data };
}

export function checkTerminalClose(raw: unknown): TerminalClose | null {
  if (!isRecord(raw) || !isId(raw.sessionId)) return null;
  return { sessionId: raw.sessionId };
}
