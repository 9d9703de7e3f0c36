#!/usr/bin/env bash
# Call queues end to end (sipp callers and agents in the namespace, webapp.py as the customer's
# server, the REST API with curl):
# - three callers <Enqueue> with a wait application told each one's QueuePosition and playing
#   hold audio fetched once into the pool for all of them;
# - control killed with -9 while they wait: the restart keeps them in line (and a queue created
#   through REST just before the kill);
# - a REST dequeue of Front: the first caller's Url markup dials a sipp UAS through the trunk,
#   bridged with audio both ways; its Enqueue action hears QueueResult=redirected;
# - an agent's <Dial><Queue url> takes the next caller (FIFO): the url is requested for the
#   dequeued caller with QueueSid/QueueTime/DequeingCallSid, then the two calls, on different
#   lcores, are bridged with audio both ways; control killed under the bridge: the audio goes on
#   and the agent's end still sends the caller to its action (QueueResult=bridged) and the
#   agent's Dial action once;
# - a waiting caller that hangs up leaves the queue (QueueResult=hangup); an agent takes the
#   last caller; an agent's Dial timeLimit unbridges both, which go on; a <Dial><Queue> on an empty queue waits until its timeout (no-answer);
#   maxQueueSize makes a caller find the queue full (queue-full); an <Enqueue> without waitUrl
#   hears the bundled hold music.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
cat >"$W/routes.json" <<'EOF2'
{
 "/enq": {"body": "<Response><Enqueue action=\"/after\" waitUrl=\"/wait\">support</Enqueue><Hangup/></Response>"},
 "/wait": {"body": "<Response><Play>media/hold.wav</Play></Response>"},
 "/after": {"body": "<Response><Hangup/></Response>"},
 "/front": {"body": "<Response><Dial timeLimit=\"4\"><Number>+15551239999</Number></Dial><Redirect>/frontdone</Redirect></Response>"},
 "/frontdone": {"body": "<Response><Hangup/></Response>"},
 "/bye": {"body": "<Response><Pause length=\"1\"/><Hangup/></Response>"},
 "/agent": {"body": "<Response><Dial action=\"/agentdone\" timeout=\"5\"><Queue url=\"/whisper\">support</Queue></Dial></Response>"},
 "/agenttl": {"body": "<Response><Dial action=\"/agentdone\" timeLimit=\"3\"><Queue>support</Queue></Dial></Response>"},
 "/agentq": {"body": "<Response><Dial action=\"/agentdone\" timeout=\"5\"><Queue>empty</Queue></Dial></Response>"},
 "/whisper": {"body": "<Response><Say>You are now connected.</Say></Response>"},
 "/agentdone": {"body": "<Response><Hangup/></Response>"},
 "/music": {"body": "<Response><Enqueue>music</Enqueue></Response>"},
 "/musicfull": {"body": "<Response><Enqueue maxQueueSize=\"1\" action=\"/after\">music</Enqueue></Response>"},
 "/status": {"body": ""}
}
EOF2
t_up -- "http_port=$P" "outbound_trunk=192.0.2.1:5094"
web_up "$W/docs"
mkdir -p "$W/docs/media"
sox -n -r 8000 -c 1 -b 16 "$W/docs/media/hold.wav" synth 2.0 sine 600 vol 0.5
dev_account
A=http://127.0.0.1:$P/2010-04-01/Accounts/$AC
num() { voxctl number add --account "$AC" --number "$1" --voice-url "$U$2" >/dev/null; }
num +15005550401 /enq && num +15005550402 /agent && num +15005550403 /agentq && num +15005550404 /music &&
  num +15005550405 /musicfull && num +15005550406 /agenttl
