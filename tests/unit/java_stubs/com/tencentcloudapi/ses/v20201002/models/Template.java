package com.tencentcloudapi.ses.v20201002.models;

/** Stub: signatures of tencentcloud-sdk-java 3.1. */
public class Template {
    public void setTemplateID(Long TemplateID) {}

    public void setTemplateData(String TemplateData) {}
}
