package io.netpoll.poller.jfr;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.fd.NetFD;
import io.netpoll.poller.sys.Sys;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The poller's JFR events, recorded from real sockets and read back from the recording file: a
 * read that waits for data, a read whose deadline expires, and the polls that served them.
 */
@Timeout(60)
class PollerEventsTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void a_recording_shows_the_poll_the_wait_for_data_and_the_expired_deadline() throws Exception {
        assertFalse(PollerEvents.poll() || PollerEvents.ioWait() || PollerEvents.deadlineExpired(),
                "off while nothing records them");
        Path file = Files.createTempFile("netpoll-poller", ".jfr");
        int waited;
        int expired;
        try (Recording r = new Recording()) {
            r.enable("io.netpoll.Poll").withThreshold(Duration.ZERO);
            r.enable("io.netpoll.IoWait").withThreshold(Duration.ZERO);
            r.enable("io.netpoll.DeadlineExpired");
            r.start();
            assertTrue(PollerEvents.poll() && PollerEvents.ioWait() && PollerEvents.deadlineExpired(), "on while recorded");

            NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
            NetFD[] q = NetFD.socketPair(Sys.SOCK_STREAM);
            try (NetFD a = p[0]; NetFD b = p[1]; NetFD c = q[0]; NetFD d = q[1]) {
                waited = a.fd();
                Thread writer = new Thread(() -> {
                    try {
                        Thread.sleep(150);
                        b.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                writer.start();
                assertEquals(4, a.read(ByteBuffer.allocate(16)), "the read waited for the writer's 4 bytes");
                writer.join();

                expired = c.fd();
                c.setReadDeadline(System.nanoTime() + 100 * MS);
                assertThrows(DeadlineExceededException.class, () -> c.read(ByteBuffer.allocate(1)));
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.delete(file);
        String backend = Netpoll.get().stats().backend();

        List<RecordedEvent> polls = named(events, "io.netpoll.Poll");
        assertTrue(polls.stream().anyMatch(e -> e.getBoolean("blocking") && e.getInt("events") >= 1
                        && e.getString("backend").equals(backend)),
                "a blocking " + backend + " poll returned the readiness: " + polls);
        assertTrue(polls.stream().allMatch(e -> e.getInt("events") >= 0 && (e.getBoolean("blocking") || e.getLong("timeout") == 0)),
                "a non-blocking poll asked for no wait: " + polls);

        List<RecordedEvent> waits = named(events, "io.netpoll.IoWait");
        RecordedEvent ready = only(waits, waited, "ready");
        assertEquals("read", ready.getString("direction"));
        assertEquals("read", ready.getString("operation"));
        assertTrue(ready.getDuration().toMillis() >= 100, "parked until the write, ~150 ms: " + ready.getDuration());
        RecordedEvent timedOut = only(waits, expired, "deadline");
        assertEquals("read", timedOut.getString("direction"));
        assertTrue(timedOut.getDuration().toMillis() >= 80, "parked until the deadline, ~100 ms: " + timedOut.getDuration());

        List<RecordedEvent> deadlines = named(events, "io.netpoll.DeadlineExpired").stream()
                .filter(e -> e.getInt("fd") == expired).collect(Collectors.toList());
        assertEquals(1, deadlines.size(), "one expiry for the deadline: " + deadlines);
        assertEquals("read", deadlines.get(0).getString("direction"));
        assertTrue(deadlines.get(0).getBoolean("waiterWoken"), "it woke the parked read");
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    private static RecordedEvent only(List<RecordedEvent> waits, int fd, String outcome) {
        List<RecordedEvent> found = waits.stream()
                .filter(e -> e.getInt("fd") == fd && e.getString("outcome").equals(outcome))
                .collect(Collectors.toList());
        assertEquals(1, found.size(), "one '" + outcome + "' wait on fd " + fd + " in " + waits);
        return found.get(0);
    }
}
