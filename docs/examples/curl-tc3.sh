#!/usr/bin/env bash
# Call the SES API with curl and a TC3-HMAC-SHA256 signature made by openssl:
# no SDK needed. Written for bash, curl 7.88 and OpenSSL 3.0 (Debian 12).
#
#   ./curl-tc3.sh ACTION [JSON]
#   ./curl-tc3.sh ListEmailTemplates '{"Limit":10,"Offset":0}'
#   ./curl-tc3.sh SendEmail '{"FromEmailAddress":"Example <noreply@example.com>",
#       "Destination":["user@example.net"],"Subject":"Hello",
#       "Template":{"TemplateID":1,"TemplateData":"{\"name\":\"Ann\"}"}}'
#
# Environment: SES_ENDPOINT (default 127.0.0.1:4590; the cloud would be
# ses.tencentcloudapi.com over https), SECRET_ID and SECRET_KEY (default: the
# emulator's default fixture account), REGION (default ap-guangzhou).
# Prints the JSON answer on stdout.
set -euo pipefail

action=${1:?usage: curl-tc3.sh ACTION [JSON]}
payload=${2:-"{}"}
host=${SES_ENDPOINT:-127.0.0.1:4590}
secret_id=${SECRET_ID:-AKIDLOCALSESEMULATOR}
secret_key=${SECRET_KEY:-local-ses-emulator-secret-key}
region=${REGION:-ap-guangzhou}
service=ses
version=2020-10-02
algorithm=TC3-HMAC-SHA256
timestamp=$(date +%s)
date=$(date -u -d "@$timestamp" +%Y-%m-%d)
content_type="application/json; charset=utf-8"

sha256_hex() { openssl dgst -sha256 -hex | awk '{print $NF}'; }
# hmac_hex KEY-OPTION DATA: the HMAC-SHA256 of DATA in hex; KEY-OPTION is
# key:TEXT for a text key or hexkey:HEX for the previous step's result.
hmac_hex() { printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "$1" -hex | awk '{print $NF}'; }

# 1. The canonical request: method, path, query, headers, signed header names, payload hash.
lower_action=$(printf '%s' "$action" | tr '[:upper:]' '[:lower:]')
signed_headers="content-type;host;x-tc-action"
canonical_headers="content-type:$content_type"$'\n'"host:$host"$'\n'"x-tc-action:$lower_action"$'\n'
hashed_payload=$(printf '%s' "$payload" | sha256_hex)
canonical_request="POST"$'\n'"/"$'\n'""$'\n'"$canonical_headers"$'\n'"$signed_headers"$'\n'"$hashed_payload"

# 2. The string to sign.
scope="$date/$service/tc3_request"
hashed_request=$(printf '%s' "$canonical_request" | sha256_hex)
string_to_sign="$algorithm"$'\n'"$timestamp"$'\n'"$scope"$'\n'"$hashed_request"

# 3. The signature: HMAC chain TC3+key -> date -> service -> "tc3_request" -> string to sign.
secret_date=$(hmac_hex "key:TC3$secret_key" "$date")
secret_service=$(hmac_hex "hexkey:$secret_date" "$service")
secret_signing=$(hmac_hex "hexkey:$secret_service" "tc3_request")
signature=$(hmac_hex "hexkey:$secret_signing" "$string_to_sign")

authorization="$algorithm Credential=$secret_id/$scope, SignedHeaders=$signed_headers, Signature=$signature"

# 4. The request. Plain http: the emulator serves no TLS.
curl -sS --noproxy '*' -X POST "http://$host/" \
	-H "Authorization: $authorization" \
	-H "Content-Type: $content_type" \
	-H "Host: $host" \
	-H "X-TC-Action: $action" \
	-H "X-TC-Timestamp: $timestamp" \
	-H "X-TC-Version: $version" \
	-H "X-TC-Region: $region" \
	-d "$payload"
echo
