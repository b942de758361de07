package com.tencentcloudapi.ses.v20201002.models;

/** Stub: signatures of tencentcloud-sdk-java 3.1. */
public class SendEmailResponse {
    public String getMessageId() {
        return null;
    }
}
