#!/usr/bin/env bash
# Terminating media on a SIP leg (control in scripted mode, driven through voxctl diag): a sipp
# caller sends PCMA (sipp's g711a.pcap, 30 ms packets) and then an RFC 4733 key 1
# (dtmf_2833_1.pcap, end packet sent three times). Asserts: one DTMF event for the key with its
# duration (retransmitted ends absorbed); a COLLECT of one digit reports DIGITS "1"; a mono
# RECORD with a 3 s limit gives a 3.000 s WAV holding the caller's speech; a dual RECORD stopped
# by STOP gives a 2-channel WAV as long as it ran, the caller left and, right, our 1 kHz TONE and
# a 500 Hz PLAY; the caller hears the TONE as 50 PCMA packets 20 ms apart, TONE digits as RFC
# 4733 events (the leg negotiated telephone-event), then the clip, all one RTP stream. Then
# in-band DTMF with a COLLECT and a recording that ends on silence (second call).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
command -v soxi >/dev/null || { echo "soxi (sox) missing: tools/deps"; exit 77; }
# the in-band call is driven by scripted mode's media actions (# is spelt "pound" in scripts)
{ echo "inband: answer; collect 5 finish pound timeout 3000; record $T_LOG/rec3.wav silence 2500"; cat "$T_SCRIPT"; } >"$T_LOG/t.script"
t_up -- "script=$T_LOG/t.script"
ip netns exec "${T_ID}net" tcpdump -i "${T_ID}0" -n -w "$T_LOG/tone.pcap" 'udp and src host 192.0.2.2 and src portrange 20000-39999' >/dev/null 2>&1 &
TD=$!
sleep 0.5
sipp_run uac_pcma_dtmf dtmfrec &
SIPP=$!
leg() { voxctl calls --json | jq -r '[.legs[] | select(.state=="answered")][0].handle // empty'; }
has_leg() { [ -n "$(leg)" ]; }
term() { voxctl diag term; }
evt() { voxctl status | jq ".events.$1 // 0"; }
at_least() { [ "$(evt "$1")" -ge "$2" ]; }
check "the call is answered" wait_for 10 has_leg
h=$(leg)
r1=$(voxctl diag record "$h" "$T_LOG/rec1.wav" mono 3000)
check "mono RECORD accepted ($r1)" grep -q sent <<<"$r1"
r=$(voxctl diag collect "$h" 1 none 20000 5000)
check "COLLECT accepted ($r)" grep -q sent <<<"$r"
check "RECORDING_DONE of the 3 s recording" wait_for 8 at_least RECORDING_DONE 1
t0=$(date +%s.%N)
r2=$(voxctl diag record "$h" "$T_LOG/rec2.wav" dual)
r=$(voxctl diag leg-tone "$h" 1000 1000)
check "dual RECORD and TONE accepted ($r2, $r)" grep -q sent <<<"$r2$r"
check "MEDIA_DONE after the 1 s tone" wait_for 5 at_least MEDIA_DONE 1
r=$(voxctl diag leg-tone "$h" 'digits:12#')
check "TONE digits accepted ($r)" grep -q sent <<<"$r"
check "MEDIA_DONE after the digits" wait_for 5 at_least MEDIA_DONE 2
clip=$(voxctl diag tone 500 1000 | jq -r .clip)
r=$(voxctl diag play "$h" "$clip" 1)
check "PLAY of a 500 Hz pool clip after the tones ($r)" grep -q sent <<<"$r"
check "MEDIA_DONE after the clip" wait_for 5 at_least MEDIA_DONE 3
check "DIGITS reported for the RFC 4733 key" wait_for 12 at_least DIGITS 1
jbd=$(voxctl calls --json | jq "[.legs[] | select(.handle==\"$h\")][0].jb_depth_ms // 0")
check "the leg's jitter buffer depth shows in voxctl calls ($jbd ms)" test "$jbd" -gt 0 -a "$jbd" -lt 400
# DIGITS comes at the key's first packet; its DTMF event only at the E bit (280 ms later): a
# STOP before that would end the event early, so wait for it
check "the key's DTMF event arrived" wait_for 5 at_least DTMF 1
t1=$(date +%s.%N)
voxctl diag stop "$h" >/dev/null
check "RECORDING_DONE of the stopped recording" wait_for 5 at_least RECORDING_DONE 2
wait $SIPP
check "sipp's call completed" test $? = 0
sleep 0.3
kill $TD; wait $TD 2>/dev/null
T=$(term)
echo "$T" | jq -c '.dtmf, .digits, .recordings'
check "one DTMF event: key 1, RFC 4733, 280 ms, ended by the E bit" \
  test "$(jq -c '[.dtmf[] | [.digit, .source, .duration_ms, .e_bit]]' <<<"$T")" = '[["1","rfc4733",280,true]]'
