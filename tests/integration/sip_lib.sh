# SPDX-License-Identifier: BSD-3-Clause
# sip_lib.sh — sipp helpers for the SIP integration tests (sourced after lib.sh).
T_SCEN=$VOX_ROOT/tests/sip/scenarios
T_SCRIPT=$VOX_ROOT/tests/sip/scripts/itest.script
T_SIPP_PORT=5070

# sipp_run NAME SERVICE [sipp args...]: one call of scenario NAME (a file in scenarios/, or
# "uac" for sipp's built-in) to user SERVICE; returns sipp's status; logs in $T_LOG/NAME.*
sipp_run() {
  local name=$1 service=$2; shift 2
  local scen=(-sf "$T_SCEN/$name.xml")
  [ -f "$T_LOG/$name.xml" ] && scen=(-sf "$T_LOG/$name.xml")
  [ "$name" = uac ] && scen=(-sn uac)
  T_SIPP_PORT=$((T_SIPP_PORT + 1))
  nsx timeout 60 sipp "${scen[@]}" 192.0.2.2:5060 -i 192.0.2.1 -p "$T_SIPP_PORT" -s "$service" \
    -m 1 -nostdin -timeout 30 -timeout_error -trace_msg -trace_err \
    -message_file "$T_LOG/$name.$service.msg" -error_file "$T_LOG/$name.$service.err" \
    "$@" >"$T_LOG/$name.$service.out" 2>&1
}

# sipp_reject SERVICE CODE: call SERVICE and expect the final status CODE (never a 200 first)
sipp_reject() {
  local service=$1 code=$2
  sed "s/__CODE__/$code/" "$T_SCEN/uac_reject.xml" >"$T_LOG/uac_reject$code.xml"
  sipp_run "uac_reject$code" "$service"
}
