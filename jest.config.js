import { createDefaultEsmPreset } from 'ts-jest'

const common = {
  ...createDefaultEsmPreset({ tsconfig: 'tsconfig.json' }),
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  clearMocks: true
}

/** @type {import('jest').Config} */
export default {
  reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
  // Integration tests share one dockerd, registry and buildkitd: run files one at a time.
  maxWorkers: 1,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      // Runs only when at least one integration suite is selected: rebuilds dist/ (what the
      // integration suites execute) when it was not built from the current sources.
      globalSetup: '<rootDir>/test/integration/global-setup.ts'
    }
  ]
}
