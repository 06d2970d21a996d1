package io.netpoll.poller.sys.windows;

import io.netpoll.poller.iocp.Afd;
import io.netpoll.poller.iocp.IocpSyscalls;
import io.netpoll.poller.sys.SockAddrFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Windows layout and constant the backend and the Winsock bindings use, checked by the
 * mingw-w64 cross compiler against the real Windows headers: the test writes a C file of
 * {@code _Static_assert}s from the Java constants and compiles it for x86_64-w64-mingw32 (compile
 * only; nothing runs). AFD_POLL_INFO is not in any header (AFD is undocumented), so it is declared
 * here as wepoll and mio declare it, and only the compiler's x64 alignment is checked for it. Every
 * WSA error code in {@link WsaError} is checked under its own name, found by reflection, so a code
 * added there is checked without touching this test.
 * Skipped, with the reason printed, when the cross compiler is not installed.
 */
class MingwHeaderLayoutTest {
    private static final String GCC = "x86_64-w64-mingw32-gcc";

    private static String onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return Path.of(dir, exe).toString();
            }
        }
        return null;
    }

    private static void eq(StringBuilder c, String expr, long value) {
        c.append("_Static_assert((long long)(").append(expr).append(") == ").append(value).append("LL, \"")
                .append(expr.replace("\"", "'")).append(" == ").append(value).append("\");\n");
    }

    @Test
    void the_mingw_headers_agree_with_every_layout_and_constant() throws Exception {
        String gcc = onPath(GCC);
        if (gcc == null) {
            String reason = GCC + " not installed (apt-get install gcc-mingw-w64-x86-64-win32)";
            System.out.println("SKIPPED MingwHeaderLayoutTest: " + reason);
            Assumptions.abort(reason);
        }
        StringBuilder c = new StringBuilder();
        c.append("#include <winsock2.h>\n#include <ws2tcpip.h>\n#include <mswsock.h>\n#include <windows.h>\n")
                .append("#include <winternl.h>\n#include <ntstatus.h>\n#include <afunix.h>\n#include <stddef.h>\n")
                .append("typedef struct { HANDLE Handle; ULONG Events; NTSTATUS Status; } AFD_POLL_HANDLE_INFO;\n")
                .append("typedef struct { LARGE_INTEGER Timeout; ULONG NumberOfHandles; ULONG Exclusive;\n")
                .append("                 AFD_POLL_HANDLE_INFO Handles[1]; } AFD_POLL_INFO;\n");
        eq(c, "sizeof(OVERLAPPED)", WinStructs.OVERLAPPED_SIZE);
        eq(c, "offsetof(OVERLAPPED, Internal)", WinStructs.OVERLAPPED_INTERNAL);
        eq(c, "offsetof(OVERLAPPED, InternalHigh)", WinStructs.OVERLAPPED_INTERNAL_HIGH);
        eq(c, "offsetof(OVERLAPPED, Offset)", WinStructs.OVERLAPPED_OFFSET);
        eq(c, "offsetof(OVERLAPPED, OffsetHigh)", WinStructs.OVERLAPPED_OFFSET_HIGH);
        eq(c, "offsetof(OVERLAPPED, hEvent)", WinStructs.OVERLAPPED_HEVENT);
        eq(c, "sizeof(OVERLAPPED_ENTRY)", WinStructs.OVERLAPPED_ENTRY_SIZE);
        eq(c, "offsetof(OVERLAPPED_ENTRY, lpCompletionKey)", WinStructs.ENTRY_COMPLETION_KEY);
        eq(c, "offsetof(OVERLAPPED_ENTRY, lpOverlapped)", WinStructs.ENTRY_OVERLAPPED);
        eq(c, "offsetof(OVERLAPPED_ENTRY, Internal)", WinStructs.ENTRY_INTERNAL);
        eq(c, "offsetof(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred)", WinStructs.ENTRY_BYTES);
        eq(c, "sizeof(IO_STATUS_BLOCK)", WinStructs.IO_STATUS_BLOCK_SIZE);
        eq(c, "offsetof(IO_STATUS_BLOCK, Status)", WinStructs.IOSB_STATUS);
        eq(c, "offsetof(IO_STATUS_BLOCK, Information)", WinStructs.IOSB_INFORMATION);
        eq(c, "sizeof(AFD_POLL_INFO)", WinStructs.AFD_POLL_INFO_SIZE);
        eq(c, "offsetof(AFD_POLL_INFO, Timeout)", WinStructs.AFD_TIMEOUT);
        eq(c, "offsetof(AFD_POLL_INFO, NumberOfHandles)", WinStructs.AFD_NUMBER_OF_HANDLES);
        eq(c, "offsetof(AFD_POLL_INFO, Exclusive)", WinStructs.AFD_EXCLUSIVE);
        eq(c, "offsetof(AFD_POLL_INFO, Handles[0].Handle)", WinStructs.AFD_HANDLE);
        eq(c, "offsetof(AFD_POLL_INFO, Handles[0].Events)", WinStructs.AFD_EVENTS);
        eq(c, "offsetof(AFD_POLL_INFO, Handles[0].Status)", WinStructs.AFD_STATUS);
        eq(c, "sizeof(WSABUF)", WinStructs.WSABUF_SIZE);
        eq(c, "offsetof(WSABUF, len)", WinStructs.WSABUF_LEN);
        eq(c, "offsetof(WSABUF, buf)", WinStructs.WSABUF_BUF);
        eq(c, "sizeof(UNICODE_STRING)", WinStructs.UNICODE_STRING_SIZE);
        eq(c, "offsetof(UNICODE_STRING, MaximumLength)", WinStructs.USTR_MAXIMUM_LENGTH);
        eq(c, "offsetof(UNICODE_STRING, Buffer)", WinStructs.USTR_BUFFER);
        eq(c, "sizeof(OBJECT_ATTRIBUTES)", WinStructs.OBJECT_ATTRIBUTES_SIZE);
        eq(c, "offsetof(OBJECT_ATTRIBUTES, RootDirectory)", WinStructs.OA_ROOT_DIRECTORY);
        eq(c, "offsetof(OBJECT_ATTRIBUTES, ObjectName)", WinStructs.OA_OBJECT_NAME);
        eq(c, "offsetof(OBJECT_ATTRIBUTES, Attributes)", WinStructs.OA_ATTRIBUTES);
        eq(c, "offsetof(OBJECT_ATTRIBUTES, SecurityDescriptor)", WinStructs.OA_SECURITY_DESCRIPTOR);
        eq(c, "offsetof(OBJECT_ATTRIBUTES, SecurityQualityOfService)", WinStructs.OA_SECURITY_QOS);
        eq(c, "sizeof(WSADATA)", WinStructs.WSADATA_SIZE);
        eq(c, "sizeof(struct sockaddr_in)", 16);
        eq(c, "sizeof(struct sockaddr_in6)", 28);
        eq(c, "offsetof(struct sockaddr_in6, sin6_port)", 2);
        eq(c, "offsetof(struct sockaddr_in6, sin6_flowinfo)", 4);
        eq(c, "offsetof(struct sockaddr_in6, sin6_addr)", 8);
        eq(c, "offsetof(struct sockaddr_in6, sin6_scope_id)", 24);
        eq(c, "offsetof(struct sockaddr_un, sun_path)", 2);
        eq(c, "sizeof(((struct sockaddr_un *)0)->sun_path)", SockAddrFormat.WINDOWS.sunPathMax);
        eq(c, "AF_INET6", WinSys.AF_INET6);
        eq(c, "AF_UNIX", WinSys.AF_UNIX);
        eq(c, "SOL_SOCKET", WinSys.SOL_SOCKET);
        eq(c, "SO_REUSEADDR", WinSys.SO_REUSEADDR);
        eq(c, "(int)SO_EXCLUSIVEADDRUSE", WinSys.SO_EXCLUSIVEADDRUSE);
        eq(c, "SO_KEEPALIVE", WinSys.SO_KEEPALIVE);
        eq(c, "SO_SNDBUF", WinSys.SO_SNDBUF);
        eq(c, "SO_RCVBUF", WinSys.SO_RCVBUF);
        eq(c, "SO_ERROR", WinSys.SO_ERROR);
        eq(c, "TCP_NODELAY", WinSys.TCP_NODELAY);
        eq(c, "IPV6_V6ONLY", WinSys.IPV6_V6ONLY);
        eq(c, "SD_RECEIVE", WinSys.SD_RECEIVE);
        eq(c, "SD_SEND", WinSys.SD_SEND);
        eq(c, "(int)FIONBIO", WinSys.FIONBIO);
        eq(c, "WSA_FLAG_OVERLAPPED", WinSys.WSA_FLAG_OVERLAPPED);
        eq(c, "WSA_FLAG_NO_HANDLE_INHERIT", WinSys.WSA_FLAG_NO_HANDLE_INHERIT);
        eq(c, "MAKEWORD(2, 2)", WinSys.WINSOCK_VERSION);
        eq(c, "(long long)INVALID_SOCKET", WinSys.INVALID_SOCKET);
        eq(c, "SOCKET_ERROR", WinSys.SOCKET_ERROR);
        eq(c, "(int)SIO_BASE_HANDLE", 0x48000022);
        eq(c, "(int)INFINITE", IocpSyscalls.INFINITE);
        eq(c, "WAIT_TIMEOUT", IocpSyscalls.WAIT_TIMEOUT);
        eq(c, "(long long)INVALID_HANDLE_VALUE", IocpSyscalls.INVALID_HANDLE_VALUE);
        eq(c, "(int)STATUS_PENDING", Afd.STATUS_PENDING);
        eq(c, "(int)STATUS_CANCELLED", Afd.STATUS_CANCELLED);
        eq(c, "(int)STATUS_NOT_FOUND", Afd.STATUS_NOT_FOUND);
        eq(c, "FILE_SKIP_SET_EVENT_ON_HANDLE", 2);
        eq(c, "SYNCHRONIZE", 0x00100000);
        eq(c, "FILE_SHARE_READ | FILE_SHARE_WRITE", 3);
        eq(c, "FILE_OPEN", 1);
        int wsaCodes = 0;
        for (Field code : WsaError.class.getFields()) {
            if (code.getType() == int.class && Modifier.isStatic(code.getModifiers())) {
                eq(c, code.getName(), code.getInt(null));
                wsaCodes++;
            }
        }
        assertTrue(wsaCodes >= 29, "every WSA code WsaError knows is checked, found " + wsaCodes);
        Path dir = Files.createTempDirectory("mingw-layout");
        Path src = dir.resolve("layout.c");
        Files.writeString(src, c.toString(), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(gcc, "-std=c11", "-fsyntax-only", src.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "compiler timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "mingw-w64 disagrees:\n" + out);
        System.out.println("mingw-w64 headers: " + (c.toString().split("_Static_assert", -1).length - 1) + " layout/constant assertions hold");
    }
}