check "the end retransmissions were absorbed" test "$(counter dtmf_dup)" -ge 2
check "DIGITS: \"1\", max_digits" test "$(jq -c '[.digits[] | [.digits, .reason]]' <<<"$T")" = '[["1","max_digits"]]'
check "recording 1: 3000 ms, max_length, no overflow" \
  test "$(jq -c '.recordings[0] | [.duration_ms, .reason, .overflow, .channels]' <<<"$T")" = '[3000,"max_length",false,1]'
check "recording 2: stopped, 2 channels" \
  test "$(jq -c '.recordings[1] | [.reason, .channels]' <<<"$T")" = '["stopped",2]'
check "rec1.wav: mono 8 kHz, exactly 24000 samples" \
  test "$(soxi -c "$T_LOG/rec1.wav") $(soxi -r "$T_LOG/rec1.wav") $(soxi -s "$T_LOG/rec1.wav")" = "1 8000 24000"
d2ms=$(jq '.recordings[1].duration_ms' <<<"$T")
check "rec2.wav: 2 channels, as many samples as the reported $d2ms ms" \
  test "$(soxi -c "$T_LOG/rec2.wav") $(soxi -s "$T_LOG/rec2.wav")" = "2 $((d2ms * 8))"
wall=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1")
check "rec2.wav lasts as long as the recording ran (wall $wall s, wav $(soxi -D "$T_LOG/rec2.wav") s)" \
  python3 -c "import sys; w, d = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(w - d) < 0.6 else 1)" "$wall" "$(soxi -D "$T_LOG/rec2.wav")"
