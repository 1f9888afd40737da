'use strict';
// ioredis 5 speaks RESP2 only (it has no protocol option and never sends HELLO).
const { run } = require('../lib/suite');
const { adapter } = require('../lib/ioredis');

run(adapter('ioredis5', require('ioredis5')), 2);