check "numbers registered" test $? = 0
rest() { curl -sS --max-time 10 -u "$AC:$TOK" "$@"; }
# call NAME SERVICE MEDIAPORT WORKER [PAUSE]: a sipp caller whose Call-ID puts it on WORKER
call() {
  local name=$1 svc=$2 mport=$3 wk=$4 pause=${5:-} scen=uac_queue
  [ -n "$pause" ] && scen=uac_queue_bye
  sed -e "s/__MPORT__/$mport/" -e "s/__PAUSE__/$pause/" "$T_SCEN/$scen.xml" >"$T_LOG/$name.xml"
  T_SIPP_PORT=$((T_SIPP_PORT + 1))
  nsx timeout 100 sipp -sf "$T_LOG/$name.xml" 192.0.2.2:5060 -i 192.0.2.1 -p $((5300 + mport % 100)) \
    -mp $((22000 + mport % 1000 * 4)) -s "$svc" -m 1 -nostdin -timeout 95 -timeout_error -trace_msg \
    -message_file "$T_LOG/$name.msg" -cid_str "vx000$wk-$name-%u-%p@%s" >"$T_LOG/$name.out" 2>&1
}
has_sid() { [ -n "$(sid_of "$1")" ]; }
dp_port() { awk '/^SIP\/2.0 200/{ok=1} ok && /^m=audio/{print $2; exit}' "$T_LOG/$1.msg"; }
sid_of() { # the CallSid of the call whose SIP Call-ID starts with vx00?-NAME-
  jq -r --arg n "$1" 'select(any(.form[]; .[0]=="SipCallId" and (.[1] | test("^vx000[0-9]-" + $n + "-")))) | (.form[] | select(.[0]=="CallSid") | .[1])' \
    "$W/req.jsonl" 2>/dev/null | head -n 1
}
members() { rest "$A/Queues/$QU/Members.json" | jq -r '[.queue_members[].call_sid] | join(" ")'; }
n_members() { [ "$(rest "$A/Queues/$QU/Members.json" | jq '.queue_members | length')" = "$1" ]; }
leg_of() { # CallSid -> "handle worker bridge_peer" from the dataplane's mirror (its tag is the
  # CallSid's first 16 hex digits, as control sets it)
  local tag; tag=$(printf '%s' "${1:2:16}" | od -An -tx1 | tr -d ' \n')
  voxctl calls --json | jq -r --arg t "$tag" '.legs[] | select(.tag==$t) | "\(.handle) \(.worker) \(.bridge_peer)"' | head -n 1
}

# --- 1. three callers wait in line; the wait application hears each one's place and plays
# them hold audio (one fetch and decode into the pool for all of them)
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/c1.pcap" \
  'udp and src host 192.0.2.2 and dst port 40010' >/dev/null 2>&1 &
TD=$!
wait_for 5 eval 'test -s "$T_LOG/c1.pcap"'
call c1 15005550401 40010 0 &
C1=$!
check "caller 1 is in the queue" wait_for 10 has_sid c1
wait_for 10 eval 'test "$(n_req /wait)" -ge 1'
QU=$(jq -r 'select(.path=="/wait") | .form[] | select(.[0]=="QueueSid") | .[1]' "$W/req.jsonl" | head -n 1)
check "the queue was made on demand ($QU)" test "${QU:0:2}" = QU
call c2 15005550401 40020 0 &
C2=$!
check "caller 2 joins" wait_for 10 n_members 2
call c3 15005550401 40030 0 &
C3=$!
check "caller 3 joins" wait_for 10 n_members 3
S1=$(sid_of c1) S2=$(sid_of c2) S3=$(sid_of c3)
check "REST lists the members in arrival order" test "$(members)" = "$S1 $S2 $S3"
pos_ok() { [ "$(form_of /wait "$S3" QueuePosition)" = 3 ] && [ "$(form_of /wait "$S3" CurrentQueueSize)" = 3 ]; }
check "the wait application of caller 3 is told QueuePosition=3, CurrentQueueSize=3" wait_for 6 pos_ok
sleep 2.5 # every caller's wait application runs again (Play of 2 s)
check "... caller 1 position 1, caller 2 position 2, MaxQueueSize 1000, its QueueSid" \
  test "$(form_of /wait "$S1" QueuePosition) $(form_of /wait "$S2" QueuePosition) $(form_of /wait "$S1" MaxQueueSize) $(form_of /wait "$S2" QueueSid)" = "1 2 1000 $QU"
