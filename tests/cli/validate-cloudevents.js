// validate-cloudevents.js: every line on stdin through the CNCF JavaScript
// SDK (the `cloudevents` package): a valid CloudEvents 1.0 event in strict
// mode, whose data is the line's own.  Prints "valid N"; exits 1 at the
// first line the SDK refuses or changes.  (tests/cli/test-cli.py, cli-cloudevents)
//
// SPDX-License-Identifier: LGPL-2.1-or-later
'use strict';
const assert = require('node:assert');
const { CloudEvent } = require('cloudevents');

const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l !== '');
let n = 0;
for (const line of lines) {
  const object = JSON.parse(line);
  let event;
  try {
    event = new CloudEvent(object, true);       // strict: the 1.0 schema, or a ValidationError
    event.validate();
    assert.strictEqual(event.specversion, '1.0');
    assert.deepStrictEqual(event.data, object.data);
    // and back: the SDK's own serialization keeps every attribute and the data
    assert.deepStrictEqual(JSON.parse(JSON.stringify(event.toJSON())).data, object.data);
    assert.strictEqual(event.sequence, object.sequence);
  } catch (e) {
    console.error(`refused: ${line}\n${e.stack}\n${JSON.stringify(e.errors || '')}`);
    process.exit(1);
  }
  n++;
}
console.log(`valid ${n}`);
