package io.entwine.config;

import com.typesafe.config.Config;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;

/**
 * Reads a section of the configuration into a settings record, once at start-up: each component is
 * the key of its name in kebab case ({@code minBackoff} → {@code min-backoff}) unless it names
 * another with {@link Key}. Types: {@code int}, {@code long}, {@code double}, {@code boolean},
 * {@link String}, {@link Duration}, and a record, read from the section of its key alike. A missing
 * or mistyped key fails with the config library's message, which names the key's full path.
 * Typesafe Config's own {@code ConfigBeanFactory} binds only JavaBeans, not records (ADR 0067).
 */
public final class ConfigRecords {
  private ConfigRecords() {}

  /** The key a component is read from when it is not its name in kebab case. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface Key {
    /** A path below the section, {@code retry.min-backoff}. */
    String value();
  }

  /** The record {@code type} from the section {@code path} of {@code root}. */
  public static <R extends Record> R read(Config root, String path, Class<R> type) {
    Config section = root.getConfig(path);
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      values[i] = value(section, keyOf(components[i]), types[i]);
    }
    try {
      return type.getDeclaredConstructor(types).newInstance(values);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          "Settings " + path + " are not valid: " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type.getName() + " cannot be built from settings", e);
    }
  }

  static String keyOf(RecordComponent component) {
    Key key = component.getAnnotation(Key.class);
    return key != null ? key.value() : kebab(component.getName());
  }

  static String kebab(String camel) {
    StringBuilder key = new StringBuilder(camel.length() + 4);
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        key.append('-').append(Character.toLowerCase(c));
      } else {
        key.append(c);
      }
    }
    return key.toString();
  }

  private static Object value(Config section, String key, Class<?> type) {
    if (type == int.class) {
      return section.getInt(key);
    } else if (type == long.class) {
      return section.getLong(key);
    } else if (type == double.class) {
      return section.getDouble(key);
    } else if (type == boolean.class) {
      return section.getBoolean(key);
    } else if (type == String.class) {
      return section.getString(key);
    } else if (type == Duration.class) {
      return section.getDuration(key);
    } else if (type.isRecord()) {
      return read(section, key, type.asSubclass(Record.class));
    }
    throw new IllegalStateException("Settings of type " + type.getName() + " are not supported");
  }
}
