/*
 * afd_probe: runs, against a real AFD driver and completion port (Windows, or Wine), each
 * behaviour that IocpPoller relies on and that the Java test double IocpModel imitates:
 *
 *   - IOCTL_AFD_POLL through NtDeviceIoControlFile on a \Device\Afd handle associated with a port:
 *     the completion carries the association's key and the ApcContext as lpOverlapped;
 *   - the poll is level-triggered and one-shot: it completes at once while data is unread;
 *   - RECEIVE, SEND, DISCONNECT (peer FIN) and LOCAL_CLOSE (closesocket under the poll) events;
 *   - NtCancelIoFileEx: STATUS_CANCELLED completion for a pending poll, STATUS_NOT_FOUND once it
 *     has completed, whose completion is still delivered;
 *   - GetQueuedCompletionStatusEx: FALSE + WAIT_TIMEOUT when nothing is queued;
 *   - PostQueuedCompletionStatus as the wakeup.
 *
 * Prints one "ok" line per check and exits 0, or prints "FAIL ..." and exits 1. The struct
 * layouts are the ones WinStructs encodes (checked separately against the headers).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <winternl.h>
#include <ntstatus.h>
#include <stdio.h>

#define IOCTL_AFD_POLL 0x00012024
#define AFD_POLL_RECEIVE 0x0001
#define AFD_POLL_SEND 0x0004
#define AFD_POLL_DISCONNECT 0x0008
#define AFD_POLL_ABORT 0x0010
#define AFD_POLL_LOCAL_CLOSE 0x0020
#define AFD_KEY 1
#define WAKEUP_KEY 2

typedef struct { HANDLE Handle; ULONG Events; NTSTATUS Status; } AFD_POLL_HANDLE_INFO;
typedef struct { LARGE_INTEGER Timeout; ULONG NumberOfHandles; ULONG Exclusive; AFD_POLL_HANDLE_INFO Handles[1]; } AFD_POLL_INFO;
typedef struct { IO_STATUS_BLOCK iosb; AFD_POLL_INFO info; } REQUEST;
typedef NTSTATUS (NTAPI *CancelFn)(HANDLE, PIO_STATUS_BLOCK, PIO_STATUS_BLOCK);

static HANDLE port, afd;
static CancelFn cancel;
static int failures;

#define CHECK(cond, what) do { if (cond) { printf("ok   %s\n", what); } else { \
    printf("FAIL %s (line %d, GetLastError %lu, WSAGetLastError %d)\n", what, __LINE__, GetLastError(), WSAGetLastError()); \
    failures++; } } while (0)

static NTSTATUS submit(REQUEST *r, SOCKET s, ULONG events, ULONG_PTR ctx) {
    memset(r, 0, sizeof *r);
    r->iosb.Status = STATUS_PENDING;
    r->info.Timeout.QuadPart = 0x7fffffffffffffffLL;
    r->info.NumberOfHandles = 1;
    r->info.Handles[0].Handle = (HANDLE) s;
    r->info.Handles[0].Events = events;
    return NtDeviceIoControlFile(afd, NULL, NULL, (PVOID) ctx, &r->iosb, IOCTL_AFD_POLL,
                                 &r->info, sizeof r->info, &r->info, sizeof r->info);
}

/* One completion within ms, or 0 entries. */
static ULONG wait_one(OVERLAPPED_ENTRY *e, DWORD ms) {
    ULONG n = 0;
    if (!GetQueuedCompletionStatusEx(port, e, 1, &n, ms, FALSE)) {
        return 0;
    }
    return n;
}

static SOCKET base_of(SOCKET s) {
    SOCKET base = INVALID_SOCKET;
    DWORD bytes = 0;
    if (WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &bytes, NULL, NULL) != 0) {
        return INVALID_SOCKET;
    }
    return base;
}

static void tcp_pair(SOCKET *server, SOCKET *client) {
    struct sockaddr_in a;
    int len = sizeof a;
    u_long on = 1;
    SOCKET l = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(l, (struct sockaddr *) &a, sizeof a);
    listen(l, 1);
    getsockname(l, (struct sockaddr *) &a, &len);
    *client = socket(AF_INET, SOCK_STREAM, 0);
    connect(*client, (struct sockaddr *) &a, sizeof a);
    *server = accept(l, NULL, NULL);
    closesocket(l);
    ioctlsocket(*server, FIONBIO, &on);
    ioctlsocket(*client, FIONBIO, &on);
}

