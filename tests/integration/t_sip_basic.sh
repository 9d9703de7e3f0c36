#!/usr/bin/env bash
# SIP basics with sipp and control in scripted mode: answered calls ended by either side,
# rejections never answered first, CANCEL before answer, OPTIONS, malformed requests, the
# decision deadline.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
t_up decide_timeout_ms=1500 -- "script=$T_SCRIPT"
check "answered call, BYE from the caller (sipp uac)" sipp_run uac answer
check "answered call, BYE from us (control hangs up)" sipp_run uac_wait_bye hangup
check "486 Busy Here, never answered, ACK absorbed" sipp_reject 486 486
check "603 Decline" sipp_reject 603 603
check "CANCEL before answer: 200 for the CANCEL, 487 for the INVITE" sipp_run uac_cancel ring
check "183 with early media, then answered" sipp_run uac early
check "OPTIONS to the platform: 200 with Allow and Accept" sipp_run options x
check "control never decides: 503 after decide_timeout_ms" sipp_reject nothing 503
check "the 503 was counted as a decision timeout" test "$(counter sip_decide_timeouts)" -ge 1

# malformed input gets the RFC's answer, never a crash
sip_answer() { # message file content on stdin -> first line of the answer
  nsx python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.bind(("192.0.2.1", 5199)); s.sendto(sys.stdin.buffer.read().replace(b"\n", b"\r\n"), ("192.0.2.2", 5060))
try: print(s.recv(65535).split(b"\r\n")[0].decode())
except socket.timeout: print("no answer")'
}
hdrs='Via: SIP/2.0/UDP 192.0.2.1:5199;branch=z9hG4bK-bad1;rport
From: <sip:a@192.0.2.1>;tag=1
To: <sip:b@192.0.2.2>
Call-ID: bad-1@192.0.2.1
Max-Forwards: 70
Content-Length: 0'
r=$(printf 'INVITE sip:b@192.0.2.2 SIP/2.0\n%s\n\n' "$hdrs" | sip_answer)
check "missing CSeq: 400 ($r)" grep -q '^SIP/2.0 400' <<<"$r"
r=$(printf 'INVITE sip:b@192.0.2.2 SIP/7.0\nCSeq: 1 INVITE\n%s\n\n' "$hdrs" | sip_answer)
check "SIP/7.0: 505 ($r)" grep -q '^SIP/2.0 505' <<<"$r"
r=$(printf 'INVITE http://192.0.2.2 SIP/2.0\nCSeq: 1 INVITE\n%s\n\n' "$hdrs" | sip_answer)
check "http: Request-URI: 416 ($r)" grep -q '^SIP/2.0 416' <<<"$r"
r=$(printf 'INVITE sip:b@192.0.2.2 SIP/2.0\nCSeq: 1 INVITE\nRequire: nosuchext\n%s\n\n' "$hdrs" | sip_answer)
check "unknown Require: 420 ($r)" grep -q '^SIP/2.0 420' <<<"$r"
r=$(printf 'FOO sip:b@192.0.2.2 SIP/2.0\nCSeq: 1 FOO\n%s\n\n' "$hdrs" | sip_answer)
check "unknown method: 501 ($r)" grep -q '^SIP/2.0 501' <<<"$r"
r=$(printf 'BYE sip:b@192.0.2.2 SIP/2.0\nCSeq: 2 BYE\n%s\n\n' "$(sed 's/^To: .*/To: <sip:b@192.0.2.2>;tag=vx0000deadbeef/' <<<"$hdrs")" | sip_answer)
check "BYE for a dialog that does not exist: 481 ($r)" grep -q '^SIP/2.0 481' <<<"$r"
check "dataplane still answers after all that" nsx ping -c 1 -W 2 192.0.2.2
check "no leg left behind" wait_for 5 bash -c "[ \"\$($VOX_VOXCTL --instance $T_ID --run-dir $VOX_RUN_BASE calls --json | jq '.legs|length')\" = 0 ]"
t_end
