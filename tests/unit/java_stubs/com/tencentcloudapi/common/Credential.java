package com.tencentcloudapi.common;

/** Stub: signature of tencentcloud-sdk-java 3.1. */
public class Credential {
    public Credential(String secretId, String secretKey) {}
}
