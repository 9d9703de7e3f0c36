#!/usr/bin/env bash
# The media room of the call router: <Play> caching with HTTP revalidation and <Record>'s
# silence trim. webapp.py serves a WAV with a strong ETag and Cache-Control: max-age=0: the first
# call fetches it (200) and hears its 1 kHz tone; the second sends If-None-Match, gets 304 and
# still hears the 1 kHz tone from the pool (plays_revalidated); the file then changes (600 Hz,
# a new ETag): the third call's conditional request gets 200 and the caller hears 600 Hz (the
# old clip superseded). A Play of a no-store URL is fetched at every call. 24 distinct prompts
# in one call through a 1 MB pool (15 slabs) retire the least recently used ones. A <Record> of a
# caller who is silent for 2 s, then speaks (a 1.5 s tone) gets a trimmed RecordingDuration
# and WAV; trim="do-not-trim" keeps the whole 5 s. Counters in `voxctl status` (calls.media,
# recording writer). A restarted control retires the prompt clips its predecessor left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sip_lib.sh"
. "$(dirname "$0")/web_lib.sh"
W=$T_LOG/web
mkdir -p "$W/docs/media"
cat >"$W/routes.json" <<'EOF'
{
 "/playrv": {"body": "<Response><Play>media/tone.wav</Play><Hangup/></Response>"},
 "/media/tone.wav": {"file": "media/tone.wav", "content_type": "audio/wav", "etag": true,
                     "headers": {"Cache-Control": "max-age=0"}},
 "/playns": {"body": "<Response><Play>media/ns.wav</Play><Hangup/></Response>"},
 "/media/ns.wav": {"file": "media/tone.wav", "content_type": "audio/wav", "etag": true,
                   "headers": {"Cache-Control": "no-store"}},
 "/rec": {"body": "<Response><Record maxLength=\"5\" timeout=\"10\" playBeep=\"false\" action=\"/recorded\"/></Response>"},
 "/recnt": {"body": "<Response><Record maxLength=\"5\" timeout=\"10\" playBeep=\"false\" trim=\"do-not-trim\" action=\"/recorded\"/></Response>"},
 "/recorded": {"body": "<Response><Pause length=\"8\"/></Response>"},
 "/rechang": {"body": "<Response><Record maxLength=\"30\" timeout=\"30\" playBeep=\"false\" action=\"/rechung\"/></Response>"},
 "/rechung": {"body": "<Response><Hangup/></Response>"},
 "/many": {"body": "<Response><Play>media/short.wav?n=1</Play><Play>media/short.wav?n=2</Play><Play>media/short.wav?n=3</Play><Play>media/short.wav?n=4</Play><Play>media/short.wav?n=5</Play><Play>media/short.wav?n=6</Play><Play>media/short.wav?n=7</Play><Play>media/short.wav?n=8</Play><Play>media/short.wav?n=9</Play><Play>media/short.wav?n=10</Play><Play>media/short.wav?n=11</Play><Play>media/short.wav?n=12</Play><Play>media/short.wav?n=13</Play><Play>media/short.wav?n=14</Play><Play>media/short.wav?n=15</Play><Play>media/short.wav?n=16</Play><Play>media/short.wav?n=17</Play><Play>media/short.wav?n=18</Play><Play>media/short.wav?n=19</Play><Play>media/short.wav?n=20</Play><Play>media/short.wav?n=21</Play><Play>media/short.wav?n=22</Play><Play>media/short.wav?n=23</Play><Play>media/short.wav?n=24</Play><Hangup/></Response>"},
 "/media/short.wav": {"file": "media/short.wav", "content_type": "audio/wav",
                      "headers": {"Cache-Control": "max-age=3600"}}
}
EOF
# a 1 MB media pool: 15 slabs of 64 KB, so 24 distinct prompts must retire older ones
t_up media_pool_mb=1
sox -n -r 8000 -c 1 -b 16 "$W/docs/media/tone.wav" synth 1.0 sine 1000 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$W/docs/media/short.wav" synth 0.3 sine 800 vol 0.5
web_up "$W/docs"
DATA=$VOX_DATA_BASE/$T_ID
dev_account
num() { voxctl number add --account "$AC" --number "$1" --voice-url "$U$2" >/dev/null; }
num +15005550201 /playrv && num +15005550202 /playns && num +15005550203 /rec && num +15005550204 /recnt &&
  num +15005550205 /many && num +15005550206 /rechang
