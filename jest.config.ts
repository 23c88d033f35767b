/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/proto'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': '@swc/jest' },
  // inversify ships ESM only; Jest on Node 20 needs it transpiled
  transformIgnorePatterns: ['/node_modules/(?!(inversify|@inversifyjs)/)'],
  moduleNameMapper: { '^@pitaya-ts/([^/]+)$': '<rootDir>/packages/$1/src' },
  testTimeout: 20_000,
  // the suites wait on sockets more than on CPU: use both cores
  maxWorkers: 2,
};

export default config;
