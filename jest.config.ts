/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/proto', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  // the registry tests have their own command (npm run test:publish); the generator's templates'
  // tests run in the projects made from them, there
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/publish/',
    '<rootDir>/packages/create-pitaya-ts/templates/',
  ],
  transform: { '^.+\\.(t|j)s$': '@swc/jest' },
  // inversify ships ESM only; Jest on Node 20 needs it transpiled, and OpenTelemetry's OTLP exporter
  // and resource detectors their import() calls (a test's VM refuses them)
  transformIgnorePatterns: [
    '/node_modules/(?!(inversify|@inversifyjs|@opentelemetry/otlp-exporter-base|@opentelemetry/resources)/)',
  ],
  moduleNameMapper: {
    '^@pitaya-ts/core/provider$': '<rootDir>/packages/core/src/provider',
    '^@pitaya-ts/([^/]+)$': '<rootDir>/packages/$1/src',
  },
  testTimeout: 20_000,
  // the suites wait on sockets more than on CPU: use both cores
  maxWorkers: 2,
  // a worker's process ends a moment after its last test (its heap is torn down after its exit
  // event); on a loaded machine that takes over Jest's default 500 ms, which it reports as a leak
  workerGracefulExitTimeout: 5000,
};

export default config;