check "numbers registered" test $? = 0
req() { jq -c "select(.path==\"$1\")" "$W/req.jsonl" 2>/dev/null; }
media_q() { status_q ".calls.media.$1"; }

# play_call NAME: one call to the Play number, the audio we send captured; prints pcap_audio.py
play_call() {
  local num=$1 name=$2 rc
  ip netns exec "${T_ID}net" tcpdump --immediate-mode -U -i "${T_ID}0" -n -w "$T_LOG/$name.pcap" 'udp and src host 192.0.2.2 and src portrange 20000-39999' >/dev/null 2>&1 &
  local td=$!
  wait_for 5 test -s "$T_LOG/$name.pcap"
  sleep 0.5
  sipp_run uac_wait_bye "$num"
  rc=$?
  sleep 0.5 # the capture's last packets (immediate mode, flushed per packet)
  kill $td; wait $td 2>/dev/null
  [ $rc = 0 ] || { echo "sipp rc=$rc"; return 1; }
  python3 "$T_DIR/pcap_audio.py" "$T_LOG/$name.pcap" --pt 0 --level 4000
}
# heard JSON HZ: a second of the tone (about 50 loud 20 ms frames) at HZ +-2%
heard() { jq -e --argjson hz "$2" '.loud >= 45 and .loud <= 55 and .hz >= $hz * 0.98 and .hz <= $hz * 1.02' <<<"$1" >/dev/null; }

# --- 1: a miss: GET, 200, the clip decoded, played
a=$(play_call 15005550201 play1); echo "call 1: $a"
check "call 1 hears the 1 kHz clip" heard "$a" 1000
check "call 1: a plain GET (no If-None-Match), answered 200 with the ETag" \
  test "$(req /media/tone.wav | jq -r '[.headers["If-None-Match"] // "-", .status] | join(" ")')" = "- 200"
ETAG1=\"$(sha1sum "$W/docs/media/tone.wav" | cut -c1-40)\"

# --- 2: max-age=0: stale at once -> conditional GET -> 304 -> the cached clip plays
rv=$(media_q plays_revalidated)
b=$(play_call 15005550201 play2); echo "call 2: $b"
check "call 2's request is conditional (If-None-Match $ETAG1) and gets 304" \
  test "$(req /media/tone.wav | sed -n 2p | jq -r '[.headers["If-None-Match"], .status] | join(" ")')" = "$ETAG1 304"
check "call 2 still hears the 1 kHz clip (from the pool)" heard "$b" 1000
check "counted: plays_revalidated $rv -> $(media_q plays_revalidated)" test "$(media_q plays_revalidated)" = $((rv + 1))

# --- 3: the content changes (new ETag): conditional GET -> 200 -> the new clip
sox -n -r 8000 -c 1 -b 16 "$W/docs/media/new.wav" synth 1.0 sine 600 vol 0.5
mv "$W/docs/media/new.wav" "$W/docs/media/tone.wav"
rp=$(media_q replaced)
c=$(play_call 15005550201 play3); echo "call 3: $c"
check "call 3's request is conditional with the old ETag and gets 200" \
  test "$(req /media/tone.wav | sed -n 3p | jq -r '[.headers["If-None-Match"], .status] | join(" ")')" = "$ETAG1 200"
