#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# control's fetcher against the test web application (tests/integration/webapp.py) on loopback:
# parameters arrive (GET query, POST form), signatures verified by twilio_sig.py (Python's hmac,
# not our C), fallback with ErrorCode/ErrorUrl, read timeout, 64 KB limit, audio content type,
# redirects, keep-alive with a Python server.
set -uo pipefail
FETCH=$1
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
W=$(mktemp -d /tmp/vox-webapp.XXXXXX)
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
cat >"$W/routes.json" <<'J'
{"/voice": {"body": "<Response><Say>hi</Say></Response>"},
 "POST /fail": {"status": 500, "body": "no"},
 "/fb": {"body": "<Response><Hangup/></Response>"},
 "/slow": {"delay": 3, "body": "<Response/>"},
 "/big": {"body_size": 70000},
 "/hold.wav": {"content_type": "audio/wav", "body": "RIFF"},
 "/target": {"body": "<Response><Say>hi</Say></Response>"},
 "/moved": {"status": 302, "redirect": "/target"}}
J
python3 "$ROOT/tests/integration/webapp.py" --port 0 --port-file "$W/port" --routes "$W/routes.json" \
  --log "$W/log.jsonl" & APP=$!
trap 'kill $APP 2>/dev/null; wait $APP 2>/dev/null; rm -rf "$W"' EXIT
for i in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
B=http://127.0.0.1:$(cat "$W/port")
T=s3cr3t
q() { jq -r "$1" <<<"$OUT"; }

OUT=$("$FETCH" --token $T --param CallSid=CA1 --param "From=+1 415" --param Digits=12# "$B/voice#ct=2000")
check "POST answered 200 as TwiML ($OUT)" test "$(q '.status,.error,.kind')" = "$(printf '200\n0\n1')"
last() { tail -n 1 "$W/log.jsonl"; }
check "POST form arrived in order, fragment not sent" test "$(last | jq -c '[.method,.path,.form]')" = '["POST","/voice",[["CallSid","CA1"],["From","+1 415"],["Digits","12#"]]]'

OUT=$("$FETCH" --method GET --token $T --param CallSid=CA1 --param Digits=5 "$B/voice?step=2")
check "GET answered" test "$(q .status)" = 200
check "GET params appended to the query" test "$(last | jq -c '[.method,.query]')" = '["GET",[["step","2"],["CallSid","CA1"],["Digits","5"]]]'

OUT=$("$FETCH" --token $T --fallback "$B/fb" --param CallSid=CA2 "$B/fail")
check "500 -> fallback answered (which=1, first_error 11200)" test "$(q '.which,.first_error,.status')" = "$(printf '1\n11200\n200')"
check "fallback got ErrorCode and ErrorUrl" test "$(last | jq -c '[.path,.form]')" = "[\"/fb\",[[\"CallSid\",\"CA2\"],[\"ErrorCode\",\"11200\"],[\"ErrorUrl\",\"$B/fail\"]]]"

t0=$(date +%s%N)
OUT=$("$FETCH" --method GET "$B/slow#rt=500&rc=0")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "read timeout 500 ms -> 11200 in ${ms} ms" test "$(q .error)" = 11200 -a $ms -lt 2500
OUT=$("$FETCH" --method GET "$B/big")
check "a 70000-byte answer -> 11750" test "$(q .error)" = 11750
OUT=$("$FETCH" --method GET "$B/hold.wav")
check "audio/wav classified audio" test "$(q .kind)" = 2
OUT=$("$FETCH" --method GET "$B/moved")
check "a redirect is followed" test "$(q '.status,.body')" = "$(printf '200\n<Response><Say>hi</Say></Response>')"
OUT=$("$FETCH" --method GET --token $T --repeat 5 "$B/voice" | tail -n 1)
check "5 requests on one kept-alive connection ($OUT)" test "$(q '.ok,.new_conns')" = "$(printf '5\n1')"
OUT=$("$FETCH" --method GET "http://127.0.0.1:1/x")
check "refused -> 11205 after 2 tries" test "$(q '.error,.attempts')" = "$(printf '11205\n2')"

# TLS: verification is on by default (a self-signed certificate is 11220); --insecure (tests
# only) accepts it, and the signature covers the https URL
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1
  python3 "$ROOT/tests/integration/webapp.py" --port 0 --port-file "$W/tport" --routes "$W/routes.json" \
    --log "$W/log.jsonl" --tls "$W/cert.pem" "$W/key.pem" & TAPP=$!
  for i in $(seq 50); do [ -s "$W/tport" ] && break; sleep 0.1; done
  OUT=$("$FETCH" --token $T --param CallSid=CA3 "https://127.0.0.1:$(cat "$W/tport")/voice")
  check "https to a self-signed server: 11220 ($(q .detail))" test "$(q .error)" = 11220
  OUT=$("$FETCH" --insecure --token $T --param CallSid=CA3 "https://127.0.0.1:$(cat "$W/tport")/voice")
  check "https with verification off (tests only): 200" test "$(q '.status,.error')" = "$(printf '200\n0')"
  check "the https request was logged with its https URL" test "$(last | jq -r .url)" = "https://127.0.0.1:$(cat "$W/tport")/voice"
  kill $TAPP; wait $TAPP 2>/dev/null
fi
SIG=$(python3 "$ROOT/tests/integration/twilio_sig.py" --token $T --log "$W/log.jsonl" --path /voice)
check "signatures of every /voice request verified independently ($SIG)" test $? -eq 0
SIG=$(python3 "$ROOT/tests/integration/twilio_sig.py" --token $T --log "$W/log.jsonl" --path /fb)
check "fallback request signed over its own URL and params ($SIG)" test $? -eq 0
SIG=$(python3 "$ROOT/tests/integration/twilio_sig.py" --token wrong --log "$W/log.jsonl" --path /voice)
check "a wrong token does not verify" test $? -ne 0
echo "webapp_test: $PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