analyze_wav() {
  python3 - "$T_LOG/rec1.wav" "$T_LOG/rec2.wav" <<'PY'
import math, struct, sys, wave
def rd(p):
    w = wave.open(p); n = w.getnframes(); ch = w.getnchannels()
    s = struct.unpack("<%dh" % (n * ch), w.readframes(n))
    return [s[c::ch] for c in range(ch)]
def rms(x): return math.sqrt(sum(v * v for v in x) / len(x)) if x else 0
(m,) = rd(sys.argv[1])
far, near = rd(sys.argv[2])
speech1 = rms(m[8000:])                      # the caller talks from 0.5 s on
# what we sent, as runs of audio apart by >= 20 ms of zeros: the 1 kHz tone, then the clip
runs, cur, zeros = [], [], 0
for v in near:
    if v == 0:
        zeros += 1
        if zeros >= 160 and cur:
            runs.append(cur[:len(cur) - zeros + 1]); cur = []
        elif cur:
            cur.append(v)
    else:
        zeros = 0
        cur.append(v)
if cur: runs.append(cur)
def freq(x): return sum(1 for i in range(1, len(x)) if x[i - 1] < 0 <= x[i]) / (len(x) / 8000) if x else 0
desc = [(len(r), round(freq(r))) for r in runs]
print(f"rec1 speech rms {speech1:.0f}; rec2 far rms {rms(far):.0f}, near runs (samples, Hz) {desc}")
ok = speech1 > 300 and rms(far) > 300 and len(runs) == 2 and 7800 <= len(runs[0]) <= 8000 \
     and 980 <= freq(runs[0]) <= 1020 and 7800 <= len(runs[1]) <= 8000 and 490 <= freq(runs[1]) <= 510
sys.exit(0 if ok else 1)
PY
}
check "the recordings hold the caller's speech, and our tone and clip on the right channel" analyze_wav
analyze_tone() {
  python3 - "$T_LOG/tone.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, pk = 24, []
while off + 16 <= len(d):
    ts, us, incl, orig = struct.unpack_from("<IIII", d, off); off += 16
    p = d[off:off + incl]; off += incl
    if len(p) < 42 + 12: continue
    rtp = p[42:]
    if rtp[0] >> 6 != 2: continue
    if 192 <= rtp[1] <= 223: continue  # RTCP (SR/RR/SDES/BYE) on the odd port
    pk.append((ts + us / 1e6, rtp))
def alaw(a):
    a ^= 0x55; t = (a & 0x0f) << 4; seg = (a & 0x70) >> 4
    t = t + 8 if seg == 0 else (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t
# one outbound stream: tone, RFC 4733 digits and the clip share SSRC and sequence numbers
seqs = [struct.unpack_from("!H", r, 2)[0] for _, r in pk]
ssrcs = {struct.unpack_from("!I", r, 8)[0] for _, r in pk}
seq_ok = len(pk) > 1 and all((seqs[i + 1] - seqs[i]) % 65536 == 1 for i in range(len(pk) - 1))
audio = [(t, r) for t, r in pk if r[1] & 0x7f == 8]
groups = []
for t, r in audio:
    if r[1] >> 7 or not groups: groups.append([])
    groups[-1].append((t, r))
res = []
for g in groups:
    tss = [struct.unpack_from("!I", r, 4)[0] for _, r in g]
    pcm = [alaw(x) for _, r in g for x in r[12:]]
    hz = sum(1 for i in range(1, len(pcm)) if pcm[i - 1] < 0 <= pcm[i]) / (len(pcm) / 8000)
    ts_ok = all((tss[i + 1] - tss[i]) % 2**32 == 160 for i in range(len(g) - 1))
    res.append((len(g), round(g[-1][0] - g[0][0], 2), round(hz), ts_ok))
print(f"outbound: {len(pk)} packets, ssrcs {len(ssrcs)}, seq continuous {seq_ok}; PCMA talkspurts (packets, s, Hz, ts+160) {res}")
ok = seq_ok and len(ssrcs) == 1 and len(res) == 2 and res[0][0] == 50 and 0.9 <= res[0][1] <= 1.1 \
     and 980 <= res[0][2] <= 1020 and res[0][3] and res[1][0] == 50 and 490 <= res[1][2] <= 510 and res[1][3]
sys.exit(0 if ok else 1)
PY
}
check "the caller hears the tone (50 PCMA packets, 1 kHz) then the clip (500 Hz), one continuous stream" analyze_tone
analyze_te() {
  python3 - "$T_LOG/tone.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, ev = 24, {}
order = []
while off + 16 <= len(d):
    ts, us, incl, orig = struct.unpack_from("<IIII", d, off); off += 16
    p = d[off:off + incl]; off += incl
    rtp = p[42:]
    if len(rtp) != 16 or rtp[1] & 0x7f != 101: continue
    t = struct.unpack_from("!I", rtp, 4)[0]
    e, flags, dur = rtp[12], rtp[13], struct.unpack_from("!H", rtp, 14)[0]
    if t not in ev: ev[t] = []; order.append(t)
    ev[t].append((rtp[1] >> 7, e, flags >> 7, dur))
names = "0123456789*#"
res = []
for t in order:
    ps = ev[t]
    keys = {e for _, e, _, _ in ps}
    ends = [x for x in ps if x[2]]
    upd = [x[3] for x in ps if not x[2]]
    res.append((names[ps[0][1]], ps[0][0], len(ends), ends[0][3] if ends else 0, upd, len(keys)))
print("telephone-events:", res)
ok = [r[0] for r in res] == ["1", "2", "#"] and all(
    r[1] == 1 and r[2] == 3 and r[3] == 800 and r[4] == [160, 320, 480, 640, 800] and r[5] == 1 for r in res)
sys.exit(0 if ok else 1)
PY
}
check "TONE digits on a telephone-event leg: RFC 4733 events 1 2 #, 5 updates + 3 ends each" analyze_te

# in-band: a caller without telephone-event sends "42#" as tones (a pcap generated here); the
# script's COLLECT with # as finish key gets "42" through the jitter buffer and spandsp's
# detector; its recording with a 2.5 s silence timeout stops 2.5 s after the last tone.
python3 "$T_DIR/gen_dtmf_pcap.py" "$T_LOG/inband.pcap" "42#"
sed -e "s|__PCAP__|$T_LOG/inband.pcap|" -e "s|__MS__|5000|" "$T_SCEN/uac_pcma_inband.xml" >"$T_LOG/uac_pcma_inband.xml"
n_dig=$(evt DIGITS) n_rec=$(evt RECORDING_DONE)
sipp_run uac_pcma_inband inband &
SIPP=$!
check "the in-band call is answered" wait_for 10 has_leg
check "DIGITS from in-band tones" wait_for 8 at_least DIGITS $((n_dig + 1))
check "RECORDING_DONE by the silence timeout" wait_for 8 at_least RECORDING_DONE $((n_rec + 1))
wait $SIPP
check "sipp's in-band call completed" test $? = 0
T=$(term)
echo "$T" | jq -c '.dtmf[1:], .digits[1:], .recordings[2:]'
check "DIGITS: \"42\", ended by the finish key #" \
  test "$(jq -c '.digits[-1] | [.digits, .reason, .finish]' <<<"$T")" = '["42","finish_key","#"]'
check "three in-band key presses reported" \
  test "$(jq -c '[.dtmf[] | select(.source=="inband") | .digit]' <<<"$T")" = '["4","2","#"]'
check "counted in-band" test "$(counter dtmf_inband)" = 3
d3=$(jq '.recordings[-1].duration_ms' <<<"$T")
check "recording 3 ended by silence 2.5 s after the last tone ($d3 ms: ~4.5 s when started at the answer)" \
  test "$(jq -r '.recordings[-1].reason' <<<"$T")" = silence -a "$d3" -ge 2600 -a "$d3" -le 5200
check "rec3.wav matches ($(soxi -s "$T_LOG/rec3.wav") samples)" test "$(soxi -s "$T_LOG/rec3.wav")" = $((d3 * 8))
voxctl stats --json | jq -c '[.lcores[] | .counters | with_entries(select(.key|test("dtmf|tone|record|collect|term_|jb_")) | select(.value>0))]'
check "counters: 3 recordings, none active, no overflow, 2 tones, 2 collects" \
  test "$(counter recordings) $(counter recordings_active) $(counter record_overflow) $(counter tones) $(counter collects)" = "3 0 0 2 2"
check "recorded bytes counted (3 s mono + dual)" test "$(counter record_bytes)" -ge $((48000 + 64000))
check "terminating states given back" test "$(counter term_active)" = 0
t_end
