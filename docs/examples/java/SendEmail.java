// Send one email through ses-emulator with the Java SDK.
//
// Written for tencentcloud-sdk-java 3.1 (Maven com.tencentcloudapi:tencentcloud-sdk-java-ses,
// or the whole com.tencentcloudapi:tencentcloud-sdk-java), Java 8 or later. Run with the SDK
// jars on the class path: java SendEmail.java
//
// The change from a cloud set-up: httpProfile.setProtocol(HttpProfile.REQ_HTTP) and
// httpProfile.setEndpoint("127.0.0.1:4590") (the SDK's default is
// https://ses.tencentcloudapi.com).

import com.tencentcloudapi.common.Credential;
import com.tencentcloudapi.common.exception.TencentCloudSDKException;
import com.tencentcloudapi.common.profile.ClientProfile;
import com.tencentcloudapi.common.profile.HttpProfile;
import com.tencentcloudapi.ses.v20201002.SesClient;
import com.tencentcloudapi.ses.v20201002.models.SendEmailRequest;
import com.tencentcloudapi.ses.v20201002.models.SendEmailResponse;
import com.tencentcloudapi.ses.v20201002.models.Template;

public class SendEmail {
    public static void main(String[] args) {
        String endpoint = System.getenv("SES_ENDPOINT");
        if (endpoint == null || endpoint.isEmpty()) {
            endpoint = "127.0.0.1:4590";
        }
        Credential credential = new Credential("AKIDLOCALSESEMULATOR", "local-ses-emulator-secret-key");
        HttpProfile httpProfile = new HttpProfile();
        httpProfile.setProtocol(HttpProfile.REQ_HTTP);
        httpProfile.setEndpoint(endpoint);
        ClientProfile clientProfile = new ClientProfile();
        clientProfile.setHttpProfile(httpProfile);
        SesClient client = new SesClient(credential, "ap-guangzhou", clientProfile);

        Template template = new Template();
        template.setTemplateID(1L);
        template.setTemplateData("{\"name\":\"Ann\"}");
        SendEmailRequest request = new SendEmailRequest();
        request.setFromEmailAddress("Example <noreply@example.com>");
        request.setDestination(new String[] {"user@example.net"});
        request.setSubject("Hello from Java");
        request.setTemplate(template);

        try {
            SendEmailResponse response = client.SendEmail(request);
            System.out.println("MessageId " + response.getMessageId());
        } catch (TencentCloudSDKException e) {
            // API errors carry the documented code: getErrorCode(), getMessage(), getRequestId()
            System.err.println("error " + e.getErrorCode() + " " + e.getMessage());
            System.exit(1);
        }
    }
}
