# SPDX-License-Identifier: BSD-3-Clause
# baresip_lib.sh — a headless baresip (Debian) inside the test namespace (sourced after lib.sh).
# Audio: the source is aufile (a WAV made with sox), the player is aubridge (a sink nobody reads,
# no sound card), and the sndfile module writes what baresip decodes (what it hears) and what it
# encodes into snd_path as WAV files. Config and recordings live under $T_LOG/baresip.

# bs_config MEDIAENC: write the config dir ($T_LOG/baresip); MEDIAENC empty or srtp-mand.
bs_config() {
  local enc=$1 d=$T_LOG/baresip
  mkdir -p "$d/snd"
  rm -f "$d"/snd/*.wav
  sox -n -r 8000 -c 1 -b 16 "$d/src.wav" synth 30 sine 600 vol 0.5 2>/dev/null
  cat >"$d/config" <<CFG
poll_method		epoll
sip_listen		192.0.2.1:5090
sip_transports		udp
call_local_timeout	30
audio_player		aubridge,nil
audio_source		aufile,$d/src.wav
audio_alert		aubridge,nil
audio_srate		8000
audio_channels		1
rtp_ports		10000-10100
rtcp_mux		no
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module			srtp.so
module_app		account.so
module_app		menu.so
snd_path		$d/snd
CFG
  echo "<sip:bs@192.0.2.1:5090>;regint=0${enc:+;mediaenc=$enc};audio_codecs=PCMU" >"$d/accounts"
  : >"$d/contacts"
}

# bs_listen SECONDS: baresip waits for our call and answers it at once (answermode=auto).
bs_listen() {
  local secs=$1 d=$T_LOG/baresip
  sed -i 's/;regint=0/;regint=0;answermode=auto/' "$d/accounts"
  ip netns exec "${T_ID}net" baresip ${BS_ARGS:-} -f "$d" -t "$secs" >"$d/baresip.out" 2>&1 </dev/null &
  BS_PID=$!
}

# bs_call USER SECONDS: baresip dials USER at the dataplane and quits after SECONDS (background;
# $BS_PID is baresip itself so the test can wait for it and kill it).
bs_call() {
  local user=$1 secs=$2 d=$T_LOG/baresip
  ip netns exec "${T_ID}net" baresip ${BS_ARGS:-} -f "$d" -e "/dial sip:$user@192.0.2.2:5060" -t "$secs" \
    >"$d/baresip.out" 2>&1 </dev/null &
  BS_PID=$!
}

bs_stop() {
  [ -n "${BS_PID:-}" ] || return 0
  kill "$BS_PID" 2>/dev/null
  wait "$BS_PID" 2>/dev/null
  BS_PID=
}

# bs_heard: the WAV of what baresip decoded (received), empty if none
bs_heard() { ls "$T_LOG"/baresip/snd/*dec*.wav 2>/dev/null | head -1; }

# tone_check WAV HZ MIN_S: a tone of HZ (+-3 %) lasting at least MIN_S seconds (non-silent
# 20 ms frames), printed; Goertzel on each frame against the frame's energy.
tone_check() {
  python3 - "$@" <<'PY'
import math, struct, sys, wave
path, hz, min_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
w = wave.open(path)
rate, n = w.getframerate(), w.getnframes()
raw = w.readframes(n)
ch = w.getnchannels()
x = struct.unpack("<%dh" % (len(raw) // 2), raw)[::ch]
N = rate // 50
def goertzel(f, fr):
    k = 2 * math.cos(2 * math.pi * f / rate); s1 = s2 = 0.0
    for v in fr:
        s1, s2 = v + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2
tone = 0
for i in range(0, len(x) - N + 1, N):
    fr = x[i:i + N]
    e = sum(v * v for v in fr)
    if e < N * 300.0 ** 2:
        continue
    p = goertzel(hz, fr) * 2 / N
    if p > 0.6 * e:
        tone += 1
dur = tone * N / rate
# zero crossings of the loud part, as a second opinion on the frequency
loud = [v for v in x if abs(v) > 0] or [0]
zc = sum(1 for i in range(1, len(x)) if (x[i - 1] < 0) != (x[i] < 0))
print(f"{path}: {n / rate:.2f} s at {rate} Hz, {dur:.2f} s of {hz:.0f} Hz tone, zero-crossing rate {zc / 2 / (len(x) / rate):.0f} Hz")
sys.exit(0 if dur >= min_s else 1)
PY
}
