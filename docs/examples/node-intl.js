// Send one email through ses-emulator with the international-site Node.js SDK.
// Written for tencentcloud-sdk-nodejs-intl-en 3.0.1335 (npm install tencentcloud-sdk-nodejs-intl-en),
// Node.js 20. Run: node node-intl.js
//
// The change from a cloud set-up: new HttpProfile("http://", "127.0.0.1:4590") (the SDK's
// default is https://ses.intl.tencentcloudapi.com). ClientProfile's first argument picks the
// signature; this SDK's default is v1 HmacSHA256, which the emulator also checks.
const tencentcloud = require("tencentcloud-sdk-nodejs-intl-en");

const { Credential, ClientProfile, HttpProfile } = tencentcloud.common;
const SesClient = tencentcloud.ses.v20201002.Client;
const SendEmailRequest = tencentcloud.ses.v20201002.Models.SendEmailRequest;

const endpoint = process.env.SES_ENDPOINT || "127.0.0.1:4590";
const client = new SesClient(
  new Credential("AKIDLOCALSESEMULATOR", "local-ses-emulator-secret-key"),
  "ap-singapore",
  new ClientProfile("TC3-HMAC-SHA256", new HttpProfile("http://", endpoint)),
);

const req = new SendEmailRequest();
req.deserialize({
  FromEmailAddress: "Example <noreply@example.com>",
  Destination: ["user@example.net"],
  Subject: "Hello from Node.js (international SDK)",
  Template: { TemplateID: 1, TemplateData: JSON.stringify({ name: "Ann" }) },
});

client.SendEmail(req, (err, resp) => {
  if (err) {
    // API errors carry the documented code: err.code, err.message, err.requestId
    console.error("error", err.code, err.message);
    process.exit(1);
  }
  console.log("MessageId", resp.MessageId);
});
