/* global exports */
// `connector.entryHandler.echo`: answers the request's body (pinus parses it and stringifies the answer).
// CommonJS (app/package.json): pinus's loader reads every export of a handler file, and an ES
// module required from CommonJS has one it cannot read.
exports.default = () => ({ echo: async (msg) => msg });
