package io.netpoll.poller.sys.bsd;

/**
 * The calls the BSD socket layer makes, behind an interface so that its sequences (accept then
 * fcntl, SO_NOSIGPIPE on every socket) can be run against another libc in tests. Pointers are
 * {@code long} addresses; failures return -1 and {@link #errno()} says why.
 */
public interface BsdCalls {
    int socket(int domain, int type, int protocol);

    int accept(int fd, long addr, long addrlenPtr);

    /** Only where {@link BsdSys#hasAccept4}. */
    int accept4(int fd, long addr, long addrlenPtr, int flags);

    int socketpair(int domain, int type, int protocol, long sv);

    int pipe(long fds);

    int fcntl(int fd, int cmd, int arg);

    int setsockopt(int fd, int level, int name, long value, int len);

    int close(int fd);

    int errno();

    String strerror(int errno);
}
