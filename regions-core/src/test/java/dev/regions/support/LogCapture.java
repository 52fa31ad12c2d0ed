package dev.regions.support;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.List;

/**
 * What is logged on a {@code java.util.logging} logger (where {@code System.Logger} goes by
 * default), kept instead of printed: 500 forgotten requests would flood the build's output.
 * Through reflection, because the test classes are patched into the module {@code dev.regions},
 * which does not read {@code java.logging}. Each record is formatted by {@code SimpleFormatter}:
 * a line with the time, then {@code LEVEL: message}.
 */
public final class LogCapture implements AutoCloseable {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Class<?> loggerClass;
    private final Class<?> handlerClass;
    /** Held strongly while the test runs: the logging framework holds its loggers weakly. */
    private final Object logger;
    private final Object handler;
    private final boolean usedParentHandlers;
    /** The name of the level WARNING, as the formatter writes it. */
    public final String warning;

    public LogCapture(String name) throws ReflectiveOperationException {
        loggerClass = Class.forName("java.util.logging.Logger");
        handlerClass = Class.forName("java.util.logging.Handler");
        Class<?> formatterClass = Class.forName("java.util.logging.Formatter");
        Object formatter = Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance();
        handler = Class.forName("java.util.logging.StreamHandler")
                .getConstructor(OutputStream.class, formatterClass).newInstance(out, formatter);
        Object level = Class.forName("java.util.logging.Level").getField("WARNING").get(null);
        warning = (String) level.getClass().getMethod("getLocalizedName").invoke(level);
        logger = loggerClass.getMethod("getLogger", String.class).invoke(null, name);
        usedParentHandlers = (boolean) loggerClass.getMethod("getUseParentHandlers").invoke(logger);
        loggerClass.getMethod("addHandler", handlerClass).invoke(logger, handler);
        loggerClass.getMethod("setUseParentHandlers", boolean.class).invoke(logger, false);
    }

    /** Everything logged so far. */
    public String text() {
        try {
            handlerClass.getMethod("flush").invoke(handler);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return out.toString(Charset.defaultCharset());
    }

    /** The lines logged so far that name a region ("LEVEL: region '...' ..."). */
    public List<String> messages() {
        return text().lines().filter(line -> line.contains("region '")).toList();
    }

    @Override
    public void close() throws ReflectiveOperationException {
        loggerClass.getMethod("removeHandler", handlerClass).invoke(logger, handler);
        loggerClass.getMethod("setUseParentHandlers", boolean.class).invoke(logger, usedParentHandlers);
    }
}
