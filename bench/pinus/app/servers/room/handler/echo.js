/* global exports */
// `room.echo.say`, the forwarded path's backend route: answers the request's body (CommonJS, as
// app/servers/connector/handler/entryHandler.js says why).
exports.default = () => ({ say: async (msg) => msg });
