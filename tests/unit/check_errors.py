#!/usr/bin/env python3
"""Focus: the error catalogue (server/api/errors.json) and the generated docs.

Fails (exit status 1, one line per problem) when:
  - the catalogue does not hold exactly the documented codes: the 100 SES
    codes (each listed for at least one action) and the 38 Tencent Cloud
    API 3.0 common codes (flagged "common"); 13 codes are in both lists, so
    the catalogue has 125 entries;
  - a code lacks its en-US or zh-CN message, a zh-CN message has no Chinese
    text, a message contains '%' (messages are never format strings), or a
    message does not end with its sentence stop ('.' or the ideographic
    full stop);
  - docs/api-coverage.md differs from what `gen_api.py --docs` produces now
    (regenerate it with the command printed on failure).

The code lists below pin the documented codes (SPEC section 6: the Go SDK's
errors.go and the common error table); the repository never reads ../shared.

Usage: check_errors.py [REPO_ROOT]   (default: two levels above this file)
"""

import difflib
import json
import os
import re
import subprocess
import sys

# The SES product codes (errors.tsv).
SES_CODES = {
    'AuthFailure.UnauthorizedOperation', 'FailedOperation',
    'FailedOperation.AttachContentToolarge', 'FailedOperation.DKIMNotApplied',
    'FailedOperation.EmailAddrInBlacklist', 'FailedOperation.EmailContentToolarge',
    'FailedOperation.ExceedSendLimit', 'FailedOperation.ExceedTemplateLimit',
    'FailedOperation.FileURLNotExist', 'FailedOperation.FrequencyLimit',
    'FailedOperation.HighRejectionRate', 'FailedOperation.IllegalURL',
    'FailedOperation.IncorrectEmail', 'FailedOperation.IncorrectSender',
    'FailedOperation.InsufficientBalance', 'FailedOperation.InsufficientQuota',
    'FailedOperation.InvalidAttachName', 'FailedOperation.InvalidLimit',
    'FailedOperation.InvalidTemplateID', 'FailedOperation.MissingEmailContent',
    'FailedOperation.NoAttachPermission', 'FailedOperation.NotAuthenticatedSender',
    'FailedOperation.NotSupportDate', 'FailedOperation.ProtocolCheckErr',
    'FailedOperation.ReceiverHasUnsubscribed', 'FailedOperation.RejectedByRecipients',
    'FailedOperation.SendEmailErr', 'FailedOperation.ServiceNotAvailable',
    'FailedOperation.TemplateContentToolarge', 'FailedOperation.TemporaryBlocked',
    'FailedOperation.TooManyAttachments', 'FailedOperation.TooManyRecipients',
    'FailedOperation.URLForbidden', 'FailedOperation.UnsupportMailType',
    'FailedOperation.WithOutPermission', 'FailedOperation.WrongContentJson', 'InternalError',
    'InternalError.QueryDataBaseFailed', 'InvalidParameter', 'InvalidParameter.AppIdIsRequired',
    'InvalidParameter.InvalidEndTimeFormat', 'InvalidParameter.InvalidStartTimeFormat',
    'InvalidParameterValue', 'InvalidParameterValue.AttachContentIsWrong',
    'InvalidParameterValue.BeginTimeBeforeNow', 'InvalidParameterValue.CreatedByOther',
    'InvalidParameterValue.EmailAddressIsNULL', 'InvalidParameterValue.EmailContentIsWrong',
    'InvalidParameterValue.IllegalEmailAddress', 'InvalidParameterValue.IllegalSenderName',
    'InvalidParameterValue.InValidTemplateData', 'InvalidParameterValue.InvalidEmailIdentity',
    'InvalidParameterValue.InvalidSmtpPassWord', 'InvalidParameterValue.NoSuchSender',
    'InvalidParameterValue.NotExistDomain', 'InvalidParameterValue.ReceiverDescIllegal',
    'InvalidParameterValue.ReceiverEmailInvalid', 'InvalidParameterValue.ReceiverNameIllegal',
    'InvalidParameterValue.RepeatCreation', 'InvalidParameterValue.RepeatEmailAddress',
    'InvalidParameterValue.RepeatReceiverName', 'InvalidParameterValue.SubjectLengthError',
    'InvalidParameterValue.TemplateContentIsNULL', 'InvalidParameterValue.TemplateContentIsWrong',
    'InvalidParameterValue.TemplateDataError', 'InvalidParameterValue.TemplateDataInconsistent',
    'InvalidParameterValue.TemplateDataLenLimit', 'InvalidParameterValue.TemplateNameIllegal',
    'InvalidParameterValue.TemplateNameIsNULL', 'InvalidParameterValue.TemplateNotExist',
    'InvalidParameterValue.TemplateNotMatchData', 'InvalidParameterValue.WrongDate',
    'LimitExceeded', 'LimitExceeded.ExceedReceiverLimit', 'LimitExceeded.ReceiverDetailCountLimit',
    'LimitExceeded.ReceiverDetailRequestLimit', 'MissingParameter',
    'MissingParameter.CycleParamNecessary', 'MissingParameter.EmailsNecessary',
    'MissingParameter.ReceiverIdNecessary', 'MissingParameter.SendParamNecessary',
    'MissingParameter.TimedParamNecessary', 'OperationDenied', 'OperationDenied.DomainNotVerified',
    'OperationDenied.ExceedDomainLimit', 'OperationDenied.ExceedSenderLimit',
    'OperationDenied.NotAllowDelete', 'OperationDenied.ReceiverIsOperating',
    'OperationDenied.ReceiverNotExist', 'OperationDenied.ReceiverStatusError',
    'OperationDenied.RepeatPassWord', 'OperationDenied.SendAddressStatusError',
    'OperationDenied.SenderWithDomainIsNotEmpty', 'OperationDenied.TemplateStatusError',
    'RequestLimitExceeded', 'ResourceInsufficient', 'ResourceNotFound', 'ResourceUnavailable',
    'UnknownParameter', 'UnsupportedOperation',
}

