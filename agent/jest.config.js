// Agent unit and integration tests (one project of the root jest.config.js).
module.exports = {
  displayName: 'agent',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: { '^@chatops/protocol$': '<rootDir>/../libs/protocol/src/index.ts', '^@chatops/protocol/(.*)$': '<rootDir>/../libs/protocol/src/$1' },
  setupFilesAfterEnv: ['<rootDir>/test/timeout.ts'],
};
