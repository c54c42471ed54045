// ts-jest wrapper for the @nestjs/swagger compiler plugin, so tests see the same OpenAPI
// metadata as `nest build` (see nest-cli.json).
const plugin = require('@nestjs/swagger/plugin');
const options = { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts', '.response.ts'] };
module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (compiler) => plugin.before(options, compiler.program),
};
