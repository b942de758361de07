package com.tencentcloudapi.common.profile;

/** Stub: signatures of tencentcloud-sdk-java 3.1. */
public class ClientProfile {
    public void setHttpProfile(HttpProfile httpProfile) {}
}
