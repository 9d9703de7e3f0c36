#!/usr/bin/env bash
# Control's store through voxctl: the dev account written on first start, account create/list,
# number add/list (with refusals), everything still there after control is killed with -9 and
# restarted, and a clear error from voxctl when control is not running.
. "$(dirname "$0")/lib.sh"
t_up
DATA=$VOX_DATA_BASE/$T_ID
# answered: the last command's rc is $1 and its output ($out) matches $2
answered() { [ "$rc" = "$1" ] && grep -q -- "$2" <<<"$out"; }
check "the dev account file is written" wait_for 5 test -s "$DATA/dev-account"
check "the dev account file is mode 0600" test "$(stat -c %a "$DATA/dev-account")" = 600
DEV=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$DATA/dev-account")
DEVTOK=$(sed -n 's/^VOX_AUTH_TOKEN=//p' "$DATA/dev-account")
check "dev account SID and token well formed ($DEV)" \
  bash -c "[[ '$DEV' =~ ^AC[0-9a-f]{32}$ && '$DEVTOK' =~ ^[0-9a-f]{32}$ ]]"

acc=$(voxctl account create --friendly-name "Test Team A")
AC=$(jq -r .sid <<<"$acc")
check "account create answers Twilio's account JSON ($AC)" \
  jq -e --arg a "$AC" '(.sid|test("^AC[0-9a-f]{32}$")) and .sid==$a and (.auth_token|test("^[0-9a-f]{32}$")) and .friendly_name=="Test Team A" and .status=="active" and .type=="Full" and .owner_account_sid==$a and .uri==("/2010-04-01/Accounts/"+$a+".json") and .subresource_uris.calls==("/2010-04-01/Accounts/"+$a+"/Calls.json") and (.date_created|test("^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+]0000$"))' <<<"$acc"
TOKEN=$(jq -r .auth_token <<<"$acc")
list=$(voxctl account list --json)
check "account list has the new account and the dev account" \
  jq -e --arg a "$AC" --arg d "$DEV" '[.accounts[].sid] | (index($a) != null) and (index($d) != null) and length == 2' <<<"$list"
out=$(voxctl account list); rc=$?
check "account list (table) names the account" answered 0 "$AC  active .*Test Team A"

num=$(voxctl number add --account "$AC" --number "+1 (500) 555-0100" --voice-url http://127.0.0.1:8080/demo/voice.xml --status-callback http://127.0.0.1:8080/cb)
PN=$(jq -r .sid <<<"$num")
check "number add answers the number, normalized to E.164 ($PN)" \
  jq -e --arg a "$AC" '(.sid|test("^PN[0-9a-f]{32}$")) and .phone_number=="+15005550100" and .account_sid==$a and .voice_url=="http://127.0.0.1:8080/demo/voice.xml" and .voice_method=="POST" and .status_callback=="http://127.0.0.1:8080/cb"' <<<"$num"
out=$(voxctl number add --account "$DEV" --number 15005550100 --voice-url http://x.test/ 2>&1); rc=$?
check "a number already in use is refused (rc=$rc: $out)" answered 1 'already in use'
out=$(voxctl number add --account "$AC" --number "call me" --voice-url http://x.test/ 2>&1); rc=$?
check "a malformed number is refused clearly (rc=$rc: $out)" answered 1 'not a phone number'
out=$(voxctl number add --account AC00000000000000000000000000000000 --number +15005550101 2>&1); rc=$?
check "an unknown account is refused (rc=$rc: $out)" answered 1 'no account'
out=$(voxctl account create --friendly-name "$(printf 'bad\xff\xfename')" 2>&1); rc=$?
check "a name that is not UTF-8 is refused (rc=$rc: $out)" answered 1 'not valid UTF-8'
out=$(voxctl number add --account "$AC" --number +15005550102 --voice-method PUT 2>&1); rc=$?
check "a bad method is refused (rc=$rc: $out)" answered 1 'GET or POST'
voxctl number add --account "$DEV" --number +15005550006 --voice-url http://127.0.0.1:8080/demo/ >/dev/null
check "number list --account lists that account's numbers only" \
  jq -e '[.incoming_phone_numbers[].phone_number] == ["+15005550100"]' <<<"$(voxctl number list --account "$AC" --json)"
check "number list lists all numbers" \
  jq -e '.incoming_phone_numbers | length == 2' <<<"$(voxctl number list --json)"
check "store stats count the commits" jq -e '.commits >= 4 and .queue_full == 0 and .in_flight == 0' <<<"$(voxctl store stats)"

kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
check "restarted control attaches" vox_start_control "$T_ID" "$T_CONF" "$T_LOG"
list=$(voxctl account list --json)
check "after kill -9 and restart: the accounts are still there, with their tokens" \
  jq -e --arg a "$AC" --arg t "$TOKEN" --arg d "$DEV" '([.accounts[] | select(.sid==$a) | .auth_token] == [$t]) and ([.accounts[].sid] | index($d) != null) and (.accounts|length == 2)' <<<"$list"
check "no second dev account; the dev file kept its SID" \
  test "$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$DATA/dev-account")" = "$DEV"
check "after the restart: the number is still there" \
  jq -e --arg p "$PN" '[.incoming_phone_numbers[].sid] | index($p) != null' <<<"$(voxctl number list --account "$AC" --json)"
acc2=$(voxctl account create --friendly-name second)
check "the restarted control takes writes" jq -e '.sid|test("^AC")' <<<"$acc2"

kill -TERM "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
out=$(voxctl account list 2>&1); rc=$?
check "voxctl against a stopped control: exit 2 and says so (rc=$rc: $out)" \
  answered 2 'voxplane-control is not running'
out=$(voxctl number add --account "$AC" --number +15005550199 2>&1); rc=$?
check "number add against a stopped control: exit 2 ($out)" test $rc = 2
t_end
