package io.netpoll.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the library logs through {@link System.Logger} under one logger name while this is open,
 * captured instead of printed. It relies on the JDK's default logging backend (java.util.logging,
 * which System.Logger uses when no other LoggerFinder is installed, as in these tests): the
 * records arrive at the java.util.logging logger of the same name.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final boolean usedParentHandlers;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (records) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        usedParentHandlers = logger.getUseParentHandlers();
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    /** Starts capturing what is logged to {@code name} (and the loggers below it). */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The records so far, oldest first. */
    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(usedParentHandlers);
    }
}