# The Tencent Cloud API 3.0 common codes (common-errors.tsv).
COMMON_CODES = {
    'ActionOffline', 'AuthFailure.InvalidAuthorization', 'AuthFailure.InvalidSecretId',
    'AuthFailure.MFAFailure', 'AuthFailure.SecretIdNotFound', 'AuthFailure.SignatureExpire',
    'AuthFailure.SignatureFailure', 'AuthFailure.TokenFailure',
    'AuthFailure.UnauthorizedOperation', 'DryRunOperation', 'FailedOperation', 'InternalError',
    'InvalidAction', 'InvalidParameter', 'InvalidParameterValue', 'InvalidRequest',
    'IpInBlacklist', 'IpNotInWhitelist', 'LimitExceeded', 'MissingParameter', 'NoSuchProduct',
    'NoSuchVersion', 'RequestLimitExceeded', 'RequestLimitExceeded.GlobalRegionUinLimitExceeded',
    'RequestLimitExceeded.IPLimitExceeded', 'RequestLimitExceeded.UinLimitExceeded',
    'RequestSizeLimitExceeded', 'ResourceInUse', 'ResourceInsufficient', 'ResourceNotFound',
    'ResourceUnavailable', 'ResponseSizeLimitExceeded', 'ServiceUnavailable',
    'UnauthorizedOperation', 'UnknownParameter', 'UnsupportedOperation', 'UnsupportedProtocol',
    'UnsupportedRegion',
}


CJK = re.compile('[\u3400-\u9fff]')


def check_catalogue(errors):
    problems = []
    if not isinstance(errors, list):
        return ['errors.json: top level is not a list']
    seen = set()
    for entry in errors:
        code = entry.get('code') if isinstance(entry, dict) else None
        if not isinstance(code, str):
            problems.append('entry without a code: %r' % (entry,))
            continue
        if code in seen:
            problems.append('%s: listed twice' % code)
        seen.add(code)
        for lang, stop in (('en', '.'), ('zh', '\u3002')):
            text = entry.get(lang)
            if not isinstance(text, str) or not text.strip():
                problems.append('%s: no %s message' % (code, lang))
                continue
            if '%' in text:
                problems.append('%s: %s message contains a percent sign' % (code, lang))
            if not text.endswith(stop):
                problems.append('%s: %s message does not end with %r' % (code, lang, stop))
        if isinstance(entry.get('zh'), str) and not CJK.search(entry['zh']):
            problems.append('%s: zh message has no Chinese characters' % code)
        if entry.get('common') is not (code in COMMON_CODES):
            problems.append('%s: common should be %s' % (code, code in COMMON_CODES))
        actions = entry.get('actions')
        if not isinstance(actions, list):
            problems.append('%s: actions is not a list' % code)
        elif code in SES_CODES and not actions:
            problems.append('%s: an SES code must list its actions' % code)
        elif code not in SES_CODES and actions:
            problems.append('%s: a common-only code lists no actions' % code)
    expected = SES_CODES | COMMON_CODES
    for code in sorted(expected - seen):
        problems.append('%s: missing from errors.json' % code)
    for code in sorted(seen - expected):
        problems.append('%s: not a documented code' % code)
    return problems


def check_docs(root):
    api_dir = os.path.join(root, 'server', 'api')
    docs = os.path.join(root, 'docs', 'api-coverage.md')
    cmd = [sys.executable, os.path.join(api_dir, 'gen_api.py'),
           os.path.join(api_dir, 'ses_api.json'), os.path.join(api_dir, 'errors.json'),
           '--docs', '-']
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if run.returncode != 0:
        return ['gen_api.py --docs failed: %s' % run.stderr.decode('utf-8', 'replace').strip()]
    want = run.stdout.decode('utf-8')
    try:
        with open(docs, encoding='utf-8') as fp:
            have = fp.read()
    except OSError as exc:
        return ['docs/api-coverage.md: %s' % exc]
    if have == want:
        return []
    diff = difflib.unified_diff(have.splitlines(), want.splitlines(),
                                'docs/api-coverage.md', 'gen_api.py --docs', lineterm='', n=1)
    return ['docs/api-coverage.md is stale; regenerate it with: python3 server/api/gen_api.py '
            'server/api/ses_api.json server/api/errors.json --docs docs/api-coverage.md'] + \
        ['  ' + line for line in list(diff)[:40]]


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       '..', '..')
    assert len(SES_CODES) == 100 and len(COMMON_CODES) == 38
    path = os.path.join(root, 'server', 'api', 'errors.json')
    try:
        with open(path, encoding='utf-8') as fp:
            errors = json.load(fp)
    except (OSError, ValueError) as exc:
        print('FAIL errors.json: %s' % exc)
        return 1
    problems = check_catalogue(errors) + check_docs(root)
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        return 1
    print('ok: %d codes, docs/api-coverage.md up to date' % len(errors))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
