// CommonJS on purpose (see /work/shared/ENVIRONMENT.md "Jest for Angular 21"): zoneless Angular + jsdom.
const { createCjsPreset } = require('jest-preset-angular/presets');

module.exports = {
  ...createCjsPreset({
    tsconfig: '<rootDir>/tsconfig.spec.json',
    testEnvironment: 'jest-preset-angular/environments/jest-jsdom-env',
    // TS2823: import attributes (`with { loader: 'text' }`, how lazy chunks import library CSS) are
    // valid under the app's `module: preserve`; ts-jest emits CommonJS, where the attribute is
    // dropped and the .css is mapped to a stub below. The production build still checks them.
    diagnostics: { ignoreCodes: [2823] },
  }),
  displayName: 'frontend',
  // A file's first test also pays for compiling its components in jsdom: seconds on a loaded
  // 2-core machine (5 s, Jest's default, was exceeded once while other suites ran beside it).
  testTimeout: 20_000,
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/setup-jest.ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: {
    '^@chatops/protocol$': '<rootDir>/../libs/protocol/src/index.ts',
    '^@chatops/protocol/(.*)$': '<rootDir>/../libs/protocol/src/$1',
    // Stylesheets imported as text (`with { loader: 'text' }`) and the browser-only emulators: the
    // specs inject fakes for xterm.js and asciinema-player (the Chromium e2e runs the real ones).
    '\\.css$': '<rootDir>/src/testing/stubs/css-text.ts',
    '^@xterm/xterm$': '<rootDir>/src/testing/stubs/xterm.ts',
    '^@xterm/addon-fit$': '<rootDir>/src/testing/stubs/xterm.ts',
    '^asciinema-player$': '<rootDir>/src/testing/stubs/asciinema-player.ts',
  },
  transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|echarts/|zrender/|ngx-echarts/|ansi_up/))'],
};
