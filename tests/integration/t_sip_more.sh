#!/usr/bin/env bash
# More SIP: merged requests (482), Max-Forwards 0 toward an outbound leg (483), control away
# (503 with Retry-After), the source access list (403, replaced at run time), requests control
# decides (MESSAGE -> 202), SIP INFO digits, SEND_REQUEST and signalling matches in a dialog.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up ctl_stale_ms=500 -- "script=$T_SCRIPT"
# raw SIP from 192.0.2.1:PORT; prints the first line of every answer received within 1.5 s
raw_sip() { # port, then messages on stdin separated by a line "%%"
  nsx python3 -c '
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("192.0.2.1", port)); s.settimeout(0.2)
for msg in sys.stdin.read().split("%%\n"):
    if msg.strip():
        s.sendto(msg.replace("\n", "\r\n").encode(), ("192.0.2.2", 5060)); time.sleep(0.2)
end = time.time() + 1.5
while time.time() < end:
    try: print(s.recv(65535).split(b"\r\n")[0].decode())
    except socket.timeout: pass' "$1"
}
inv() { # branch cseq user max-forwards
  printf 'INVITE sip:%s@192.0.2.2 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5301;branch=%s;rport\nFrom: <sip:a@192.0.2.1>;tag=m1\nTo: <sip:%s@192.0.2.2>\nCall-ID: merged-%s@192.0.2.1\nCSeq: %s INVITE\nMax-Forwards: %s\nContact: <sip:a@192.0.2.1:5301>\nContent-Length: 0\n\n' "$3" "$1" "$3" "$3" "$2" "$4"
}
r=$( (inv z9hG4bK-m1 1 ring 70; echo %%; inv z9hG4bK-m2 1 ring 70) | raw_sip 5301)
echo "$r"
check "the same INVITE on another branch gets 482 (merged request)" grep -q '^SIP/2.0 482' <<<"$r"
r=$(inv z9hG4bK-mf0 1 dialans 0 | raw_sip 5302)
check "Max-Forwards 0 toward an outbound leg: 483 ($(tail -n1 <<<"$r"))" grep -q '^SIP/2.0 483' <<<"$r"
r=$(printf 'MESSAGE sip:msg@192.0.2.2 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5303;branch=z9hG4bK-msg1\nFrom: <sip:a@192.0.2.1>;tag=x1\nTo: <sip:msg@192.0.2.2>\nCall-ID: msg-1@192.0.2.1\nCSeq: 1 MESSAGE\nMax-Forwards: 70\nContent-Type: text/plain\nContent-Length: 5\n\nhello' | raw_sip 5303)
check "MESSAGE to a user is decided by control: 202 ($r)" grep -q '^SIP/2.0 202' <<<"$r"

voxctl diag acl 198.51.100.0/24 >/dev/null
sleep 0.2
check "a source outside the access list gets 403" sipp_reject answer 403
voxctl diag acl >/dev/null
sleep 0.2
check "access list replaced at run time: allowed again" sipp_run uac answer
check "403s counted" test "$(counter sip_acl_403)" -ge 1

kill -STOP "$VOX_CTL_PID"
sleep 1
check "control away (no heartbeat): 503 with Retry-After" sipp_reject answer 503
kill -CONT "$VOX_CTL_PID"
sleep 0.5
check "503s counted" test "$(counter sip_busy_503)" -ge 1
check "control back: calls answered again" sipp_run uac answer

# in a dialog: INFO digits, a signalling match, SEND_REQUEST
sipp_run uac_info infocall &
SIPP=$!
leg() { voxctl calls --json | jq -r '[.legs[] | select(.state=="answered")][0].handle // empty'; }
wait_for 5 bash -c "[ -n \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq -r '[.legs[] | select(.state==\"answered\")][0].handle // empty')\" ]"
h=$(leg)
check "the call is up ($h)" test -n "$h"
voxctl diag match "$h" 200 299 Content-Type dtmf-relay >/dev/null
sleep 1.7 # the INFO goes out 1.5 s after the ACK
r=$(voxctl diag send-request "$h" NOTIFY)
wait $SIPP; rc=$?
check "INFO answered, our NOTIFY answered, BYE (sipp rc=$rc; $r)" test $rc -eq 0
ev() { voxctl status | jq ".events.$1"; }
check "the INFO digit reached control (DTMF_INFO)" wait_for 3 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE status | jq .events.DTMF_INFO)\" -ge 1 ]"
check "SEND_REQUEST's final response reached control (SIP_RESPONSE)" test "$(ev SIP_RESPONSE)" -ge 1
check "the INFO (header) and the 200 (code) matched the filter (SIGNALING_MATCH)" test "$(ev SIGNALING_MATCH)" -ge 2
t_end
