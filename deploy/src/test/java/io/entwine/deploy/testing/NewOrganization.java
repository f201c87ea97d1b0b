package io.entwine.deploy.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link Fixtures.ApiKey} field that the class's {@link TestNode} fills before each test
 * with a new organization and an API key of it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface NewOrganization {}
