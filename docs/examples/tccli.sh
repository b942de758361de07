#!/usr/bin/env bash
# Send one email through ses-emulator with tccli, the Tencent Cloud command line.
#
# Written for tccli 3.1 (pip install tccli). The change from a cloud set-up:
# --endpoint http://127.0.0.1:4590, with the scheme: tccli's endpoint has no
# separate protocol setting and defaults to https. tccli then sends the Host header
# "http://127.0.0.1:4590" and signs it; the emulator checks the header as received.
# Not run by the test suite (tccli is not installable here); the Python SDK that
# tccli is built on is documented to behave this way.
set -euo pipefail

endpoint=${SES_ENDPOINT:-127.0.0.1:4590}

tccli ses SendEmail --region ap-guangzhou --endpoint "http://$endpoint" \
	--secretId AKIDLOCALSESEMULATOR --secretKey local-ses-emulator-secret-key \
	--FromEmailAddress 'Example <noreply@example.com>' \
	--Destination '["user@example.net"]' \
	--Subject 'Hello from tccli' \
	--Template '{"TemplateID": 1, "TemplateData": "{\"name\":\"Ann\"}"}'
