package com.tencentcloudapi.common.exception;

/** Stub: signatures of tencentcloud-sdk-java 3.1. */
public class TencentCloudSDKException extends Exception {
    private static final long serialVersionUID = 1L;

    public TencentCloudSDKException(String message, String requestId, String errorCode) {
        super(message);
    }

    public String getRequestId() {
        return null;
    }

    public String getErrorCode() {
        return null;
    }
}
