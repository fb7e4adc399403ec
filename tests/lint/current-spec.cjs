// Preloaded into the npm cfn-lint (node -r): its bundled CloudFormation resource
// specification dates from 2019, so every property added since then would be
// reported as unknown. Serve it the published specification that @aws-cdk/cfnspec ships.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const currentSpecPath = require.resolve('@aws-cdk/cfnspec/spec/specification.json');
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (path.basename(request) === 'aws_resources_specification.json') {
    return originalLoad.call(this, currentSpecPath, parent, isMain);
  }
  return originalLoad.call(this, request, parent, isMain);
};
