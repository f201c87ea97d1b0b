package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.entwine.deploy.EntwineNode;
import org.junit.jupiter.api.Test;

/**
 * The management port answers metrics and cluster membership without authentication, so by default
 * it listens where the cluster does, not on every interface (defect 14).
 */
class ManagementBindingTest {
  private static final String BIND = "pekko.management.http.bind-hostname";

  @Test
  void managementListensOnTheClusterAddressByDefault() {
    Config config =
        EntwineNode.config(ConfigFactory.parseString("entwine.cluster.host = 10.9.8.7"));

    assertEquals("10.9.8.7", config.getString(BIND));
    assertEquals("10.9.8.7", config.getString("pekko.management.http.hostname"));
  }

  @Test
  void theManagementInterfaceCanBeChosen() {
    Config config =
        EntwineNode.config(
            ConfigFactory.parseString(
                "entwine.cluster.host = 10.9.8.7\nentwine.management.interface = 0.0.0.0"));

    assertEquals("0.0.0.0", config.getString(BIND));
    assertEquals("10.9.8.7", config.getString("pekko.management.http.hostname"));
  }
}
