#!/usr/bin/env python3
"""Print a wrk Lua script that replays one TC3-signed API request.

Usage: sign.py HOST:PORT ACTION BODY_JSON [SECRET_ID SECRET_KEY]
The signature stays valid for the five-minute window, which is longer than
a benchmark run; the emulator does not reject replays (neither, as far as
documented, does the real service).
"""
import hashlib
import hmac
import json
import sys
import time


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def main():
    host, action, body = sys.argv[1:4]
    secret_id = sys.argv[4] if len(sys.argv) > 4 else "AKIDLOCALSESEMULATOR"
    secret_key = sys.argv[5] if len(sys.argv) > 5 else "local-ses-emulator-secret-key"
    ts = int(time.time())
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    ctype = "application/json"
    canonical = "\n".join(["POST", "/", "", f"content-type:{ctype}\nhost:{host}\n", "content-type;host",
                           sha256_hex(body.encode())])
    scope = f"{date}/ses/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{ts}\n{scope}\n{sha256_hex(canonical.encode())}"
    key = hmac.new(("TC3" + secret_key).encode(), date.encode(), hashlib.sha256).digest()
    key = hmac.new(key, b"ses", hashlib.sha256).digest()
    key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    auth = f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={sig}"
    headers = {"Content-Type": ctype, "Host": host, "Authorization": auth, "X-TC-Action": action,
               "X-TC-Version": "2020-10-02", "X-TC-Region": "ap-guangzhou", "X-TC-Timestamp": str(ts)}
    print('wrk.method = "POST"')
    print(f"wrk.body = {json.dumps(body)}")
    for k, v in headers.items():
        print(f'wrk.headers["{k}"] = {json.dumps(v)}')
    # count answers that are API errors, so a broken signature cannot pass as
    # speed; each wrk thread has its own Lua state, so done() sums them
    print('''
local threads = {}
function setup(thread) table.insert(threads, thread) end
errors = 0
response = function(status, headers, body)
  if string.find(body, '"Error"', 1, true) then errors = errors + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("errors") end
  io.write(string.format("api_errors=%d p50_ms=%.2f p99_ms=%.2f\\n", total,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end''')


if __name__ == "__main__":
    main()
