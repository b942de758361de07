// Send one email through ses-emulator with the China-site Node.js SDK.
// Written for tencentcloud-sdk-nodejs-ses 4.1.76 (npm install tencentcloud-sdk-nodejs-ses),
// Node.js 20. Run: node node-china.js
//
// The two changes from a cloud set-up: endpoint "127.0.0.1:4590" and protocol "http://"
// (the SDK's default is https://ses.tencentcloudapi.com). Unset http_proxy: the SDK
// sends every request through it, loopback included.
const { ses } = require("tencentcloud-sdk-nodejs-ses");

const client = new ses.v20201002.Client({
  credential: { secretId: "AKIDLOCALSESEMULATOR", secretKey: "local-ses-emulator-secret-key" },
  region: "ap-guangzhou",
  profile: {
    httpProfile: { endpoint: process.env.SES_ENDPOINT || "127.0.0.1:4590", protocol: "http://" },
  },
});

async function main() {
  const sent = await client.SendEmail({
    FromEmailAddress: "Example <noreply@example.com>",
    Destination: ["user@example.net"],
    Subject: "Hello from Node.js",
    Template: { TemplateID: 1, TemplateData: JSON.stringify({ name: "Ann" }) },
  });
  console.log("MessageId", sent.MessageId);
}

main().catch((err) => {
  // API errors carry the documented code: err.code, err.message, err.requestId
  console.error("error", err.code, err.message);
  process.exit(1);
});