check "the wait audio was fetched once and played from the pool for the others (plays_fetched=$(status_q .calls.plays_fetched), plays_cached=$(status_q .calls.plays_cached))" \
  test "$(status_q .calls.plays_fetched)" = 1 -a "$(status_q .calls.plays_cached)" -ge 3
q=$(rest "$A/Queues/$QU.json")
check "the queue resource: support, current_size 3, max_size 1000, average_wait_time >= 1" \
  jq -e '.friendly_name=="support" and .current_size==3 and .max_size==1000 and .average_wait_time>=1' <<<"$q"

# --- 2. control killed with -9 while they wait; the restart keeps them in line
before=$(rest -X POST "$A/Queues.json" --data-urlencode FriendlyName=sales -d MaxSize=7)
QS=$(jq -r .sid <<<"$before")
check "a queue created through REST just before the kill (201 after its commit)" test "${QS:0:2}" = QU
kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
t_kill=$(date +%s.%N)
sleep 0.5
check "restarted control attaches" vox_start_control "$T_ID" "$T_CONF" "$T_LOG" --set "http_port=$P" --set "outbound_trunk=192.0.2.1:5094"
check "the three calls are resumed" test "$(status_q .calls.resumed)" = 3
check "the members are still in line, in order" test "$(members)" = "$S1 $S2 $S3"
check "the acknowledged queue is still there (sales, MaxSize 7)" \
  jq -e '.friendly_name=="sales" and .max_size==7' <<<"$(rest "$A/Queues/$QS.json")"
after_kill() { # positions told after the restart
  jq -r --arg t "$t_kill" --arg s "$1" 'select(.path=="/wait" and .t > ($t|tonumber)) | select(any(.form[]; .[0]=="CallSid" and .[1]==$s)) | (.form[] | select(.[0]=="QueuePosition") | .[1])' "$W/req.jsonl" | tail -n 1
}
resumed_pos() { [ "$(after_kill "$S1") $(after_kill "$S2") $(after_kill "$S3")" = "1 2 3" ]; }
check "after the restart the wait applications are told positions 1, 2, 3 again" wait_for 8 resumed_pos
check "voxctl status: 3 members in memory" test "$(status_q .calls.queues.members)" = 3

# --- 3. REST dequeue of Front: caller 1 runs the Url's markup (a Dial through the trunk to a
# sipp UAS, bridged, audio both ways); its Enqueue action hears QueueResult=redirected
kill $TD; wait $TD 2>/dev/null
held=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/c1.pcap" --port 40010 --pt 0 --level 4000)
check "caller 1 heard the wait application's 600 Hz hold audio ($held)" \
  jq -e '.loud >= 100 and .hz >= 570 and .hz <= 630' <<<"$held"
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/uas.pcap" \
  'udp and src host 192.0.2.2 and dst port 6100' >/dev/null 2>&1 &
TD=$!
wait_for 5 eval 'test -s "$T_LOG/uas.pcap"'
nsx timeout 40 sipp -sf "$T_SCEN/uas_rtp.xml" -i 192.0.2.1 -p 5094 -m 1 -nostdin -timeout 30 -mp 6100 \
  -trace_msg -message_file "$T_LOG/uas_front.msg" >"$T_LOG/uas_front.out" 2>&1 &
UAS=$!
out=$(rest -X POST "$A/Queues/$QU/Members/Front.json" --data-urlencode "Url=$U/front" -d Method=POST)
check "POST Members/Front: 200 with caller 1 ($(jq -r .call_sid <<<"$out"))" test "$(jq -r .call_sid <<<"$out")" = "$S1"
check "caller 1 runs the Url's markup" wait_for 5 eval 'test -n "$(form_of /front "$S1" CallSid)"'
check "caller 1's Enqueue action: QueueResult=redirected, its QueueSid" \
  wait_for 5 eval 'test "$(form_of /after "$S1" QueueResult) $(form_of /after "$S1" QueueSid)" = "redirected $QU"'
