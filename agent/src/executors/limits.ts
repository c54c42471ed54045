/**
 * The protocol's bounds for commands and terminals, as the agent's own constants: importing
 * @chatops/protocol's values would load zod (~10 MB RSS) for a few numbers. `limits.spec.ts`
 * checks they agree with libs/protocol.
 */

/** COMMAND_OUTPUT_CAP_BYTES: stdout and stderr are each kept up to this many bytes. */
export const COMMAND_OUTPUT_CAP_BYTES = 1024 * 1024;
/** COMMAND_MAX_TIMEOUT_SEC: the longest timeout a request may ask for. */
export const COMMAND_MAX_TIMEOUT_SEC = 600;
/** COMMAND_MAX_LENGTH: the longest command line accepted. */
export const COMMAND_MAX_LENGTH = 8192;

/** TERMINAL_MIN_SIZE / TERMINAL_MAX_COLS / TERMINAL_MAX_ROWS: accepted terminal sizes. */
export const TERMINAL_MIN_SIZE = 1;
export const TERMINAL_MAX_COLS = 1000;
export const TERMINAL_MAX_ROWS = 500;
/** TERMINAL_MAX_CHUNK: the largest `data` of one terminal frame (input or output), in characters. */
export const TERMINAL_MAX_CHUNK = 64 * 1024;

/** AGENT_LIMITS.maxFrameBytes: the largest frame the server accepts on `/agents` (its maxHttpBufferSize). */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Room left in a frame for Socket.IO's packet header (`43/agents,<ack id>[...]`). */
export const FRAME_HEADER_ROOM = 1024;

/** Longest id (commandId, sessionId) the backend's stream schemas accept. */
export const MAX_ID_LENGTH = 128;
