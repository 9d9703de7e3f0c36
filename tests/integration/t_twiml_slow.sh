#!/usr/bin/env bash
# Slow webhooks do not delay other calls: 50 calls whose first webhook is held open for 5 s by
# the application (then <Reject/>: 603) are in flight while another call's Gather gets an RFC
# 4733 key; the key's action request reaches the application within 100 ms of the key's
# detection (control's DTMF log line vs webapp's request time, one clock). The default
# fetch_host_conns (256) lets 51 requests to one host be open at once; beyond it, requests to
# one host queue in the fetcher by design.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
W=$T_LOG/web
mkdir -p "$W"
cat >"$W/routes.json" <<'EOF'
{
 "/gather": {"body": "<Response><Gather action=\"/gathered\" numDigits=\"1\" timeout=\"20\"><Say>Press a key</Say></Gather></Response>"},
 "/gathered": {"body": "<Response><Pause length=\"8\"/></Response>"},
 "/slow": {"delay": 5, "body": "<Response><Reject/></Response>"}
}
EOF
t_up
web_up
DATA=$VOX_DATA_BASE/$T_ID
dev_account
voxctl number add --account "$AC" --number +15005550201 --voice-url "$U/gather" >/dev/null &&
  voxctl number add --account "$AC" --number +15005550202 --voice-url "$U/slow" >/dev/null
check "numbers registered" test $? = 0
n_req() { jq -r "select(.path==\"$1\") | .path" "$W/req.jsonl" 2>/dev/null | wc -l; }
at_least() { [ "$(n_req "$1")" -ge "$2" ]; }
none_live() { [ "$(status_q .calls.live)" = 0 ]; }
# the Gather call: sipp sends key 1 about 8 s after the answer, hangs up 2 s later
sipp_run uac_pcma_dtmf 15005550201 &
SIPP=$!
sleep 4
sed "s/__CODE__/603/" "$T_SCEN/uac_reject.xml" >"$T_LOG/uac_reject603.xml"
nsx timeout 60 sipp -sf "$T_LOG/uac_reject603.xml" 192.0.2.2:5060 -i 192.0.2.1 -p 5090 \
  -s 15005550202 -m 50 -r 50 -l 50 -nostdin -timeout 40 >"$T_LOG/slow.out" 2>&1 &
SLOW=$!
check "50 slow webhooks held open" wait_for 10 at_least /slow 50
check "the Gather's action arrives" wait_for 15 at_least /gathered 1
held=$(python3 - "$W/req.jsonl" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
t = [r["t"] for r in rs if r["path"] == "/gathered"][0]
print(sum(1 for r in rs if r["path"] == "/slow" and r["t"] <= t < r["t"] + 5))
PY
)
check "the slow webhooks were still held when the action went ($held of 50)" test "$held" -ge 40
delta=$(python3 - "$W/req.jsonl" "$T_LOG/control.log" <<'PY'
import datetime, json, re, sys
t_act = [json.loads(l)["t"] for l in open(sys.argv[1]) if json.loads(l)["path"] == "/gathered"][0]
for line in open(sys.argv[2]):
    m = re.match(r"(\S+)Z control INFO rec: DTMF leg .*'1'", line)
    if m:
        t_key = datetime.datetime.fromisoformat(m.group(1)).replace(tzinfo=datetime.timezone.utc).timestamp()
        break
print(round((t_act - t_key) * 1000))
PY
)
check "key to action request: $delta ms (<= 100 ms with the slow webhooks in flight)" test "$delta" -le 100
wait $SIPP
check "the Gather call completed" test $? = 0
wait $SLOW
check "the slow calls were rejected 603 after their webhooks (sipp rc=$?)" test $? = 0
check "no call left live" wait_for 10 none_live
lat=$(voxctl status | jq -c .calls.event_to_cmd_us)
echo "event to command (dataplane event timestamp to the command it caused): $lat"
check "event-to-command latency is recorded for the calls' events" test "$(voxctl status | jq .calls.event_to_cmd_us.n)" -gt 0
kill $WEB; wait $WEB 2>/dev/null
t_end
