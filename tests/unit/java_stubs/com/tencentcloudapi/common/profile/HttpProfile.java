package com.tencentcloudapi.common.profile;

/** Stub: signatures of tencentcloud-sdk-java 3.1. */
public class HttpProfile {
    public static final String REQ_HTTPS = "https://";
    public static final String REQ_HTTP = "http://";

    public void setEndpoint(String endpoint) {}

    public void setProtocol(String protocol) {}
}
