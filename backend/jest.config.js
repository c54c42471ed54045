// Backend: unit specs beside the code (src/**/*.spec.ts) and integration tests (test/**/*.e2e-spec.ts)
// against a real PostgreSQL: one embedded cluster per run, one database per test file.
const ESM_PACKAGES = ['pg-boss', 'serialize-error', 'non-error', 'rrule-temporal', 'openid-client', 'oauth4webapi', 'jose'];

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
    // pg-boss, openid-client and a few of their dependencies are ESM-only; Jest 30 on Node 20 cannot require() ESM,
    // so they are compiled to CommonJS for the tests (plain Node 20.19+ loads them as they are).
    [`^.+/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: ['ts-jest', {
      tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true },
      transpilation: true,
    }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper: { '^@chatops/protocol$': '<rootDir>/../libs/protocol/src/index.ts', '^@chatops/protocol/(.*)$': '<rootDir>/../libs/protocol/src/$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'],
};
