'use strict';
// node-redis 4 speaks RESP2 only.
const { run } = require('../lib/suite');
const { adapter } = require('../lib/noderedis');

run(adapter('redis4', require('redis4'), false), 2);
