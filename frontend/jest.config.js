// CommonJS on purpose (see /work/shared/ENVIRONMENT.md "Jest for Angular 21"): zoneless Angular + jsdom.
const { createCjsPreset } = require('jest-preset-angular/presets');

module.exports = {
  ...createCjsPreset({
    tsconfig: '<rootDir>/tsconfig.spec.json',
    testEnvironment: 'jest-preset-angular/environments/jest-jsdom-env',
  }),
  displayName: 'frontend',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/setup-jest.ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: { '^@chatops/protocol$': '<rootDir>/../libs/protocol/src/index.ts', '^@chatops/protocol/(.*)$': '<rootDir>/../libs/protocol/src/$1' },
  transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|echarts/|zrender/|ngx-echarts/))'],
};
