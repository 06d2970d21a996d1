package io.netpoll.poller.iocp;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AFD/completion-port behaviour {@link IocpPoller} relies on and {@link IocpModel} imitates,
 * checked against a real implementation of it: {@code src/test/c/afd_probe.c}, cross-compiled with
 * mingw-w64 and run under Wine (whose AFD driver is Wine's, not Windows'). This checks the model's
 * assumptions, not the Java backend, which needs a Windows JVM. Skipped, with the reason printed,
 * unless both the cross compiler and Wine are installed.
 */
class AfdProtocolOnWineTest {
    private static final String GCC = "x86_64-w64-mingw32-gcc";

    private static String find(String... candidates) {
        for (String c : candidates) {
            if (c.contains("/")) {
                if (Files.isExecutable(Path.of(c))) {
                    return c;
                }
                continue;
            }
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, c))) {
                    return Path.of(dir, c).toString();
                }
            }
        }
        return null;
    }

    private static String run(List<String> cmd, Path dir, long timeoutSeconds, int[] exit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("WINEPREFIX", dir.resolve("wineprefix").toString());
        pb.environment().put("WINEDEBUG", "-all");
        pb.environment().put("WINEDLLOVERRIDES", "mscoree,mshtml=");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd.get(0) + " timed out after " + timeoutSeconds + " s");
        }
        exit[0] = p.exitValue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void a_real_afd_driver_behaves_as_the_model_assumes() throws Exception {
        String gcc = find(GCC);
        String wine = find("wine64", "/usr/lib/wine/wine64", "wine");
        if (gcc == null || wine == null) {
            String reason = (gcc == null ? GCC + " " : "") + (wine == null ? "wine " : "") + "not installed "
                    + "(apt-get install gcc-mingw-w64-x86-64-win32 wine64)";
            System.out.println("SKIPPED AfdProtocolOnWineTest: " + reason);
            Assumptions.abort(reason);
        }
        Path dir = Files.createDirectories(Path.of("target", "afd-probe").toAbsolutePath());
        Path src = Path.of("src", "test", "c", "afd_probe.c").toAbsolutePath();
        int[] exit = new int[1];
        String out = run(List.of(gcc, "-std=c11", "-O1", "-Wall", "-o", "afd_probe.exe", src.toString(), "-lws2_32", "-lntdll"),
                dir, 60, exit);
        assertEquals(0, exit[0], "compile failed:\n" + out);
        List<String> cmd = new ArrayList<>(List.of(wine, dir.resolve("afd_probe.exe").toString()));
        out = run(cmd, dir, 120, exit);
        System.out.println("afd_probe under " + wine + ":\n" + out.strip());
        assertTrue(out.contains("all ok"), out);
        assertEquals(0, exit[0], out);
    }
}
