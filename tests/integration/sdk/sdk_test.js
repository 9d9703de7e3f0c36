// SPDX-License-Identifier: BSD-3-Clause
// sdk_test.js — the official twilio helper library (pinned in package-lock.json) against
// voxplane's REST API. Only the host differs: a RequestClient subclass (the library's
// documented custom HTTP client hook) sends every request to VOX_BASE instead of
// https://api.twilio.com. Prints "ok - ..." / "not ok - ..." lines; exits 1 on any failure.
'use strict';
const twilio = require('twilio');

const BASE = process.env.VOX_BASE; // e.g. http://127.0.0.1:8080
const AC = process.env.VOX_ACCOUNT_SID;
const TOK = process.env.VOX_AUTH_TOKEN;

class VoxClient extends twilio.RequestClient {
  request(opts) {
    opts.uri = opts.uri.replace(/^https:\/\/api\.twilio\.com/, BASE);
    return super.request(opts);
  }
}
const http = new VoxClient();
const client = twilio(AC, TOK, { httpClient: http });

let failed = 0;
function check(name, cond) {
  if (cond) console.log(`ok - ${name}`);
  else { failed++; console.log(`not ok - ${name}`); }
}
async function rejects(name, p, code) {
  try { await p; check(`${name} (no error)`, false); }
  catch (e) { check(`${name}: ${e.status} ${e.code}`, e.code === code); }
}

