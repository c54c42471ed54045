export * from './enums';
export * from './rest';
export * from './agent-frames';
export * from './sockets';
