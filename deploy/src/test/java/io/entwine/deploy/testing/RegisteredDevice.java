package io.entwine.deploy.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link Fixtures.Device} field that the class's {@link TestNode} fills before each test
 * with a device registered in the test's {@link NewOrganization}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface RegisteredDevice {
  String type();

  String id();
}