bridged1() { read -r h w p <<<"$(leg_of "$S1")"; [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != null ]; }
check "caller 1 is bridged to the trunk's UAS" wait_for 10 bridged1
nsx python3 "$T_DIR/rtp_tone.py" 40010 "$(dp_port c1)" 500 100 0 >"$T_LOG/tone_c1.json"
wait $UAS
check "the UAS answered and got our BYE at the Dial's timeLimit (rc=$?)" test $? = 0
wait $C1
check "caller 1 was hung up by the Dial action's markup (rc=$?)" test $? = 0
kill $TD; wait $TD 2>/dev/null
to_uas=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/uas.pcap" --port 6100 | jq .loud)
check "bridged: caller 1's tone reached the UAS ($to_uas audible packets) and the UAS's audio caller 1 ($(jq .got "$T_LOG/tone_c1.json") packets)" \
  test "$to_uas" -ge 50 -a "$(jq .got "$T_LOG/tone_c1.json")" -ge 50
check "the timeLimit ended the callee's leg only: caller 1 went on to the verb after the Dial" \
  test -n "$(form_of /frontdone "$S1" CallSid)"
check "two members left: 2 then 3" test "$(members)" = "$S2 $S3"

# --- 4. an agent's <Dial><Queue url> takes caller 2, bridged across lcores, audio both ways;
# a control restart under the bridge
call a1 15005550402 40110 1 &
AG=$!
check "the agent's call" wait_for 10 has_sid a1
SA=$(sid_of a1)
check "the <Queue url> is requested for caller 2 with QueueSid, QueueTime, DequeingCallSid" \
  wait_for 6 eval 'test "$(form_of /whisper "$S2" QueueSid) $(form_of /whisper "$S2" DequeingCallSid)" = "$QU $SA"'
check "... QueueTime counts its wait (>= 4 s: $(form_of /whisper "$S2" QueueTime))" test "$(form_of /whisper "$S2" QueueTime)" -ge 4
bridged() { read -r h w p <<<"$(leg_of "$S2")"; [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != null ]; }
check "caller 2 is bridged" wait_for 10 bridged
read -r h2 w2 p2 <<<"$(leg_of "$S2")"
read -r ha wa pa <<<"$(leg_of "$SA")"
check "caller 2 (worker $w2) and the agent (worker $wa) are on different lcores, each the other's peer" \
  test "$w2" != "$wa" -a "$(printf '0x%016x' "$p2")" = "$ha" -a "$(printf '0x%016x' "$pa")" = "$h2"
check "caller 3 is now first" test "$(members)" = "$S3"
nsx python3 "$T_DIR/rtp_tone.py" 40020 "$(dp_port c2)" 500 150 700 >"$T_LOG/tone_c2.json" &
T2=$!
nsx python3 "$T_DIR/rtp_tone.py" 40110 "$(dp_port a1)" 700 150 500 >"$T_LOG/tone_a1.json" &
TA=$!
wait $T2 $TA
c2t=$(jq .tone_frames "$T_LOG/tone_c2.json") at=$(jq .tone_frames "$T_LOG/tone_a1.json")
check "caller 2 hears the agent's 700 Hz ($c2t frames) and the agent caller 2's 500 Hz ($at frames)" \
  test "$c2t" -ge 100 -a "$at" -ge 100
# control killed with -9 while they are bridged: the bridge lives on in the dataplane, the
# restarted control resumes both calls and still ends them right
seq0=$(status_q .calls.events.seq)
kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
sleep 0.5
check "control restarted under the bridge" vox_start_control "$T_ID" "$T_CONF" "$T_LOG" --set "http_port=$P" --set "outbound_trunk=192.0.2.1:5094"
check "caller 2, the agent and caller 3 are resumed" test "$(status_q .calls.resumed)" = 3
check "the call-event sequence goes on from the committed number ($seq0 -> $(status_q .calls.events.seq))" \
  test "$(status_q .calls.events.seq)" = "$seq0" -a "$seq0" -ge 9
