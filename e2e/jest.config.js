// End-to-end: the built backend (with its own embedded PostgreSQL), real agent processes and a
// real headless Chromium. `npm test` builds everything first.
module.exports = {
  displayName: 'e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: { '^@chatops/protocol$': '<rootDir>/../libs/protocol/src/index.ts', '^@chatops/protocol/(.*)$': '<rootDir>/../libs/protocol/src/$1' },
  setupFilesAfterEnv: ['<rootDir>/support/timeout.ts'],
};
