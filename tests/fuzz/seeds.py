#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/seed-*)
and their libFuzzer dictionaries (tests/fuzz/dict/<target>.dict).

Seeds are small, valid (or nearly valid) inputs shaped after the e2e tests, so
that the fuzzer starts deep in each target. Files named crash-* in a corpus
are regression inputs of crashes found by fuzzing: this script never touches
them. Run it again after changing the input format of a target:

    python3 tests/fuzz/seeds.py
"""
import base64
import hashlib
import hmac
import json
import os
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = 1700000000  # FUZZ_NOW of fuzz_auth.c
SECRET_ID = "AKIDFUZZ0000000000000000"
SECRET_KEY = "fuzz-secret-key"
HOST = "127.0.0.1:4590"


def b64(s):
    return base64.b64encode(s.encode()).decode()


# Action parameters, after the e2e tests (fixtures/default.json: template 1
# "welcome" uses {{name}}, sender noreply@example.com on example.com).
PARAMS = {
    "SendEmail": {"FromEmailAddress": "Example <noreply@example.com>", "Destination": ["to@example.net"],
                  "Subject": "Hi {{name}}", "Template": {"TemplateID": 1, "TemplateData": "{\"name\":\"Bob\"}"},
                  "ReplyToAddresses": "reply@example.net", "Cc": ["cc@example.net"], "Bcc": ["bcc@example.net"],
                  "Attachments": [{"FileName": "a.txt", "Content": b64("hello")}],
                  "Unsubscribe": "1", "TriggerType": 1, "SmtpHeaders": "{\"X-Tag\":\"v\"}",
                  "HeaderFrom": "Example <noreply@example.com>"},
    "SendEmail#simple": {"FromEmailAddress": "noreply@example.com", "Destination": ["to@example.net"],
                         "Subject": "Plain", "Simple": {"Html": b64("<p>hi</p>"), "Text": b64("hi")}},
    "CreateEmailTemplate": {"TemplateName": "fuzz", "TemplateContent": {"Html": b64("<p>{{a}}</p>"),
                                                                        "Text": b64("{{a}}")}},
    "UpdateEmailTemplate": {"TemplateID": 1, "TemplateName": "w2", "TemplateContent": {"Text": b64("x {{name}}")}},
    "GetEmailTemplate": {"TemplateID": 1},
    "DeleteEmailTemplate": {"TemplateID": 2},
    "ListEmailTemplates": {"Limit": 10, "Offset": 0},
    "CreateEmailIdentity": {"EmailIdentity": "fuzz.example.org", "DKIMOption": 0, "TagList": [{"TagKey": "k",
                                                                                               "TagValue": "v"}]},
    "GetEmailIdentity": {"EmailIdentity": "example.com"},
    "ListEmailIdentities": {},
    "UpdateEmailIdentity": {"EmailIdentity": "example.com"},
    "DeleteEmailIdentity": {"EmailIdentity": "example.com"},
    "CreateEmailAddress": {"EmailAddress": "new@example.com", "EmailSenderName": "New"},
    "ListEmailAddress": {},
    "DeleteEmailAddress": {"EmailAddress": "noreply@example.com"},
    "UpdateEmailSmtpPassWord": {"EmailAddress": "noreply@example.com", "Password": "Abcdef123456"},
    "CreateReceiver": {"ReceiversName": "group", "Desc": "d"},
    "ListReceivers": {"Offset": 0, "Limit": 10, "Status": 1, "KeyWord": "g"},
    "CreateReceiverDetail": {"ReceiverId": 1, "Emails": ["a@example.net", "b@example.net"]},
    "CreateReceiverDetailWithData": {"ReceiverId": 1, "Datas": [{"Email": "a@example.net",
                                                               "TemplateData": "{\"name\":\"A\"}"}]},
    "ListReceiverDetails": {"ReceiverId": 1, "Offset": 0, "Limit": 10, "Email": "a@example.net"},
    "DeleteReceiver": {"ReceiverId": 1},
    "BatchSendEmail": {"FromEmailAddress": "noreply@example.com", "ReceiverId": 1, "Subject": "S {{name}}",
                       "TaskType": 2, "Template": {"TemplateID": 1, "TemplateData": "{\"name\":\"x\"}"},
                       "CycleParam": {"BeginTime": "2030-01-01 00:00:00", "IntervalTime": 1, "TermCycle": 0},
                       "TimedParam": {"BeginTime": "2030-01-01 00:00:00"}},
    "ListSendTasks": {"Offset": 0, "Limit": 10, "Status": 10, "ReceiverId": 1, "TaskType": 1},
    "GetSendEmailStatus": {"RequestDate": "2023-11-15", "Offset": 0, "Limit": 10, "MessageId": "x",
                           "ToEmailAddress": "to@example.net"},
    "GetStatisticsReport": {"StartDate": "2023-11-01", "EndDate": "2023-11-15", "Domain": "example.com",
                            "ReceivingMailboxType": "gmail.com"},
    "ListBlackEmailAddress": {"StartDate": "2023-11-01", "EndDate": "2023-11-15", "Limit": 10, "Offset": 0,
                              "EmailAddress": "x@example.net", "TaskID": "1"},
    "DeleteBlackList": {"EmailAddressList": ["x@example.net"]},
    "CreateCustomBlacklist": {"Emails": ["x@example.net"], "ExpireDate": "2030-01-01"},
    "ListCustomBlacklist": {"Offset": 0, "Limit": 10, "Status": 1, "Email": "x@example.net"},
    "UpdateCustomBlackList": {"Id": 1, "Email": "y@example.net", "ExpireDate": "2030-01-01"},
    "DeleteCustomBlackList": {"Emails": ["x@example.net"]},
    "CreateAddressUnsubscribeConfig": {"Address": "noreply@example.com", "UnsubscribeConfig": "0",
                                       "Status": 1},
    "ListAddressUnsubscribeConfig": {"Offset": 0, "Limit": 10, "Address": "noreply@example.com"},
    "UpdateAddressUnsubscribeConfig": {"Address": "noreply@example.com", "UnsubscribeConfig": "1",
                                       "Status": 0},
    "DeleteAddressUnsubscribeConfig": {"Address": "noreply@example.com"},
    "GetAbuseReport": {"StartDate": "2023-11-01", "EndDate": "2023-11-15", "Offset": 0, "Limit": 10},
}


def flatten(obj, prefix=""):
    out = []
    items = obj.items() if isinstance(obj, dict) else enumerate(obj)
    for k, v in items:
        name = f"{prefix}{k}"
        if isinstance(v, (dict, list)):
            out += flatten(v, name + ".")
        else:
            out.append((name, "true" if v is True else "false" if v is False else str(v)))
    return out


def enc(s):
    return urllib.parse.quote(str(s), safe="-_.~")


def form(pairs):
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)


def sha256(s):
    return hashlib.sha256(s.encode()).hexdigest()


def tc3_auth(method, query, content_type, payload, service="ses"):
    date = time.strftime("%Y-%m-%d", time.gmtime(NOW))
    canonical = "\n".join([method, "/", query, f"content-type:{content_type}\nhost:{HOST}\n",
                           "content-type;host", sha256(payload)])
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(NOW), scope, sha256(canonical)])
    k = hmac.new(("TC3" + SECRET_KEY).encode(), date.encode(), hashlib.sha256).digest()
    k = hmac.new(k, service.encode(), hashlib.sha256).digest()
    k = hmac.new(k, b"tc3_request", hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={SECRET_ID}/{scope}, SignedHeaders=content-type;host, Signature={sig}"


def tc3(action, params, method="POST", lang=None):
    ct = "application/json" if method == "POST" else "application/x-www-form-urlencoded"
    body = json.dumps(params, separators=(",", ":"), ensure_ascii=False) if method == "POST" else ""
    query = "" if method == "POST" else form(flatten(params))
    lines = [f"{method} /" + (f"?{query}" if query else ""), f"Host: {HOST}", f"Content-Type: {ct}",
             f"X-TC-Action: {action}", "X-TC-Version: 2020-10-02", "X-TC-Region: ap-guangzhou",
             f"X-TC-Timestamp: {NOW}", f"Authorization: {tc3_auth(method, query, ct, body)}"]
    if lang:
        lines.append(f"X-TC-Language: {lang}")
    return "\n".join(lines) + "\n\n" + body


def v1(action, params, method="POST", sha="HmacSHA256"):
    pairs = flatten(params) + [("Action", action), ("Version", "2020-10-02"), ("Region", "ap-guangzhou"),
                               ("Timestamp", str(NOW)), ("Nonce", "12345"), ("SecretId", SECRET_ID),
                               ("SignatureMethod", sha)]
    joined = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    digest = hashlib.sha256 if sha == "HmacSHA256" else hashlib.sha1
    sig = base64.b64encode(hmac.new(SECRET_KEY.encode(), f"{method}{HOST}/?{joined}".encode(), digest).digest())
    pairs.append(("Signature", sig.decode()))
    if method == "GET":
        return f"GET /?{form(pairs)}\nHost: {HOST}\n\n"
    return f"POST /\nHost: {HOST}\nContent-Type: application/x-www-form-urlencoded\n\n{form(pairs)}"


def requests():
    out = {}
    for key, params in PARAMS.items():
        action = key.split("#")[0]
        name = key.replace("#", "-")
        out[f"tc3-{name}"] = tc3(action, params)
    for action in ("SendEmail", "ListEmailTemplates", "CreateReceiverDetail", "BatchSendEmail"):
        out[f"tc3get-{action}"] = tc3(action, PARAMS[action], method="GET")
        out[f"v1post-{action}"] = v1(action, PARAMS[action])
        out[f"v1get-{action}"] = v1(action, PARAMS[action], method="GET", sha="HmacSHA1")
    out["tc3-en-US"] = tc3("GetEmailTemplate", {"TemplateID": 1}, lang="en-US")
    out["truncated-json"] = tc3("ListEmailTemplates", PARAMS["ListEmailTemplates"])[:-5]
    out["nested-json"] = tc3("ListEmailTemplates", {}).rstrip("{}") + "[" * 50 + "]" * 50
    out["form-tc3"] = (f"POST /\nHost: {HOST}\nContent-Type: application/x-www-form-urlencoded\n"
                       "X-TC-Action: SendEmail\nX-TC-Version: 2020-10-02\nX-TC-Region: ap-guangzhou\n\n"
                       "Destination.0=a%40b.c&Template.TemplateID=1&Attachments.0.FileName=x")
    out["multipart"] = f"POST /\nHost: {HOST}\nContent-Type: multipart/form-data; boundary=x\nX-TC-Action: A\n\n"
    out["nul-escape"] = f"GET /?Action=SendEmail&Subject=a%00b\nHost: {HOST}\n\n"
    return out


def http_seeds():
    return {k: v.encode() for k, v in requests().items()}


def render_seeds():
    parts = [
        ("Hi {{name}}", "<p>{{ name }} {{code}}</p>", "{{name}}", '{"name":"Bob","code":1234}'),
        ("{{{a}}}", "{{", "}}{{b.c-d_e}}", '{"a":"x","b.c-d_e":1.5}'),
        ("{{x}}", "", "", '{"x":"<script>alert(1)</script>\\r\\nBcc: y@z"}'),
        ("{{missing}}", "", "", "{}"),
        ("", "", "", '{"unused":"v"}'),
        ("{{n}}", "", "", '{"n":[1,2]}'),
        ("{{n}}", "", "", '{"n":1e308}'),
        ("{{n}}", "", "", "[1]"),
    ]
    return {f"seed-{i}": "\0".join(p).encode() for i, p in enumerate(parts)}


def mime_seeds():
    fields = [
        ["noreply@example.com", "Example", "", "to@example.net,b@example.net", "cc@example.net",
         "reply@example.net", "Hello", "text body", "<p>html</p>", "a.txt\nb.pdf", "\napplication/pdf",
         "id@example.com", '{"X-Tag":"v"}', "http://127.0.0.1/u", "1700000000", "attachment bytes"],
        ["noreply@example.com", "名字", "Name <noreply@example.com>", "to@example.net", "", "",
         "主题 subject\r\nBcc: evil@x", "", "<p>only html</p>", "文件.txt", "", "", '{"X-A":"\\r\\nX-B: c"}', "",
         "0", ""],
        ["a@b.c", "Evil\r\nX-Injected: 1", "", "to@example.net", "", "", "s", "t", "", "../../etc/passwd", "",
         "", '{"Bad Name":"v","X-Ok":"\\u00e9t\\u00e9"}', "", "1", "x"],
    ]
    return {f"seed-{i}": "\0".join(f).encode() for i, f in enumerate(fields)}


MESSAGE = ("Date: Wed, 15 Nov 2023 06:13:20 +0800\r\nFrom: =?UTF-8?B?5ZCN5a2X?= <a@b.c>\r\nTo: x@y.z\r\n"
           "Subject: =?UTF-8?Q?caf=C3=A9?= and\r\n =?ISO-8859-1?Q?caf=E9?=\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"=_b1\"\r\n\r\n--=_b1\r\n"
           "Content-Type: multipart/alternative; boundary=\"=_b2\"\r\n\r\n--=_b2\r\n"
           "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
           "caf=C3=A9 =\r\nsoft\r\n--=_b2\r\nContent-Type: text/html; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\nPHA+aGk8L3A+\r\n--=_b2--\r\n--=_b1\r\n"
           "Content-Type: application/pdf; name=\"=?UTF-8?B?5paH5Lu2LnBkZg==?=\"\r\n"
           "Content-Disposition: attachment; filename*0*=UTF-8''%E6%96%87; filename*1=\".pdf\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--=_b1--\r\n")


def mime_read_seeds():
    return {
        "seed-multipart": MESSAGE.encode(),
        "seed-plain": b"Subject: hi\r\n\r\nbody\r\n",
        "seed-lf-only": MESSAGE.replace("\r\n", "\n").encode(),
        "seed-nul": b"Subject: a\x00b\r\nContent-Type: text/plain\r\n\r\nx\x00y",
        "seed-deep": ("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n" * 30).encode(),
        "seed-latin1": b"Content-Type: text/plain; charset=latin1\r\n\r\ncaf\xe9\r\n",
    }


def fixture_seeds():
    default = open(os.path.join(HERE, "..", "..", "fixtures", "default.json"), "rb").read()
    full = {"accounts": [{"app_id": 1300000999, "uin": "100000000999", "allow_simple": False,
                          "credentials": [{"secret_id": "AKIDTESTACCOUNT0000000", "secret_key": "k"}],
                          "identities": [{"domain": "example.org", "verified": False}],
                          "senders": [{"address": "s@example.org", "name": "S"}],
                          "templates": [{"name": "t", "html": "<p>{{a}}</p>", "status": "pending"}],
                          "receivers": [{"name": "r", "members": [{"email": "m@example.net",
                                                                   "data": {"name": "M"}}]}]}]}
    return {
        "seed-default": default,
        "seed-full": json.dumps(full).encode(),
        "seed-bad-type": b'{"accounts":[{"app_id":"x"}]}',
        "seed-empty": b'{"accounts":[]}',
        "seed-not-json": b"{accounts",
    }


def http_dict():
    """libFuzzer dictionary of the request targets: names the fuzzer would not guess."""
    spec = json.load(open(os.path.join(HERE, "..", "..", "server", "api", "ses_api.json"), encoding="utf-8"))
    words = set(spec["actions"])
    for action in spec["actions"].values():
        words.update(f["name"] for f in action["input"])
    for fields in spec["structures"].values():
        words.update(f["name"] for f in fields)
    words.update(["X-TC-Action", "X-TC-Version", "X-TC-Region", "X-TC-Timestamp", "X-TC-Language",
                  "X-TC-Token", "X-TC-Content-SHA256", "UNSIGNED-PAYLOAD", "Authorization", "Content-Type",
                  "application/json", "application/x-www-form-urlencoded", "multipart/form-data", "Host",
                  "TC3-HMAC-SHA256", "Credential=", "SignedHeaders=", "Signature=", "tc3_request",
                  "content-type;host", "HmacSHA1", "HmacSHA256", "SignatureMethod", "SecretId", "Nonce",
                  "Timestamp", "Action", "Version", "Region", "2020-10-02", "ap-guangzhou", "en-US", "zh-CN",
                  "\\u0000", "%00", "%FF", "{{", "}}", "\n~~~\n"])
    return dict_text(sorted(words))


def mime_dict():
    words = ["\r\n", "=?UTF-8?B?", "=?UTF-8?Q?", "?=", "boundary=", "Content-Type", "Content-Disposition",
             "Content-Transfer-Encoding", "multipart/mixed", "multipart/alternative", "text/plain", "text/html",
             "base64", "quoted-printable", "attachment", "filename*=UTF-8''", "filename*0*=", "name=", "charset=",
             "iso-8859-1", "Subject:", "From:", "To:", "Bcc:", "--"]
    return dict_text(words)


def dict_text(words):
    """One libFuzzer dictionary entry a line, quoted; backslash, quote and other bytes escaped."""
    def escape(word):
        out = []
        for b in word.encode():
            c = chr(b)
            out.append("\\" + c if c in '\\"' else c if " " <= c <= "~" else "\\x%02X" % b)
        return "".join(out)
    return "".join('"%s"\n' % escape(w) for w in words).encode()


def write_dicts():
    d = os.path.join(HERE, "dict")
    os.makedirs(d, exist_ok=True)
    for target in ("protocol", "auth", "api"):
        with open(os.path.join(d, f"{target}.dict"), "wb") as f:
            f.write(http_dict())
    for target in ("mime", "mime_read"):
        with open(os.path.join(d, f"{target}.dict"), "wb") as f:
            f.write(mime_dict())


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if name.startswith("seed-"):
            os.remove(os.path.join(d, name))
    for name, data in seeds.items():
        with open(os.path.join(d, name if name.startswith("seed-") else "seed-" + name), "wb") as f:
            f.write(data)


def main():
    http = http_seeds()
    write("protocol", http)
    write("auth", {k: v for k, v in http.items() if k.startswith(("tc3", "v1", "form"))})
    api = dict(http)
    sep = "\n~~~\n"
    api["chain-receiver"] = sep.join([
        tc3("CreateReceiver", {"ReceiversName": "g2", "Desc": "d"}),
        tc3("CreateReceiverDetailWithData", {"ReceiverId": 2, "Datas": [
            {"Email": "x@example.net", "TemplateData": "{\"name\":\"X\"}"}]}),
        tc3("BatchSendEmail", {"FromEmailAddress": "noreply@example.com", "ReceiverId": 2, "Subject": "S",
                               "TaskType": 1, "Template": {"TemplateID": 1, "TemplateData": "{}"}}),
        tc3("ListSendTasks", {"Offset": 0, "Limit": 10}),
    ]).encode()
    api["chain-template"] = sep.join([
        tc3("CreateEmailTemplate", PARAMS["CreateEmailTemplate"]),
        tc3("SendEmail", {"FromEmailAddress": "noreply@example.com", "Destination": ["t@example.net"],
                          "Subject": "x", "Template": {"TemplateID": 2, "TemplateData": "{\"a\":\"<b>\"}"}}),
        tc3("DeleteEmailTemplate", {"TemplateID": 2}),
    ]).encode()
    write("api", api)
    write("render", render_seeds())
    write("mime", mime_seeds())
    write("mime_read", mime_read_seeds())
    write("fixtures", fixture_seeds())
    write_dicts()


if __name__ == "__main__":
    main()
