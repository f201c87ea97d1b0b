package io.entwine.deploy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.entwine.registry.DeviceTypeCatalog;
import io.entwine.registry.Organization;
import io.entwine.twin.TwinCommand;
import org.junit.jupiter.api.Test;

/**
 * The protocol edges (HTTP, MQTT, integrations) reach the twins and organizations only through the
 * typed methods of {@code io.entwine.ingress.TwinGateway} and its request classes, which alone
 * build the entities' commands (docs/adr/0046): an edge class that constructs one, by {@code new}
 * or a constructor reference, fails the build.
 */
class EdgesBuildNoEntityCommandsTest {
  static final String[] EDGE_PACKAGES = {
    "io.entwine.http..", "io.entwine.mqtt..", "io.entwine.integration.."
  };

  static final ArchRule EDGES_BUILD_NO_ENTITY_COMMANDS =
      noClasses()
          .that()
          .resideInAnyPackage(EDGE_PACKAGES)
          .should()
          .accessTargetWhere(constructorOfAnEntityCommand())
          .because("only TwinGateway's request classes build twin and organization commands");

  @Test
  void noEdgeClassConstructsATwinOrOrganizationCommand() {
    JavaClasses main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.entwine");
    assertTrue(
        main.contain("io.entwine.http.hono.HonoRoutes"),
        "the edges' classes are on the test classpath");
    EDGES_BUILD_NO_ENTITY_COMMANDS.check(main);
  }

  @Test
  void theRuleCatchesAnEdgeThatBuildsACommand() {
    JavaClasses violating =
        new ClassFileImporter().importClasses(io.entwine.mqtt.BuildsATwinCommand.class);
    assertFalse(EDGES_BUILD_NO_ENTITY_COMMANDS.evaluate(violating).getFailureReport().isEmpty());
  }

  private static DescribedPredicate<JavaAccess<?>> constructorOfAnEntityCommand() {
    return new DescribedPredicate<>("a constructor of a twin or organization command") {
      @Override
      public boolean test(JavaAccess<?> access) {
        AccessTarget target = access.getTarget();
        boolean constructor =
            target instanceof AccessTarget.ConstructorCallTarget
                || target instanceof AccessTarget.ConstructorReferenceTarget;
        JavaClass owner = access.getTargetOwner();
        return constructor
            && (owner.isAssignableTo(TwinCommand.class)
                || owner.isAssignableTo(Organization.Command.class)
                || owner.isAssignableTo(DeviceTypeCatalog.Command.class));
      }
    };
  }
}