nsx python3 "$T_DIR/rtp_tone.py" 40020 "$(dp_port c2)" 500 60 700 >"$T_LOG/tone_c2b.json" &
T2=$!
nsx python3 "$T_DIR/rtp_tone.py" 40110 "$(dp_port a1)" 700 60 500 >"$T_LOG/tone_a1b.json" &
TA=$!
wait $T2 $TA
check "after the restart audio still flows both ways ($(jq .tone_frames "$T_LOG/tone_c2b.json"), $(jq .tone_frames "$T_LOG/tone_a1b.json") frames)" \
  test "$(jq .tone_frames "$T_LOG/tone_c2b.json")" -ge 40 -a "$(jq .tone_frames "$T_LOG/tone_a1b.json")" -ge 40
check "caller 3 is still first in line" test "$(members)" = "$S3"
rest -X POST "$A/Calls/$SA.json" -d Status=completed >/dev/null
wait $AG
check "the agent is hung up through REST (rc=$?)" test $? = 0
check "caller 2's Enqueue action: QueueResult=bridged" wait_for 5 eval 'test "$(form_of /after "$S2" QueueResult)" = bridged'
wait $C2
check "caller 2 goes on with the action's markup (hung up, rc=$?)" test $? = 0
check "the agent's Dial action: DialCallStatus=completed, DialCallSid = caller 2" \
  wait_for 5 eval 'test "$(form_of /agentdone "$SA" DialCallStatus) $(form_of /agentdone "$SA" DialCallSid)" = "completed $S2"'
check "the agent's Dial action came once" test "$(jq -r 'select(.path=="/agentdone") | .path' "$W/req.jsonl" | wc -l)" = 1

# --- 5. a waiting caller hangs up: out of the queue, QueueResult=hangup
call c4 15005550401 40040 0 3000 &
C4=$!
check "caller 4 joins behind caller 3" wait_for 10 n_members 2
S4=$(sid_of c4)
wait $C4
check "caller 4 hung up itself (rc=$?)" test $? = 0
check "caller 4's action: QueueResult=hangup, QueueTime >= 2" \
  wait_for 5 eval 'test "$(form_of /after "$S4" QueueResult)" = hangup -a "$(form_of /after "$S4" QueueTime)" -ge 2'
check "caller 4 left the queue" wait_for 5 eval 'test "$(members)" = "$S3"'

# --- 6. a second agent takes caller 3; caller 3 hangs up: the agent's Dial completes
call a2 15005550402 40120 1 &
AG2=$!
bridged3() { read -r h w p <<<"$(leg_of "$S3")"; [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != null ]; }
check "caller 3 is bridged to the second agent" wait_for 10 bridged3
check "the queue is empty" test "$(members)" = ""
rest -X POST "$A/Calls/$S3.json" -d Status=completed >/dev/null
wait $C3 $AG2
check "caller 3 and the second agent are hung up" test $? = 0
SA2=$(sid_of a2)
check "the second agent's Dial action: completed with caller 3" \
  wait_for 5 eval 'test "$(form_of /agentdone "$SA2" DialCallStatus) $(form_of /agentdone "$SA2" DialCallSid)" = "completed $S3"'
check "caller 3's (final) action: QueueResult=bridged" wait_for 5 eval 'test "$(form_of /after "$S3" QueueResult)" = bridged'

# --- 6b. an agent's Dial timeLimit ends the bridge, not the calls: both go on
call c5 15005550401 40070 0 &
C5=$!
check "caller 5 joins" wait_for 10 n_members 1
S5=$(sid_of c5)
call a4 15005550406 40140 1 &
AG4=$!
no_members() { [ -z "$(members)" ]; }
check "the timeLimit agent takes caller 5" wait_for 10 no_members
wait $C5 $AG4
check "at the timeLimit both are unbridged and go on to their markup's hang-up" test $? = 0
SA4=$(sid_of a4)
check "caller 5's action: QueueResult=bridged; the agent's Dial action: completed, DialCallDuration 2..4" \
  test "$(form_of /after "$S5" QueueResult) $(form_of /agentdone "$SA4" DialCallStatus)" = "bridged completed" \
  -a "$(form_of /agentdone "$SA4" DialCallDuration)" -ge 2 -a "$(form_of /agentdone "$SA4" DialCallDuration)" -le 4

