package com.tencentcloudapi.ses.v20201002;

import com.tencentcloudapi.common.Credential;
import com.tencentcloudapi.common.exception.TencentCloudSDKException;
import com.tencentcloudapi.common.profile.ClientProfile;
import com.tencentcloudapi.ses.v20201002.models.SendEmailRequest;
import com.tencentcloudapi.ses.v20201002.models.SendEmailResponse;

/** Stub: signatures of tencentcloud-sdk-java 3.1. */
public class SesClient {
    public SesClient(Credential credential, String region, ClientProfile profile) {}

    public SendEmailResponse SendEmail(SendEmailRequest req) throws TencentCloudSDKException {
        return null;
    }
}
