package io.entwine.integration.script;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.mozilla.javascript.BaseFunction;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.NativeJSON;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.json.JsonParser;

/**
 * Runs converter scripts in Rhino with no way out: only the ECMAScript standard objects (no {@code
 * Packages}, {@code java}, {@code importPackage}), a class shutter that hides every Java class,
 * standard objects of its own for every run (nothing one run can reach is seen by another), a
 * wall-clock limit checked by the interpreter's instruction observer and a call-depth limit. See
 * ADRs 0029 and 0039.
 */
final class Sandbox {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Beyond any payload the ingresses accept; bounds what decodeToString allocates. */
  private static final int MAX_DECODED_BYTES = 16 << 20;

  private static final int INSTRUCTIONS_BETWEEN_CHECKS = 10_000;
  private static final String DEADLINE = "entwine.deadline";
  private static final LimitedContextFactory FACTORY = new LimitedContextFactory();

  private Sandbox() {}

  /**
   * Compiles {@code body} as the body of {@code function NAME(PARAMS)}, as ThingsBoard's editor
   * presents converter scripts. Line numbers in messages are those of the body.
   */
  static Script compile(String functionName, String parameters, String body)
      throws ConverterException {
    String source = "function " + functionName + "(" + parameters + ") {\n" + body + "\n}";
    try (Context cx = FACTORY.enterContext()) {
      return cx.compileString(source, functionName, 0, null);
    } catch (EvaluatorException e) {
      throw new ConverterException(ConverterException.Kind.SYNTAX, "SyntaxError: " + describe(e));
    }
  }

  /** Arguments built inside the run's context (JavaScript values belong to a context's scope). */
  interface Arguments {
    Object[] build(Context cx, Scriptable scope) throws ConverterException;
  }

  /**
   * Calls the function the compiled script defines and returns its result as JSON (null for {@code
   * undefined}).
   */
  static JsonNode call(Script compiled, String functionName, ScriptLimits limits, Arguments args)
      throws ConverterException {
    try (Context cx = FACTORY.enterContext()) {
      cx.putThreadLocal(DEADLINE, System.nanoTime() + limits.timeout().toNanos());
      cx.setMaximumInterpreterStackDepth(limits.maxStackDepth());
      try {
        Scriptable scope = freshScope(cx);
        compiled.exec(cx, scope);
        Function function = (Function) scope.get(functionName, scope);
        Object result = function.call(cx, scope, scope, args.build(cx, scope));
        return toJson(cx, scope, result, limits.maxResultChars());
      } catch (JavaScriptException e) {
        // Describing what was thrown may call the script's own toString or getters: that happens
        // here, still in the run's context and under its deadline, never after it.
        throw threw(thrownValue(e) + where(e));
      }
    } catch (TimeLimitExceeded e) {
      throw new ConverterException(
          ConverterException.Kind.TIMEOUT,
          "The script ran longer than " + limits.timeout().toMillis() + " ms and was stopped");
    } catch (EcmaError e) {
      throw threw(e.getName() + ": " + e.getErrorMessage() + where(e));
    } catch (RhinoException e) {
      throw threw("Error: " + describe(e));
    } catch (RuntimeException e) {
      // The engine's own limits surface as plain Java exceptions (a string rope whose length
      // overflows, say): still the script's doing, never the node's.
      throw threw("InternalError: the script exceeded a limit of the engine (" + e + ")");
    } catch (StackOverflowError e) {
      throw threw("RangeError: the script nested calls too deeply");
    } catch (OutOfMemoryError e) {
      // Typically one huge allocation (a string repeated a billion times) that failed outright;
      // the node's other work was not affected by memory that was never handed out.
      throw threw("RangeError: the script tried to allocate more memory than the node has");
    }
  }

  /** A JavaScript object built from string pairs (metadata). */
  static Scriptable object(Context cx, Scriptable scope, Map<String, String> pairs) {
    Scriptable object = cx.newObject(scope);
    pairs.forEach((key, value) -> object.put(key, object, value));
    return object;
  }

  /** Parses JSON into a JavaScript value of the run's scope. */
  static Object parse(Context cx, Scriptable scope, JsonNode value) {
    return parseJson(cx, scope, value.toString());
  }

  private static Object parseJson(Context cx, Scriptable scope, String text) {
    try {
      return new JsonParser(cx, scope).parseValue(text);
    } catch (JsonParser.ParseException e) {
      throw ScriptRuntime.constructError("SyntaxError", "JSON.parse: " + e.getMessage());
    }
  }

  /** A byte array as ThingsBoard hands it to scripts: an array of numbers 0..255. */
  static Scriptable byteArray(Context cx, Scriptable scope, byte[] bytes) {
    Object[] numbers = new Object[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      numbers[i] = bytes[i] & 0xff;
    }
    return cx.newArray(scope, numbers);
  }

