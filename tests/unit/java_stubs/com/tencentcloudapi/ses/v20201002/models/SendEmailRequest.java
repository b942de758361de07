package com.tencentcloudapi.ses.v20201002.models;

/** Stub: signatures of tencentcloud-sdk-java 3.1. */
public class SendEmailRequest {
    public void setFromEmailAddress(String FromEmailAddress) {}

    public void setDestination(String[] Destination) {}

    public void setSubject(String Subject) {}

    public void setTemplate(Template Template) {}
}