check "call 3 hears the new 600 Hz clip" heard "$c" 600
check "the old clip is superseded (replaced $rp -> $(media_q replaced))" test "$(media_q replaced)" = $((rp + 1))
check "three requests for the URL in all" test "$(req /media/tone.wav | wc -l)" = 3

# --- no-store: never kept, fetched again by the next call, never sent conditionally
ns=$(media_q no_store)
NS1=$(play_call 15005550202 ns1); echo "no-store 1: $NS1"
NS2=$(play_call 15005550202 ns2); echo "no-store 2: $NS2"
both_heard() { heard "$NS1" 600 && heard "$NS2" 600; }
check "no-store: both calls hear the clip" both_heard
check "no-store: two plain GETs, both 200" \
  test "$(req /media/ns.wav | jq -r '[.headers["If-None-Match"] // "-", .status] | join(" ")' | sort -u)" = "- 200" -a "$(req /media/ns.wav | wc -l)" = 2
check "no-store counted ($ns -> $(media_q no_store))" test "$(media_q no_store)" = $((ns + 2))
# retired once their legs are done and the grace (2 s) has passed: at the next prompt's sweep
sleep 2.5
play_call 15005550201 play4 >/dev/null
check "superseded and no-store clips retired (superseded_retired $(media_q superseded_retired) >= 3)" \
  test "$(media_q superseded_retired)" -ge 3
check "the cache holds the live prompts only ($(media_q entries))" test "$(media_q entries)" = 1

# --- eviction: 24 distinct 0.3 s prompts (a slab each) in one call through a 15-slab pool: the
# least recently used ones, done playing for 2 s, are retired; every prompt still plays
ev=$(media_q evicted) me=$(status_q .calls.media_errors)
m=$(play_call 15005550205 many); echo "24 prompts: $m"
many_heard() { jq -e '.loud >= 24 * 14 and .hz >= 784 and .hz <= 816' <<<"$m" >/dev/null; }
check "24 prompts through a 15-slab pool: all heard (24 x 0.3 s of 800 Hz)" many_heard
check "prompts retired to make room (evicted $ev -> $(media_q evicted)), none failed (media_errors $me -> $(status_q .calls.media_errors))" \
  test "$(media_q evicted)" -gt "$ev" -a "$(status_q .calls.media_errors)" = "$me"
check "the cache never holds more than the pool: $(media_q entries) entries" test "$(media_q entries)" -le 15

# --- Record trim: 2 s of near-silence, a 1.5 s tone, near-silence; maxLength 5 s
python3 "$T_DIR/gen_tone_pcap.py" "$T_LOG/speech.pcap" "0:2,1000:1.5,0:2"
sed -e "s|__PCAP__|$T_LOG/speech.pcap|" -e "s|__MS__|7000|" "$T_SCEN/uac_pcma_inband.xml" >"$T_LOG/uac_pcma_inband.xml"
form() { jq -r "select(.path==\"$1\") | .form[] | select(.[0]==\"$2\") | .[1]" "$W/req.jsonl" 2>/dev/null | sed -n "${3:-1}p"; }
sipp_run uac_pcma_inband 15005550203
rc=$?
check "Record (trim-silence): the call went through (rc=$rc)" test "$rc" = 0
check "Record (trim-silence): the action is requested" wait_for 5 test -n "$(form /recorded RecordingDuration 1)"
D1=$(form /recorded RecordingDuration 1)
RE1=$(form /recorded RecordingSid 1)
check "trimmed RecordingDuration is the tone's (1..2 s, not 5): $D1" test "$D1" -ge 1 -a "$D1" -le 2
wav_samples() { soxi -s "$DATA/recordings/$1.wav" 2>/dev/null; }
n1=$(wav_samples "$RE1")
# what the dataplane recorded of the tone depends on the RTP's timing on this loaded machine;
# what the trim must do does not: the file starts and ends with sound (a 20 ms frame above RMS
# 200), at most the 1.5 s tone is left of the 5 s, and RecordingDuration is the file's
edges_loud() {
  python3 - "$DATA/recordings/$RE1.wav" "$D1" <<'PY'
import sys, wave, struct, math
w = wave.open(sys.argv[1]); n = w.getnframes(); s = struct.unpack("<%dh" % n, w.readframes(n))
rms = lambda f: math.sqrt(sum(v * v for v in f) / len(f))
first, last = rms(s[:160]), rms(s[n - n % 160 - 160:n - n % 160])
print("trimmed: %d samples, first frame RMS %.0f, last %.0f" % (n, first, last))
ok = 2400 <= n <= 12000 + 320 and first > 200 and last > 200 and int(sys.argv[2]) == (n + 4000) // 8000
sys.exit(0 if ok else 1)
PY
}
check "the trimmed WAV ($n1 samples) starts and ends with the tone, RecordingDuration $D1 is its length" edges_loud
sipp_run uac_pcma_inband 15005550204
check "Record (do-not-trim): the action is requested" wait_for 5 test -n "$(form /recorded RecordingDuration 2)"
D2=$(form /recorded RecordingDuration 2)
n2=$(wav_samples "$(form /recorded RecordingSid 2)")
check "do-not-trim keeps the whole recording: RecordingDuration $D2, $n2 samples" \
  test "$D2" = 5 -a "${n2:-0}" -ge 38400
