<?php
// Send one email through ses-emulator with the PHP SDK.
//
// Written for tencentcloud-sdk-php 3.0 (composer require tencentcloud/ses, or the whole
// tencentcloud/tencentcloud-sdk-php), PHP 7.2 or later. Run: php php_send.php
//
// The change from a cloud set-up: $httpProfile->setProtocol(HttpProfile::$REQ_HTTP) and
// $httpProfile->setEndpoint("127.0.0.1:4590") (the SDK's default is
// https://ses.tencentcloudapi.com).

require_once __DIR__ . '/vendor/autoload.php';

use TencentCloud\Common\Credential;
use TencentCloud\Common\Exception\TencentCloudSDKException;
use TencentCloud\Common\Profile\ClientProfile;
use TencentCloud\Common\Profile\HttpProfile;
use TencentCloud\Ses\V20201002\Models\SendEmailRequest;
use TencentCloud\Ses\V20201002\SesClient;

$endpoint = getenv('SES_ENDPOINT') ?: '127.0.0.1:4590';
$credential = new Credential('AKIDLOCALSESEMULATOR', 'local-ses-emulator-secret-key');
$httpProfile = new HttpProfile();
$httpProfile->setProtocol(HttpProfile::$REQ_HTTP);
$httpProfile->setEndpoint($endpoint);
$clientProfile = new ClientProfile();
$clientProfile->setHttpProfile($httpProfile);
$client = new SesClient($credential, 'ap-guangzhou', $clientProfile);

$request = new SendEmailRequest();
$request->fromJsonString(json_encode([
    'FromEmailAddress' => 'Example <noreply@example.com>',
    'Destination' => ['user@example.net'],
    'Subject' => 'Hello from PHP',
    'Template' => ['TemplateID' => 1, 'TemplateData' => json_encode(['name' => 'Ann'])],
]));

try {
    $response = $client->SendEmail($request);
    echo 'MessageId ', $response->getMessageId(), "\n";
} catch (TencentCloudSDKException $e) {
    // API errors carry the documented code: getErrorCode(), getMessage(), getRequestId()
    fwrite(STDERR, 'error ' . $e->getErrorCode() . ' ' . $e->getMessage() . "\n");
    exit(1);
}
