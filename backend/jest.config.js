// Backend: unit specs beside the code (src/**/*.spec.ts) and integration tests (test/**/*.e2e-spec.ts)
// against a real PostgreSQL: one embedded cluster per run, one database per test file.
module.exports = {
  displayName: 'backend',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {
      tsconfig: '<rootDir>/tsconfig.json',
      astTransformers: { before: ['<rootDir>/test/support/swagger-transformer.js'] },
    }],
  },
  moduleNameMapper: { '^@chatops/protocol$': '<rootDir>/../libs/protocol/src/index.ts', '^@chatops/protocol/(.*)$': '<rootDir>/../libs/protocol/src/$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'],
};