# --- 7. <Dial><Queue> on an empty queue waits for its timeout
rest -X POST "$A/Queues.json" --data-urlencode FriendlyName=empty >/dev/null
call a3 15005550403 40130 1 &
AG3=$!
wait $AG3
check "the agent of an empty queue is hung up after its Dial (rc=$?)" test $? = 0
check "the empty queue's agent waited its Dial timeout" test "$(status_q .calls.queues.agents_waited)" -ge 1
SA3=$(sid_of a3)
check "its Dial action: DialCallStatus=no-answer" test "$(form_of /agentdone "$SA3" DialCallStatus)" = no-answer

# --- 8. no waitUrl: the bundled hold music, from the pool
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/hold.pcap" 'udp and src host 192.0.2.2 and dst port 40050' >/dev/null 2>&1 &
TD=$!
wait_for 5 eval 'test -s "$T_LOG/hold.pcap"'
call h1 15005550404 40050 0 &
H1=$!
check "the hold caller is in the music queue" wait_for 10 has_sid h1
# a second caller whose <Enqueue maxQueueSize="1"> finds the music queue full
call f1 15005550405 40060 0 &
F1=$!
wait $F1
check "maxQueueSize=1: the second caller is not queued, its action hears queue-full (rc=$?)" \
  test "$(form_of /after "$(sid_of f1)" QueueResult)" = queue-full -a "$(status_q .calls.queues.full)" = 1
sleep 2
MQ=$(rest "$A/Queues.json" | jq -r '.queues[] | select(.friendly_name=="music") | .sid')
rest -X POST "$A/Queues/$MQ/Members/Front.json" --data-urlencode "Url=$U/bye" >/dev/null
wait $H1
sleep 0.3
kill $TD; wait $TD 2>/dev/null
loud=$(python3 "$T_DIR/pcap_audio.py" "$T_LOG/hold.pcap" --level 1500 | jq .loud)
check "the hold caller heard music ($loud audible 20 ms packets in about 3 s)" test "$loud" -ge 100 -a "$loud" -le 250
check "the hold music was made once (calls.queues.hold_synth=$(status_q .calls.queues.hold_synth))" \
  test "$(status_q .calls.queues.hold_synth)" -le 1 -a "$(status_q .calls.queues.holds)" -ge 1

check "counters since the last restart: dequeued 2, bridged 2, requeued 0" \
  test "$(status_q .calls.queues.dequeued) $(status_q .calls.queues.bridged) $(status_q .calls.queues.requeued)" = "2 2 0"
check "the dataplane refused no command (events.BAD_COMMAND=$(status_q .events.BAD_COMMAND))" \
  test "$(status_q .events.BAD_COMMAND)" = 0
check "every state change since went through the event stream (seq $(status_q .calls.events.seq), usage.calls $(status_q .calls.usage.calls))" \
  test "$(status_q .calls.events.seq)" -gt "$seq0" -a "$(status_q .calls.usage.calls)" = 10 -a "$(status_q .calls.events.refused)" = 0
none_live() { [ "$(status_q .calls.live)" = 0 ]; }
check "no call left live" wait_for 10 none_live
check "no member left in the store" test "$(rest "$A/Queues/$QU/Members.json" | jq '.queue_members | length')" = 0
sig=$(python3 "$T_DIR/twilio_sig.py" --token "$TOK" --log "$W/req.jsonl")
check "every request is signed with the account's token ($sig)" test $? = 0
kill $WEB; wait $WEB 2>/dev/null
t_end
