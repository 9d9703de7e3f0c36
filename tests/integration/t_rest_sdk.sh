#!/usr/bin/env bash
# The official twilio npm package (version pinned in sdk/package-lock.json, installed with
# `npm ci`) driving the REST API on the platform through its custom HTTP client hook: accounts,
# applications, numbers, keys, queues and members (a real call enqueued, found and dequeued
# through the SDK), calls validation (sdk/sdk_test.js).
. "$(dirname "$0")/lib.sh"
SDK=$T_DIR/sdk
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  not_ok "node and npm are installed (tools/deps installs them)"; t_end
fi
if ! (cd "$SDK" && npm ci --no-audit --no-fund --loglevel=error >"$VOX_BUILD/npm-ci.log" 2>&1); then
  not_ok "npm ci in tests/integration/sdk (see $VOX_BUILD/npm-ci.log)"; t_end
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
t_up -- "http_port=$P"
DATA=$VOX_DATA_BASE/$T_ID
check "the dev account file is written" wait_for 5 test -s "$DATA/dev-account"
# with the call router in the tree, calls.create places a real call to a sipp UAS in the
# test's namespace (answers, its TwiML enqueues it, the SDK dequeues it onto /hangup of the
# test's web application, our BYE ends it)
CALL_TO=
W=$T_LOG/web
mkdir -p "$W"
echo '{"/hangup": {"body": "<Response><Hangup/></Response>"}}' >"$W/routes.json"
python3 "$T_DIR/webapp.py" --port 0 --port-file "$W/port" --routes "$W/routes.json" --log "$W/req.jsonl" >"$W/webapp.out" 2>&1 &
WEB=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
if [ -f "$VOX_ROOT/control/calls/calls_api.c" ]; then
  nsx timeout 60 sipp -sn uas -i 192.0.2.1 -p 5090 -m 1 -nostdin -timeout 50 \
    -trace_err -error_file "$T_LOG/sdk_uas.err" >"$T_LOG/sdk_uas.out" 2>&1 & UAS=$!
  CALL_TO=sip:sdk@192.0.2.1:5090
fi
out=$(VOX_BASE=http://127.0.0.1:$P VOX_SDK_CALL_TO=$CALL_TO VOX_SDK_HANGUP_URL=http://127.0.0.1:$(cat "$W/port")/hangup \
  VOX_ACCOUNT_SID=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$DATA/dev-account") \
  VOX_AUTH_TOKEN=$(sed -n 's/^VOX_AUTH_TOKEN=//p' "$DATA/dev-account") \
  timeout 120 node "$SDK/sdk_test.js" 2>&1); rc=$?
while IFS= read -r line; do
  case $line in
    "ok - "*) ok "sdk: ${line#ok - }" ;;
    "not ok - "*) not_ok "sdk: ${line#not ok - }" ;;
    *) echo "# $line" ;;
  esac
done <<<"$out"
check "the SDK run finished cleanly (rc=$rc)" test "$rc" = 0
if [ -n "$CALL_TO" ]; then
  wait "$UAS"; rc=$?
  check "the sipp UAS took the SDK's call and saw it end (sipp rc=$rc)" test $rc -eq 0
fi
check "the SDK ran its checks" test "$(grep -c '^ok - ' <<<"$out")" -ge 25
if [ -n "$CALL_TO" ]; then
  check "the dequeue URL was requested for the SDK's call" test "$(jq -r 'select(.path=="/hangup") | .path' "$W/req.jsonl" | wc -l)" = 1
fi
kill $WEB; wait $WEB 2>/dev/null
t_end