int main(void) {
    WSADATA wsa;
    OVERLAPPED_ENTRY e;
    IO_STATUS_BLOCK open_iosb, cancel_iosb;
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    REQUEST r;
    SOCKET server, client, base;
    char buf[16];
    NTSTATUS st;
    static WCHAR path[] = L"\\Device\\Afd\\NetpollJvm";

    setvbuf(stdout, NULL, _IONBF, 0);
    CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0, "WSAStartup 2.2");
    cancel = (CancelFn) GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtCancelIoFileEx");
    CHECK(cancel != NULL, "ntdll exports NtCancelIoFileEx");
    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    CHECK(port != NULL, "CreateIoCompletionPort creates a port");

    name.Length = name.MaximumLength = sizeof path - sizeof(WCHAR);
    name.Buffer = path;
    memset(&oa, 0, sizeof oa);
    oa.Length = sizeof oa;
    oa.ObjectName = &name;
    st = NtCreateFile(&afd, SYNCHRONIZE, &oa, &open_iosb, NULL, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, NULL, 0);
    CHECK(st == 0, "NtCreateFile opens \\Device\\Afd\\NetpollJvm");
    CHECK(CreateIoCompletionPort(afd, port, AFD_KEY, 0) == port, "the AFD handle is associated with the port");
    CHECK(SetFileCompletionNotificationModes(afd, FILE_SKIP_SET_EVENT_ON_HANDLE), "FILE_SKIP_SET_EVENT_ON_HANDLE");

    tcp_pair(&server, &client);
    base = base_of(server);
    CHECK(base != INVALID_SOCKET, "SIO_BASE_HANDLE");

    st = submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_RECEIVE | AFD_POLL_DISCONNECT | AFD_POLL_ABORT, 7);
    CHECK(st == STATUS_PENDING, "a poll for an idle socket is pending");
    CHECK(wait_one(&e, 0) == 0 && GetLastError() == WAIT_TIMEOUT, "an empty port times out with WAIT_TIMEOUT");
    send(client, "x", 1, 0);
    CHECK(wait_one(&e, 5000) == 1, "data completes the poll");
    CHECK(e.lpCompletionKey == AFD_KEY, "the completion carries the association's key");
    CHECK(e.lpOverlapped == (LPOVERLAPPED) 7, "the completion carries ApcContext as lpOverlapped");
    CHECK(r.iosb.Status == 0, "IO_STATUS_BLOCK.Status is STATUS_SUCCESS");
    CHECK(r.info.NumberOfHandles == 1 && (r.info.Handles[0].Events & AFD_POLL_RECEIVE), "AFD_POLL_INFO reports RECEIVE");

    submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_RECEIVE, 8);
    CHECK(wait_one(&e, 5000) == 1 && (r.info.Handles[0].Events & AFD_POLL_RECEIVE), "unread data completes the next poll at once (level)");
    CHECK(recv(server, buf, sizeof buf, 0) == 1, "recv drains the byte");
    submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_SEND, 9);
    CHECK(wait_one(&e, 5000) == 1 && (r.info.Handles[0].Events & AFD_POLL_SEND), "a writable socket completes a SEND poll");

    st = submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_RECEIVE, 10);
    CHECK(st == STATUS_PENDING, "no data: pending again");
    CHECK(cancel(afd, &r.iosb, &cancel_iosb) == 0, "NtCancelIoFileEx finds the pending poll");
    CHECK(wait_one(&e, 5000) == 1 && e.lpOverlapped == (LPOVERLAPPED) 10, "the cancelled poll still completes");
    CHECK(r.iosb.Status == STATUS_CANCELLED, "with STATUS_CANCELLED");

    submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_SEND, 11);
    Sleep(100);
    st = cancel(afd, &r.iosb, &cancel_iosb);
    CHECK(st == STATUS_NOT_FOUND, "cancelling a completed poll: STATUS_NOT_FOUND");
    CHECK(wait_one(&e, 5000) == 1 && e.lpOverlapped == (LPOVERLAPPED) 11 && r.iosb.Status == 0,
          "the completion that won the race is delivered");

    CHECK(PostQueuedCompletionStatus(port, 0, WAKEUP_KEY, NULL), "PostQueuedCompletionStatus");
    CHECK(wait_one(&e, 5000) == 1 && e.lpCompletionKey == WAKEUP_KEY, "the posted wakeup is dequeued by its key");

    submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_RECEIVE | AFD_POLL_DISCONNECT, 12);
    closesocket(client);
    CHECK(wait_one(&e, 5000) == 1 && (r.info.Handles[0].Events & AFD_POLL_DISCONNECT), "the peer's FIN is DISCONNECT");

    submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_SEND, 13);
    wait_one(&e, 1000); /* writable at once; drain it */
    st = submit(&r, base, AFD_POLL_LOCAL_CLOSE | AFD_POLL_ABORT, 14);
    closesocket(server);
    CHECK(wait_one(&e, 5000) == 1 && e.lpOverlapped == (LPOVERLAPPED) 14
          && r.iosb.Status == 0 && (r.info.Handles[0].Events & AFD_POLL_LOCAL_CLOSE),
          "closesocket under a poll completes it with LOCAL_CLOSE");

    printf(failures == 0 ? "all ok\n" : "%d FAILED\n", failures);
    return failures == 0 ? 0 : 1;
}
