#!/usr/bin/env bash
# control's HTTP listener with the platform up: the demo TwiML under /demo/ (GET and POST, as
# Twilio fetches it), JSON errors (404, 413), keep-alive, counters in `voxctl status`, and a
# clear refusal to start when the address is taken.
. "$(dirname "$0")/lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
t_up -- "http_port=$P" "http_static_dir=$VOX_ROOT/configs/demo"
U=http://127.0.0.1:$P
body=$(curl -sS --max-time 5 "$U/demo/voice.xml")
check "GET /demo/voice.xml serves the demo file" test "$body" = "$(cat "$VOX_ROOT/configs/demo/voice.xml")"
ct=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{content_type}' -d CallSid=CA1 -d From=%2B15005550006 "$U/demo/voice.xml")
check "POST /demo/voice.xml (as Twilio fetches it): 200 text/xml ($ct)" test "$ct" = "200 text/xml"
nf=$(curl -sS --max-time 5 -w ' %{http_code}' "$U/demo/nothing.xml")
check "a missing file is a Twilio JSON 404 ($nf)" test "$(jq -r .code <<<"${nf% *}") ${nf##* }" = "20404 404"
up=$(curl -sS --max-time 5 "$U/demo/../../control/main.c" -w ' %{http_code}' --path-as-is)
check "no way out of the demo folder (${up##* })" test "${up##* }" = 404
big=$(head -c 300000 /dev/zero | tr '\0' a | curl -sS --max-time 5 -w ' %{http_code}' --data-binary @- "$U/demo/voice.xml")
check "a body over http_max_body is 413 with JSON (${big##* })" test "$(jq -r .status <<<"${big% *}") ${big##* }" = "413 413"
ka=$(curl -sS --max-time 5 -o /dev/null -o /dev/null -w '%{num_connects}\n' "$U/demo/voice.xml" "$U/demo/gather.xml" | tr '\n' ' ')
check "two requests on one kept-alive connection (connects: $ka)" test "$ka" = "1 0 "
check "voxctl status counts the static files" test "$(status_q .http.server.static_files)" -ge 4
check "voxctl status reports the listener's port" test "$(status_q .http.server.port)" = "$P"
check "voxctl status has the fetcher and resolver counters" test "$(status_q ".http.fetch.active,.http.dns.lookups" | tr "\n" " ")" = "0 0 "
# a second control on a taken port refuses to start, saying why
out=$(timeout 10 "$VOX_CTL_BIN" -c "$T_CONF" --set "instance=${T_ID}b" --set "run_dir=$VOX_RUN_BASE" \
  --set "http_port=$P" 2>&1); rc=$?
check "the address taken: exit 1 with a clear message (rc=$rc)" test $rc -eq 1 -a -n "$(grep 'cannot listen on 127.0.0.1' <<<"$out")"
t_end
