import {
  COMMAND_MAX_LENGTH as P_COMMAND_MAX_LENGTH, COMMAND_MAX_TIMEOUT_SEC as P_COMMAND_MAX_TIMEOUT_SEC,
  COMMAND_OUTPUT_CAP_BYTES as P_COMMAND_OUTPUT_CAP_BYTES, TERMINAL_MAX_CHUNK as P_TERMINAL_MAX_CHUNK,
  TERMINAL_MAX_COLS as P_TERMINAL_MAX_COLS, TERMINAL_MAX_ROWS as P_TERMINAL_MAX_ROWS,
  TERMINAL_MIN_SIZE as P_TERMINAL_MIN_SIZE, AGENT_LIMITS, agentStreamSchemas,
} from '@chatops/protocol';
import * as limits from './limits';

describe('executor limits agree with libs/protocol', () => {
  it('command and terminal bounds are the protocol values', () => {
    expect(limits.COMMAND_OUTPUT_CAP_BYTES).toBe(P_COMMAND_OUTPUT_CAP_BYTES);
    expect(limits.COMMAND_MAX_TIMEOUT_SEC).toBe(P_COMMAND_MAX_TIMEOUT_SEC);
    expect(limits.COMMAND_MAX_LENGTH).toBe(P_COMMAND_MAX_LENGTH);
    expect(limits.TERMINAL_MIN_SIZE).toBe(P_TERMINAL_MIN_SIZE);
    expect(limits.TERMINAL_MAX_COLS).toBe(P_TERMINAL_MAX_COLS);
    expect(limits.TERMINAL_MAX_ROWS).toBe(P_TERMINAL_MAX_ROWS);
    expect(limits.TERMINAL_MAX_CHUNK).toBe(P_TERMINAL_MAX_CHUNK);
    expect(limits.MAX_FRAME_BYTES).toBe(AGENT_LIMITS.maxFrameBytes);
  });

  it('ids of MAX_ID_LENGTH pass the backend stream schemas, longer ones do not', () => {
    const id = 'x'.repeat(limits.MAX_ID_LENGTH);
    expect(agentStreamSchemas.terminal_exit.safeParse({ sessionId: id, exitCode: 0 }).success).toBe(true);
    expect(agentStreamSchemas.terminal_exit.safeParse({ sessionId: id + 'x', exitCode: 0 }).success).toBe(false);
  });
});