# the caller hangs up in the middle of a <Record>: the file is closed by the leg's end, and the
# call stays until then: its Recording and the action (Digits=hangup) still come
sed -e "s|__PCAP__|$T_LOG/speech.pcap|" -e "s|__MS__|4500|" "$T_SCEN/uac_pcma_inband.xml" >"$T_LOG/uac_pcma_inband.xml"
sipp_run uac_pcma_inband 15005550206
check "Record cut by the caller's hang-up: the action comes with Digits=hangup" \
  wait_for 5 eval 'test "$(form /rechung Digits 1)" = hangup'
RE3=$(form /rechung RecordingSid 1)
check "... with its RecordingDuration ($(form /rechung RecordingDuration 1) s) and a Recording resource" \
  test "$(form /rechung RecordingDuration 1)" -ge 1 -a \
  "$(curl -sS --max-time 5 -u "$AC:$TOK" "http://127.0.0.1:$(status_q .http.server.port)/2010-04-01/Accounts/$AC/Recordings/$RE3.json" | jq -r .sid)" = "$RE3"
check "the recording writer: 3 files completed, 2 trimmed, no overflow, no write error" \
  test "$(status_q '.recordings | [.completed >= 3, .trims >= 2, .overflows == 0, .write_errors == 0] | all')" = true

# --- a control restart: the prompt clips the previous control loaded are orphans of the next
# one; not reused (no Say here), they are retired prompt_orphan_s (3 s here) after its first
# prompt, so restarts do not leak pool space
ready=$(media_q pool.clips_ready)
kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
check "control restarted (prompt_orphan_s=3)" \
  vox_start_control "$T_ID" "$T_CONF" "$T_LOG" "${VOX_CTL_SETS[@]}" --set prompt_orphan_s=3
o=$(play_call 15005550201 play5); echo "after the restart: $o"
check "the restarted control plays the URL (fetched again: its table is new)" heard "$o" 600
check "the $ready clips left in the pool are found as orphans ($(media_q orphans_found))" \
  test "$ready" -ge 2 -a "$(media_q orphans_found)" = "$ready"
sleep 3.5
play_call 15005550201 play6 >/dev/null
check "... and retired once prompt_orphan_s passed (orphans_retired $(media_q orphans_retired))" \
  test "$(media_q orphans_retired)" = "$ready"
check "the pool holds the new control's clip only ($(media_q pool.clips_ready) ready)" \
  test "$(media_q pool.clips_ready)" = 1

none_live() { [ "$(status_q .calls.live)" = 0 ]; }
check "no call left live" wait_for 10 none_live
kill $WEB; wait $WEB 2>/dev/null
t_end
