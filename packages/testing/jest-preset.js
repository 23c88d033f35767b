/* global require, module */
// `preset: '@pitaya-ts/testing'`: what a pitaya-ts project needs to run its TypeScript tests under
// Jest, without config of its own.
const swc = require.resolve('@swc/jest');

// legacy decorators with their metadata (the DTO of a handler's body comes from it), class fields
// assigned as tsc assigns them, CommonJS as Jest loads it
const typescript = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const javascript = { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } };

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|mt|ct)sx?$': [swc, typescript],
    '^.+\\.(m|c)?jsx?$': [swc, javascript],
  },
  // inversify 8 ships ES modules only, which Jest cannot require on Node 20: it is transpiled
  transformIgnorePatterns: ['/node_modules/(?!(inversify|@inversifyjs)/)'],
  // decorators read and write their metadata through it before any test file runs
  setupFiles: [require.resolve('reflect-metadata')],
};
