package io.entwine.deploy.http;

import com.ibm.wiotp.sdk.swagger.ApiException;
import com.ibm.wiotp.sdk.swagger.api.DeviceBulkConfigurationApi;
import com.ibm.wiotp.sdk.swagger.api.DeviceConfigurationApi;
import com.ibm.wiotp.sdk.swagger.model.DeviceListResponse;
import java.math.BigDecimal;

/**
 * IBM's Java SDK device lists as the ITs call them. The SDK's list calls take one argument per
 * filter IBM's v0002 API documents (twenty-one), nearly all null here; the ITs name only the
 * bookmark, the page size and the deviceInfo manufacturer and model. An SDK error fails the test
 * with IBM's status and body.
 */
final class IbmSdkLists {
  private IbmSdkLists() {}

  /** {@code GET /device/types/{type}/devices}; null for what is not asked. */
  static DeviceListResponse typeDevices(
      DeviceConfigurationApi devices,
      String type,
      Integer limit,
      String manufacturer,
      String model) {
    try {
      return devices.deviceTypesTypeIdDevicesGet(
          type,
          null,
          limitOf(limit),
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          manufacturer,
          model);
    } catch (ApiException e) {
      throw new AssertionError(e.getCode() + " " + e.getResponseBody(), e);
    }
  }

  /** {@code GET /bulk/devices}; null for what is not asked. */
  static DeviceListResponse bulkDevices(
      DeviceBulkConfigurationApi bulk,
      String bookmark,
      Integer limit,
      String manufacturer,
      String model) {
    try {
      return bulk.bulkDevicesGet(
          bookmark,
          limitOf(limit),
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          manufacturer,
          model);
    } catch (ApiException e) {
      throw new AssertionError(e.getCode() + " " + e.getResponseBody(), e);
    }
  }

  private static BigDecimal limitOf(Integer limit) {
    return limit == null ? null : BigDecimal.valueOf(limit);
  }
}
