#!/usr/bin/env bash
# The REST API on the platform's listener with curl: auth failures (401/20003), Twilio's error
# JSON for everything (never HTML), hostile input (huge, empty, non-UTF-8, bad escapes),
# subaccount isolation, API keys, paging envelope, and writes acknowledged before control is
# killed with -9 still there after the restart.
. "$(dirname "$0")/lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(free_port)
t_up -- "http_port=$P"
DATA=$VOX_DATA_BASE/$T_ID
check "the dev account file is written" wait_for 5 test -s "$DATA/dev-account"
AC=$(sed -n 's/^VOX_ACCOUNT_SID=//p' "$DATA/dev-account")
TOK=$(sed -n 's/^VOX_AUTH_TOKEN=//p' "$DATA/dev-account")
U=http://127.0.0.1:$P/2010-04-01
A=$U/Accounts/$AC
# c ARGS...: curl printing the body then a line with the status
c() { curl -sS --max-time 10 -w '\n%{http_code}' "$@"; }
# err OUT STATUS CODE: Twilio's error body with that status and code
err() { local body=${1%$'\n'*} st=${1##*$'\n'}
  [ "$st" = "$2" ] && jqe --argjson s "$2" --argjson c "$3" \
    '.status==$s and .code==$c and (.message|type=="string") and .more_info==("https://www.twilio.com/docs/errors/"+($c|tostring))' <<<"$body" >/dev/null; }
ok200() { [ "${1##*$'\n'}" = "$2" ]; }
jqe() { jq -e "$@" >/dev/null; }
body() { printf '%s' "${1%$'\n'*}"; }

out=$(c "$A.json"); check "no credentials: 401 20003" err "$out" 401 20003
out=$(c -u "$AC:00000000000000000000000000000000" "$A.json"); check "wrong token: 401 20003" err "$out" 401 20003
hdr=$(curl -sS -o /dev/null -D - "$A.json" | tr -d '\r' | grep -i '^WWW-Authenticate:')
check "401 carries a Basic challenge ($hdr)" grep -qi 'Basic realm="Twilio API"' <<<"$hdr"
out=$(c --anyauth -u "$AC:$TOK" "$A.json"); check "a client that waits for the challenge (curl --anyauth) gets in" ok200 "$out" 200
out=$(c -u "x:y" "$A/Calls.json"); check "unknown user: 401 20003" err "$out" 401 20003
out=$(c -H 'Authorization: Basic !!!!' "$A/Calls.json"); check "broken Basic header: 401 20003" err "$out" 401 20003
out=$(c -u "$AC:$TOK" "$A.json")
check "fetch the account (200, uri, subresource_uris)" jqe --arg a "$AC" '.sid==$a and .uri==("/2010-04-01/Accounts/"+$a+".json") and (.subresource_uris.queues|test("Queues.json$"))' <<<"$(body "$out")"
out=$(c -u "$AC:$TOK" "$A/Nothing.json"); check "unknown resource: JSON 404 20404" err "$out" 404 20404
ct=$(curl -sS -o /dev/null -w '%{content_type}' -u "$AC:$TOK" "$A/Nothing.json")
check "errors are application/json ($ct)" test "$ct" = application/json

# hostile input
out=$(c -u "$AC:$TOK" --data-binary $'FriendlyName=\xff\xfe' "$A/Queues.json"); check "non-UTF-8 value: 400 20001" err "$out" 400 20001
out=$(c -u "$AC:$TOK" --data-binary 'FriendlyName=%C3%28' "$A/Queues.json"); check "non-UTF-8 escaped: 400 20001" err "$out" 400 20001
out=$(c -u "$AC:$TOK" --data-binary 'FriendlyName=%zz%' "$A/Queues.json"); check "bad percent-encoding: 400 JSON" err "$out" 400 20001
out=$(c -u "$AC:$TOK" -X POST "$A/Queues.json"); check "empty body: 400 20001 (FriendlyName required)" err "$out" 400 20001
out=$(head -c 400000 /dev/zero | tr "\0" a | c -u "$AC:$TOK" -H "Expect: 100-continue" --data-binary @- "$A/Queues.json"); check "huge body: 413 JSON" err "$out" 413 "$(body "$out" | jq .code)"
out=$(head -c 3000 /dev/urandom | c -u "$AC:$TOK" --data-binary @- "$A/Queues.json"); st=${out##*$'\n'}
is4xx_json() { [ "$st" -ge 400 ] && [ "$st" -lt 500 ] && body "$out" | jqe .code; }
check "random bytes: a 4xx JSON answer ($st)" is4xx_json
out=$(c -u "$AC:$TOK" "$A/Calls.json?PageSize=99999"); check "PageSize over 1000: 400 20001" err "$out" 400 20001
out=$(c -u "$AC:$TOK" --path-as-is "$A/../../../etc/passwd"); check "dot segments: a JSON 404" err "$out" 404 20404
long=$(head -c 6000 /dev/zero | tr '\0' b)
out=$(c -u "$AC:$TOK" "$A/Calls/$long.json"); check "a 6000-byte path segment: JSON 404" err "$out" 404 20404
out=$(c -u "$AC:$TOK" -X PATCH "$A/Queues.json"); check "unknown method: 405 JSON" err "$out" 405 20004

# subaccounts and keys
out=$(c -u "$AC:$TOK" -d FriendlyName=tenant "$U/Accounts.json"); SUB=$(body "$out" | jq -r .sid); SUBTOK=$(body "$out" | jq -r .auth_token)
check "create a subaccount (201, owner is the dev account)" bash -c "[ '${out##*$'\n'}' = 201 ] && [ '$(body "$out" | jq -r .owner_account_sid)' = '$AC' ]"
out=$(c -u "$AC:$TOK" -d PhoneNumber=+15005550123 "$U/Accounts/$SUB/IncomingPhoneNumbers.json")
check "the parent adds a number to the subaccount (201)" ok200 "$out" 201
out=$(c -u "$SUB:$SUBTOK" "$A/IncomingPhoneNumbers.json"); check "the subaccount cannot read the parent: 401 20003" err "$out" 401 20003
out=$(c -u "$SUB:$SUBTOK" "$U/Accounts.json")
check "the subaccount lists only itself" jqe --arg s "$SUB" '[.accounts[].sid]==[$s]' <<<"$(body "$out")"
out=$(c -u "$AC:$TOK" "$U/Accounts.json")
check "the parent lists itself and the subaccount" jqe '.accounts|length==2' <<<"$(body "$out")"
out=$(c -u "$AC:$TOK" -d FriendlyName=ci "$A/Keys.json"); SK=$(body "$out" | jq -r .sid); SEC=$(body "$out" | jq -r .secret)
check "create an API key: 201 with the secret" bash -c "[ '${out##*$'\n'}' = 201 ] && [[ '$SK' =~ ^SK[0-9a-f]{32}$ ]] && [ ${#SEC} -ge 32 ]"
out=$(c -u "$SK:$SEC" -d FriendlyName=from-key "$A/Queues.json"); Q=$(body "$out" | jq -r .sid)
check "the key works as credentials (queue created, 201)" ok200 "$out" 201
out=$(c -u "$SK:wrong" "$A/Queues.json"); check "the key with a wrong secret: 401 20003" err "$out" 401 20003
out=$(c -u "$AC:$TOK" "$A/Keys/$SK.json"); check "fetching the key never shows the secret" jq -e 'has("secret")|not' <<<"$(body "$out")"

# lists
for i in 1 2 3; do c -u "$AC:$TOK" -d "FriendlyName=q$i" "$A/Queues.json" >/dev/null; done
out=$(c -u "$AC:$TOK" "$A/Queues.json?PageSize=2")
check "queue list page: envelope and one array" jqe '(.queues|length)==2 and .page==0 and .page_size==2 and .start==0 and .end==1 and .previous_page_uri==null and (.next_page_uri|test("Page=1&PageToken=PA")) and ([.[]|arrays]|length)==1' <<<"$(body "$out")"
NEXT=$(body "$out" | jq -r .next_page_uri)
out=$(c -u "$AC:$TOK" "http://127.0.0.1:$P$NEXT")
check "next page: the other two, then no next" jqe '(.queues|length)==2 and .page==1 and .next_page_uri==null' <<<"$(body "$out")"

check "voxctl status counts the API's requests, 401s and writes" \
  jqe '.rest.requests >= 25 and .rest.auth_failed >= 5 and .rest.client_errors >= 8 and .rest.writes == 7 and .rest.store_refused == 0' <<<"$(voxctl status)"

# acknowledged writes survive kill -9
kill -9 "$VOX_CTL_PID"; wait "$VOX_CTL_PID" 2>/dev/null
check "restarted control attaches" vox_start_control "$T_ID" "$T_CONF" "$T_LOG" --set "http_port=$P"
out=$(c -u "$AC:$TOK" "$A/Queues/$Q.json")
check "after kill -9: the queue created with the key is there" jqe --arg q "$Q" '.sid==$q and .friendly_name=="from-key"' <<<"$(body "$out")"
out=$(c -u "$SK:$SEC" "$U/Accounts/$SUB/IncomingPhoneNumbers.json?PhoneNumber=%2B15005550123")
check "after kill -9: the key and the subaccount's number are there" jqe '.incoming_phone_numbers[0].phone_number=="+15005550123"' <<<"$(body "$out")"
t_end
