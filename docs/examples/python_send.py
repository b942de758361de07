"""Send one email through ses-emulator with the Python SDK.

Written for tencentcloud-sdk-python 3.1 (pip install tencentcloud-sdk-python-ses, or the
whole tencentcloud-sdk-python), Python 3.8 or later. Run: python3 python_send.py

The change from a cloud set-up: HttpProfile(protocol="http", endpoint="127.0.0.1:4590")
(the SDK's default is https://ses.tencentcloudapi.com). Give the endpoint without a scheme:
with "http://127.0.0.1:4590" the SDK sends and signs the literal Host header
"http://127.0.0.1:4590". The SDK honours HTTP_PROXY unless NO_PROXY names the host.
"""
import json
import os
import sys

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.ses.v20201002 import models, ses_client


def main():
    cred = credential.Credential("AKIDLOCALSESEMULATOR", "local-ses-emulator-secret-key")
    http_profile = HttpProfile(protocol="http", endpoint=os.environ.get("SES_ENDPOINT", "127.0.0.1:4590"))
    client = ses_client.SesClient(cred, "ap-guangzhou", ClientProfile(httpProfile=http_profile))

    req = models.SendEmailRequest()
    req.from_json_string(json.dumps({
        "FromEmailAddress": "Example <noreply@example.com>",
        "Destination": ["user@example.net"],
        "Subject": "Hello from Python",
        "Template": {"TemplateID": 1, "TemplateData": json.dumps({"name": "Ann"})},
    }))
    try:
        resp = client.SendEmail(req)
    except TencentCloudSDKException as err:
        # API errors carry the documented code: err.code, err.message, err.requestId
        print("error", err.code, err.message, file=sys.stderr)
        return 1
    print("MessageId", resp.MessageId)
    return 0


if __name__ == "__main__":
    sys.exit(main())