async function main() {
  // accounts
  const me = await client.api.v2010.accounts(AC).fetch();
  check('fetch the account', me.sid === AC && me.status === 'active');
  const sub = await client.api.v2010.accounts.create({ friendlyName: 'sdk tenant' });
  check('create a subaccount', /^AC[0-9a-f]{32}$/.test(sub.sid) && sub.ownerAccountSid === AC);
  const subU = await client.api.v2010.accounts(sub.sid).update({ status: 'suspended', friendlyName: 'sdk tenant 2' });
  check('suspend and rename the subaccount', subU.status === 'suspended' && subU.friendlyName === 'sdk tenant 2');
  const accts = await client.api.v2010.accounts.list();
  check('list accounts (self and subaccount)', accts.length === 2);

  // applications
  const app = await client.applications.create({ friendlyName: 'ivr', voiceUrl: 'https://example.com/ivr', voiceMethod: 'GET' });
  check('create an application', /^AP/.test(app.sid) && app.voiceMethod === 'GET');
  const appU = await client.applications(app.sid).update({ voiceFallbackUrl: 'https://example.com/fb' });
  check('update the application', appU.voiceFallbackUrl === 'https://example.com/fb');
  check('fetch the application', (await client.applications(app.sid).fetch()).friendlyName === 'ivr');
  check('list applications', (await client.applications.list()).some((a) => a.sid === app.sid));

  // incoming numbers
  const num = await client.incomingPhoneNumbers.create({ phoneNumber: '+15005550199', voiceApplicationSid: app.sid, friendlyName: 'front desk' });
  check('create a number', /^PN/.test(num.sid) && num.phoneNumber === '+15005550199' && num.voiceApplicationSid === app.sid);
  const numU = await client.incomingPhoneNumbers(num.sid).update({ voiceUrl: 'https://example.com/v', voiceMethod: 'POST', statusCallback: 'https://example.com/s' });
  check('update the number voice fields', numU.voiceUrl === 'https://example.com/v' && numU.statusCallback === 'https://example.com/s');
  const found = await client.incomingPhoneNumbers.list({ phoneNumber: '+15005550199' });
  check('list numbers filtered by PhoneNumber', found.length === 1 && found[0].sid === num.sid);
  check('fetch the number', (await client.incomingPhoneNumbers(num.sid).fetch()).friendlyName === 'front desk');
  await client.incomingPhoneNumbers(num.sid).remove();
  await rejects('the removed number is gone', client.incomingPhoneNumbers(num.sid).fetch(), 20404);

  // keys: the secret once, then usable as credentials
  const key = await client.newKeys.create({ friendlyName: 'sdk key' });
  check('create an API key with its secret', /^SK/.test(key.sid) && key.secret && key.secret.length >= 32);
  const byKey = twilio(key.sid, key.secret, { accountSid: AC, httpClient: http });
  check('the key authenticates the SDK', (await byKey.api.v2010.accounts(AC).fetch()).sid === AC);
  check('fetch the key (no secret)', (await client.keys(key.sid).fetch()).secret === undefined);
  check('list keys', (await client.keys.list()).some((k) => k.sid === key.sid));
  await client.keys(key.sid).remove();
  await rejects('the removed key no longer authenticates', byKey.api.v2010.accounts(AC).fetch(), 20003);

  // queues, members, paging through the library's next_page_uri
  const q = await client.queues.create({ friendlyName: 'support', maxSize: 10 });
  check('create a queue', /^QU/.test(q.sid) && q.maxSize === 10 && q.currentSize === 0);
  check('update the queue', (await client.queues(q.sid).update({ maxSize: 5000 })).maxSize === 5000);
  for (let i = 0; i < 4; i++) await client.queues.create({ friendlyName: `q${i}` });
  const qs = await client.queues.list({ pageSize: 2 });
  check(`list queues across pages of 2 (${qs.length})`, qs.length === 5 && new Set(qs.map((x) => x.sid)).size === 5);
  check('list the queue members (empty)', (await client.queues(q.sid).members.list()).length === 0);
  await rejects('dequeue Front of an empty queue', client.queues(q.sid).members('Front').update({ url: 'https://example.com/agent' }), 20404);
  await client.queues(q.sid).remove();

  // calls: the library's exact bodies validated (repeated StatusCallbackEvent)
  await rejects('calls.create with a bad To', client.calls.create({ to: 'abc', from: '+15005550006', url: 'https://example.com/x' }), 21211);
  await rejects('calls.create with Timeout 601', client.calls.create({ to: '+15005550001', from: '+15005550006', url: 'https://example.com/x', timeout: 601 }), 21208);
  await rejects('calls.create with a 4001-character Twiml', client.calls.create({ to: '+15005550001', from: '+15005550006', twiml: 'a'.repeat(4001) }), 32018);
  const calls = await client.calls.list({ limit: 20 });
  check('list calls', Array.isArray(calls));
  if (process.env.VOX_SDK_CALL_TO) {
    // a real call to the sipp UAS whose TwiML enqueues it; the SDK finds it among the queue's
    // members and dequeues it onto a URL that hangs it up
    const call = await client.calls.create({ to: process.env.VOX_SDK_CALL_TO, from: '+15005550006', twiml: '<Response><Enqueue>sdkq</Enqueue></Response>', statusCallbackEvent: ['initiated', 'answered'] });
    check('calls.create places a call', /^CA/.test(call.sid));
    let sq = null;
    let mem = [];
    for (let i = 0; i < 100 && !mem.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      sq = (await client.queues.list()).find((x) => x.friendlyName === 'sdkq');
      if (sq) mem = await client.queues(sq.sid).members.list();
    }
    check('the answered call waits in the queue its TwiML named', mem.length === 1 && mem[0].callSid === call.sid && mem[0].position === 1);
    if (sq && mem.length) {
      const byCall = await client.queues(sq.sid).members(call.sid).fetch();
      const front = await client.queues(sq.sid).members('Front').fetch();
      check('fetch the member by CallSid and as Front', byCall.callSid === call.sid && front.callSid === call.sid && front.queueSid === sq.sid);
      const live = await client.calls(call.sid).fetch();
      check(`the queued call is in-progress (${live.status})`, live.status === 'in-progress');
      const deq = await client.queues(sq.sid).members('Front').update({ url: process.env.VOX_SDK_HANGUP_URL, method: 'POST' });
      check('dequeue Front onto a URL', deq.callSid === call.sid);
      let st = '';
      for (let i = 0; i < 100 && st !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        st = (await client.calls(call.sid).fetch()).status;
      }
      check(`the dequeued call ran the URL's markup and ended (${st})`, st === 'completed');
      check('the queue is empty again', (await client.queues(sq.sid).fetch()).currentSize === 0);
    }
  } else {
    await rejects('calls.create accepted up to the call router (501 without it)', client.calls.create({ to: 'sip:bob@192.0.2.2', from: 'alice', url: 'https://example.com/x', statusCallbackEvent: ['initiated', 'answered'] }), 20501);
  }
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
  console.log(`not ok - unexpected: ${e.status || ''} ${e.code || ''} ${e.message}`);
  process.exit(1);
});
