// Send one email through ses-emulator with the Go SDK.
//
// Written for tencentcloud-sdk-go v1.3 (the modules
// github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common and .../tencentcloud/ses),
// Go 1.19 or later. Run:
//
//	go mod init example && go mod tidy && go run .
//
// The change from a cloud set-up: cpf.HttpProfile.Scheme = "HTTP" and
// cpf.HttpProfile.Endpoint = "127.0.0.1:4590" (the SDK's default is
// https://ses.tencentcloudapi.com). Put no scheme in Endpoint: the SDK reads everything
// after the first "/" as the request path.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	ses "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/ses/v20201002"
)

func main() {
	endpoint := os.Getenv("SES_ENDPOINT")
	if endpoint == "" {
		endpoint = "127.0.0.1:4590"
	}
	credential := common.NewCredential("AKIDLOCALSESEMULATOR", "local-ses-emulator-secret-key")
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Scheme = "HTTP"
	cpf.HttpProfile.Endpoint = endpoint
	client, err := ses.NewClient(credential, "ap-guangzhou", cpf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}

	data, _ := json.Marshal(map[string]string{"name": "Ann"})
	request := ses.NewSendEmailRequest()
	request.FromEmailAddress = common.StringPtr("Example <noreply@example.com>")
	request.Destination = common.StringPtrs([]string{"user@example.net"})
	request.Subject = common.StringPtr("Hello from Go")
	request.Template = &ses.Template{
		TemplateID:   common.Uint64Ptr(1),
		TemplateData: common.StringPtr(string(data)),
	}

	response, err := client.SendEmail(request)
	if sdkErr, ok := err.(*errors.TencentCloudSDKError); ok {
		// API errors carry the documented code: GetCode(), GetMessage(), GetRequestId()
		fmt.Fprintln(os.Stderr, "error", sdkErr.GetCode(), sdkErr.GetMessage())
		os.Exit(1)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "error", err)
		os.Exit(1)
	}
	fmt.Println("MessageId", *response.Response.MessageId)
}