  private static JsonNode toJson(Context cx, Scriptable scope, Object result, int maxChars)
      throws ConverterException {
    if (result == null || result instanceof Undefined) {
      return null;
    }
    Object text = NativeJSON.stringify(cx, scope, result, null, null);
    if (!(text instanceof CharSequence json)) {
      return null;
    }
    if (json.length() > maxChars) {
      throw new ConverterException(
          ConverterException.Kind.TOO_LARGE,
          "The script returned " + json.length() + " characters of JSON; at most " + maxChars);
    }
    try {
      return JSON.readTree(json.toString());
    } catch (JsonProcessingException e) {
      throw new ConverterException(
          ConverterException.Kind.WRONG_SHAPE,
          "The script's result is not JSON: " + e.getMessage());
    }
  }

  private static ConverterException threw(String message) {
    return new ConverterException(ConverterException.Kind.THREW, message);
  }

  private static String thrownValue(JavaScriptException e) {
    Object value = e.getValue();
    try {
      if (value instanceof Scriptable error && ScriptableObject.hasProperty(error, "message")) {
        Object name = ScriptableObject.getProperty(error, "name");
        Object message = ScriptableObject.getProperty(error, "message");
        return (name instanceof CharSequence ? name : "Error") + ": " + Context.toString(message);
      }
      return "Uncaught " + Context.toString(value);
    } catch (RuntimeException describing) {
      return "Uncaught exception (describing it threw again)";
    }
  }

  private static String describe(RhinoException e) {
    return e.details() + where(e);
  }

  private static String where(RhinoException e) {
    return e.lineNumber() > 0 ? " (line " + e.lineNumber() + ")" : "";
  }

  /**
   * A new global scope with its own standard objects and helpers for every run: nothing a script
   * can reach (Array.prototype, JSON, the helpers, the global itself) is seen by another run, so
   * neither defineProperty, setPrototypeOf nor Reflect can change or observe another converter's
   * run. Built-ins other than the few core ones load lazily, on first use in the run.
   */
  private static Scriptable freshScope(Context cx) {
    ScriptableObject scope = cx.initSafeStandardObjects(null, false);
    define(scope, new Helper("decodeToString", Sandbox::decodeToString));
    define(scope, new Helper("decodeToJson", Sandbox::decodeToJson));
    return scope;
  }

  private static void define(ScriptableObject scope, Helper helper) {
    helper.setParentScope(scope);
    helper.setPrototype(ScriptableObject.getFunctionPrototype(scope));
    helper.sealObject();
    scope.defineProperty(helper.getFunctionName(), helper, ScriptableObject.READONLY);
  }

  /**
   * ThingsBoard's {@code decodeToString(payload)}; decodes UTF-8 (ThingsBoard's own helper maps
   * each byte to one character, which garbles anything beyond ASCII).
   */
  private static Object decodeToString(Context cx, Scriptable scope, Object[] args) {
    if (args.length == 0 || !(args[0] instanceof Scriptable array)) {
      throw ScriptRuntime.typeError("decodeToString expects the payload, an array of bytes");
    }
    double length = Context.toNumber(ScriptableObject.getProperty(array, "length"));
    if (!(length >= 0 && length <= MAX_DECODED_BYTES)) {
      throw ScriptRuntime.typeError(
          "decodeToString expects an array of at most " + MAX_DECODED_BYTES + " bytes");
    }
    byte[] bytes = new byte[(int) length];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Context.toNumber(ScriptableObject.getProperty(array, i));
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** ThingsBoard's {@code decodeToJson(payload)}: a SyntaxError for a payload that is not JSON. */
  private static Object decodeToJson(Context cx, Scriptable scope, Object[] args) {
    return parseJson(cx, scope, (String) decodeToString(cx, scope, args));
  }

  private interface HelperBody {
    Object call(Context cx, Scriptable scope, Object[] args);
  }

  private static final class Helper extends BaseFunction {
    private final String name;
    private final transient HelperBody body;

    Helper(String name, HelperBody body) {
      this.name = name;
      this.body = body;
    }

    @Override
    public Object call(Context cx, Scriptable scope, Scriptable thisObj, Object[] args) {
      return body.call(cx, scope, args);
    }

    @Override
    public String getFunctionName() {
      return name;
    }
  }

  /** Thrown from the instruction observer; an Error, so that no script catch or finally runs. */
  private static final class TimeLimitExceeded extends Error {
    TimeLimitExceeded() {
      super("time limit exceeded", null, false, false);
    }
  }

  private static final class LimitedContextFactory extends ContextFactory {
    @Override
    protected Context makeContext() {
      Context cx = super.makeContext();
      cx.setLanguageVersion(Context.VERSION_ES6);
      // Instruction counting and the stack-depth limit need the interpreter, not compiled classes.
      cx.setInterpretedMode(true);
      cx.setInstructionObserverThreshold(INSTRUCTIONS_BETWEEN_CHECKS);
      cx.setClassShutter(className -> false);
      return cx;
    }

    @Override
    protected void observeInstructionCount(Context cx, int instructionCount) {
      Object deadline = cx.getThreadLocal(DEADLINE);
      if (deadline instanceof Long nanos && System.nanoTime() - nanos > 0) {
        throw new TimeLimitExceeded();
      }
    }
  }
}
