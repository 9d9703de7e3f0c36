# SPDX-License-Identifier: BSD-3-Clause
# web_lib.sh — the customer's side for the call-router tests (sourced after lib.sh, once the
# platform is up): the test web application and the dev account.
#   web_up [DIR]      webapp.py on a port of the kernel's choosing with $W/routes.json (and the
#                     files of DIR, created if missing); sets WEB (pid) and U (its base URL);
#                     every request is logged to $W/req.jsonl
#   dev_account       AC and TOK from the platform's data folder (checked)
#   form_of PATH CALLSID PARAM   the value of PARAM in the last request to PATH for that call
#   n_req PATH        how many requests PATH got
W=${W:-$T_LOG/web}
mkdir -p "$W"

web_up() {
  local docs=()
  [ -n "${1:-}" ] && { mkdir -p "$1"; docs=(--docs "$1"); }
  python3 "$T_DIR/webapp.py" --port 0 --port-file "$W/port" --routes "$W/routes.json" "${docs[@]}" \
    --log "$W/req.jsonl" >"$W/webapp.out" 2>&1 &
  WEB=$!
  for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
  U=http://127.0.0.1:$(cat "$W/port")
}

dev_account() {
  local data=$VOX_DATA_BASE/$T_ID
  check "the dev account file is written" wait_for 5 test -s "$data/dev-account"
  AC=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$data/dev-account")
  TOK=$(sed -n 's/^VOX_AUTH_TOKEN=//p' "$data/dev-account")
}

form_of() {
  jq -r --arg p "$1" --arg s "$2" --arg k "$3" \
    'select(.path==$p) | select(any(.form[]; .[0]=="CallSid" and .[1]==$s)) | (.form[] | select(.[0]==$k) | .[1])' \
    "$W/req.jsonl" 2>/dev/null | tail -n 1
}

n_req() { jq -r "select(.path==\"$1\") | .path" "$W/req.jsonl" 2>/dev/null | wc -l; }
