/*
 * kqueue_shim: kqueue(2) and kevent(2) over Linux epoll, written for this project's tests from the
 * kqueue(2) man page. It is NOT libkqueue and not a general kqueue: it does what KqueuePoller asks
 * of a kqueue and refuses the rest with EINVAL. PollDescOnKqueueShimTest compiles it into a shared
 * library and loads it with -Dnetpoll.kqueue.library, so the backend's real JNA binding runs
 * against real Linux sockets.
 *
 * Protocol:
 *   - struct kevent as libkqueue and FreeBSD < 12 lay it out (32 bytes on LP64) and FreeBSD's
 *     numbering (EVFILT_USER is -11), i.e. KqueuePlatform.LIBKQUEUE.
 *   - kqueue() returns an epoll fd; the caller closes it with close(2), as a real kqueue.
 *   - EVFILT_READ/EVFILT_WRITE: EV_ADD must come with EV_CLEAR (edge-triggered: EPOLLET); EV_DELETE
 *     of a filter that is not there is ENOENT. Both filters of an fd share one epoll registration,
 *     kept equal to the filters present. udata is kept per filter and returned with its events.
 *     An fd closed without EV_DELETE drops out of epoll by itself; its filters are forgotten when
 *     the number is added again, as a BSD kernel forgets the knotes of a closed fd.
 *   - Returned events: EVFILT_READ on EPOLLIN/EPOLLRDHUP/EPOLLHUP/EPOLLERR with data = FIONREAD,
 *     EVFILT_WRITE on EPOLLOUT/EPOLLHUP/EPOLLERR; EV_EOF when the peer hung up (RDHUP/HUP/ERR on
 *     the read filter, HUP/ERR on the write filter). fflags stays 0: kqueue puts the socket error
 *     there, but reading SO_ERROR on Linux clears it, and the caller's next syscall must meet it.
 *   - EVFILT_USER: one knote per kqueue, an eventfd in the epoll set; NOTE_TRIGGER writes it; it is
 *     returned with the flags and udata of its EV_ADD, and EV_CLEAR resets it (reads the eventfd).
 *   - A failing change ends the call with -1 and errno; no EV_ERROR receipts are written.
 *   - timeout NULL waits forever; otherwise it is rounded up to whole milliseconds (never early).
 *     EINTR from epoll_wait is returned as it is. nevents must be 0 or at least 2: epoll is asked
 *     for at most nevents / 2 fds, each of which can yield two kevents.
 *
 * Built with -DLIBKQUEUE_COPYOUT it does instead what libkqueue's copyout does (its
 * linux/platform.c, read.c and write.c), which a kernel kqueue never does, so that the tests can
 * show the backend survives it:
 *   - an EPOLLERR is reported as EV_EOF with fflags = SO_ERROR, read with getsockopt(2), which
 *     clears it: the caller's own SO_ERROR or read then finds no error;
 *   - epoll is asked for as many fds as the event list has entries (up to 512), although one fd
 *     can yield two kevents; the kevents that do not fit are dropped, and with them the edges
 *     epoll has already consumed.
 *
 * Threads: the changes and the translation of events hold the kqueue's mutex; epoll_wait does not,
 * so a change (or a NOTE_TRIGGER) from another thread never waits for a blocked poll.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_USER (-11)
#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_CLEAR 0x0020
#define EV_EOF 0x8000
#define NOTE_TRIGGER 0x01000000

struct kevent {
    uintptr_t ident;
    int16_t filter;
    uint16_t flags;
    uint32_t fflags;
    intptr_t data;
    void *udata;
};
_Static_assert(sizeof(struct kevent) == 32, "libkqueue's 32-byte struct kevent");

#define READ_BIT 1
#define WRITE_BIT 2
#define USER_TAG UINT64_MAX /* epoll data of the EVFILT_USER eventfd; fds are small */
#ifdef LIBKQUEUE_COPYOUT
#define MAX_EPOLL_EVENTS 512
#else
#define MAX_EPOLL_EVENTS 64
#endif

struct filters {
    int mask; /* READ_BIT | WRITE_BIT */
    void *udata[2];
};

struct kq {
    int epfd;
    pthread_mutex_t mu;
    struct filters *fds; /* indexed by fd */
    int nfds;
    int user_fd; /* eventfd of the EVFILT_USER knote, -1 until added */
    uintptr_t user_ident;
    uint16_t user_flags;
    void *user_udata;
};

static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static struct kq **table; /* indexed by epoll fd */
static int table_len;
static long dropped; /* kevents lost for want of room (only with -DLIBKQUEUE_COPYOUT) */

/* Not part of kqueue: lets a test check that it did overflow the event list. */
long kqueue_shim_dropped(void) {
    return __atomic_load_n(&dropped, __ATOMIC_RELAXED);
}

static void free_kq(struct kq *q) {
    if (q->user_fd >= 0) {
        close(q->user_fd);
    }
    pthread_mutex_destroy(&q->mu);
    free(q->fds);
    free(q);
}

int kqueue(void) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        return -1;
    }
    struct kq *q = calloc(1, sizeof *q);
    if (q == NULL) {
        close(epfd);
        errno = ENOMEM;
        return -1;
    }
    q->epfd = epfd;
    q->user_fd = -1;
    pthread_mutex_init(&q->mu, NULL);
    pthread_mutex_lock(&table_mu);
    if (epfd >= table_len) {
        int len = epfd + 64;
        struct kq **t = realloc(table, len * sizeof *t);
        if (t == NULL) {
            pthread_mutex_unlock(&table_mu);
            free_kq(q);
            close(epfd);
            errno = ENOMEM;
            return -1;
        }
        memset(t + table_len, 0, (len - table_len) * sizeof *t);
        table = t;
        table_len = len;
    }
    /* An entry here belongs to a kqueue that was closed with close(2): its number is ours now. */
    struct kq *stale = table[epfd];
    table[epfd] = q;
    pthread_mutex_unlock(&table_mu);
    if (stale != NULL) {
        free_kq(stale);
    }
    return epfd;
}

static struct kq *lookup(int kqfd) {
    pthread_mutex_lock(&table_mu);
    struct kq *q = kqfd >= 0 && kqfd < table_len ? table[kqfd] : NULL;
    pthread_mutex_unlock(&table_mu);
    return q;
}

static struct filters *filters_of(struct kq *q, int fd) {
    if (fd >= q->nfds) {
        int n = fd + 64;
        struct filters *f = realloc(q->fds, n * sizeof *f);
        if (f == NULL) {
            return NULL;
        }
        memset(f + q->nfds, 0, (n - q->nfds) * sizeof *f);
        q->fds = f;
        q->nfds = n;
    }
    return &q->fds[fd];
}

/* Makes fd's epoll registration match its filters, going from mask `old` to `f->mask`. */
static int sync_epoll(struct kq *q, int fd, struct filters *f, int old) {
    struct epoll_event ev = {0};
    ev.events = EPOLLET | ((f->mask & READ_BIT) ? EPOLLIN | EPOLLRDHUP : 0) | ((f->mask & WRITE_BIT) ? EPOLLOUT : 0);
    ev.data.u64 = (uint64_t) fd;
    int op = old == 0 ? EPOLL_CTL_ADD : f->mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl(q->epfd, op, fd, &ev) == 0) {
        return 0;
    }
    return errno;
}

static int change_fd(struct kq *q, const struct kevent *c) {
    int fd = (int) c->ident;
    int bit = c->filter == EVFILT_READ ? READ_BIT : WRITE_BIT;
    struct filters *f = fd >= 0 ? filters_of(q, fd) : NULL;
    if (f == NULL) {
        return fd < 0 ? EBADF : ENOMEM;
    }
    int old = f->mask;
    if (c->flags & EV_DELETE) {
        if (!(old & bit)) {
            return ENOENT;
        }
        f->mask &= ~bit;
        return sync_epoll(q, fd, f, old);
    }
    if ((c->flags & (EV_ADD | EV_CLEAR)) != (EV_ADD | EV_CLEAR)) {
        return EINVAL;
    }
    f->mask |= bit;
    f->udata[bit - 1] = c->udata;
    int err = sync_epoll(q, fd, f, old);
    if (err == ENOENT && old != 0) {
        /* The fd was closed and its number reused: the old filters went with the old file. */
        f->mask = bit;
        err = sync_epoll(q, fd, f, 0);
    }
    if (err != 0) {
        f->mask = old;
    }
    return err;
}

static int change_user(struct kq *q, const struct kevent *c) {
    if (c->flags & EV_DELETE) {
        return EINVAL; /* the wakeup knote lives as long as its kqueue */
    }
    if (c->flags & EV_ADD) {
        if (q->user_fd < 0) {
            int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (efd < 0) {
                return errno;
            }
            struct epoll_event ev = {0};
            ev.events = EPOLLIN | EPOLLET;
            ev.data.u64 = USER_TAG;
            if (epoll_ctl(q->epfd, EPOLL_CTL_ADD, efd, &ev) < 0) {
                int err = errno;
                close(efd);
                return err;
            }
            q->user_fd = efd;
            q->user_ident = c->ident;
        } else if (c->ident != q->user_ident) {
            return EINVAL;
        }
        q->user_flags = c->flags;
        q->user_udata = c->udata;
    } else if (q->user_fd < 0 || c->ident != q->user_ident) {
        return ENOENT;
    }
    if (c->fflags & NOTE_TRIGGER) {
        uint64_t one = 1;
        if (write(q->user_fd, &one, sizeof one) < 0 && errno != EAGAIN) {
            return errno;
        }
    }
    return 0;
}

static void put(struct kevent *e, uintptr_t ident, int filter, int flags, intptr_t data, void *udata) {
    e->ident = ident;
    e->filter = (int16_t) filter;
    e->flags = (uint16_t) flags;
    e->fflags = 0;
    e->data = data;
    e->udata = udata;
}

/* -DLIBKQUEUE_COPYOUT: an EPOLLERR becomes EV_EOF with the socket error, taken (cleared) from the
   socket as libkqueue takes it. */
static void socket_error(struct kevent *e, int fd, uint32_t events) {
#ifdef LIBKQUEUE_COPYOUT
    if (events & EPOLLERR) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
            err = errno == ENOTSOCK ? EIO : errno; /* libkqueue says EIO for a pipe */
        }
        e->fflags = (uint32_t) err;
        e->flags |= EV_EOF;
    }
#else
    (void) e;
    (void) fd;
    (void) events;
#endif
}

/* Turns one epoll event into at most two kevents at `out`, at most `room` (> 0) of them; returns
   how many. Only -DLIBKQUEUE_COPYOUT asks epoll for more than fits, and loses what does not. */
static int translate(struct kq *q, const struct epoll_event *ev, struct kevent *out, int room) {
    if (ev->data.u64 == USER_TAG) {
        if (q->user_flags & EV_CLEAR) {
            uint64_t count;
            if (read(q->user_fd, &count, sizeof count) < 0 && errno != EAGAIN) {
                return 0;
            }
        }
        put(out, q->user_ident, EVFILT_USER, q->user_flags, 0, q->user_udata);
        return 1;
    }
    int fd = (int) ev->data.u64;
    if (fd >= q->nfds) {
        return 0;
    }
    struct filters *f = &q->fds[fd];
    uint32_t e = ev->events;
    int n = 0;
    if ((f->mask & READ_BIT) && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        int readable = 0;
        ioctl(fd, FIONREAD, &readable);
        int eof = (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
        put(&out[n], (uintptr_t) fd, EVFILT_READ, EV_ADD | EV_CLEAR | eof, readable, f->udata[0]);
        socket_error(&out[n++], fd, e);
    }
    if ((f->mask & WRITE_BIT) && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
        if (n == room) {
            __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
            return n;
        }
        int eof = (e & (EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
        put(&out[n], (uintptr_t) fd, EVFILT_WRITE, EV_ADD | EV_CLEAR | eof, 0, f->udata[1]);
        socket_error(&out[n++], fd, e);
    }
    return n;
}

int kevent(int kqfd, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents,
           const struct timespec *timeout) {
    struct kq *q = lookup(kqfd);
    if (q == NULL) {
        errno = EBADF;
        return -1;
    }
    pthread_mutex_lock(&q->mu);
    for (int i = 0; i < nchanges; i++) {
        const struct kevent *c = &changelist[i];
        int err = c->filter == EVFILT_USER ? change_user(q, c)
                : c->filter == EVFILT_READ || c->filter == EVFILT_WRITE ? change_fd(q, c)
                : EINVAL;
        if (err != 0) {
            pthread_mutex_unlock(&q->mu);
            errno = err;
            return -1;
        }
    }
    pthread_mutex_unlock(&q->mu);
    if (nevents == 0) {
        return 0;
    }
    if (nevents < 2) {
        errno = EINVAL;
        return -1;
    }
    int ms = -1;
    if (timeout != NULL) {
        long long t = (long long) timeout->tv_sec * 1000 + (timeout->tv_nsec + 999999) / 1000000;
        ms = t > INT_MAX ? INT_MAX : (int) t;
    }
    struct epoll_event evs[MAX_EPOLL_EVENTS];
#ifdef LIBKQUEUE_COPYOUT
    int ask = nevents;
#else
    int ask = nevents / 2;
#endif
    int max = ask < MAX_EPOLL_EVENTS ? ask : MAX_EPOLL_EVENTS;
    int n = epoll_wait(q->epfd, evs, max, ms);
    if (n < 0) {
        return -1;
    }
    pthread_mutex_lock(&q->mu);
    int out = 0;
    for (int i = 0; i < n; i++) {
        if (out == nevents) {
            __atomic_add_fetch(&dropped, n - i, __ATOMIC_RELAXED); /* at least one kevent each */
            break;
        }
        out += translate(q, &evs[i], eventlist + out, nevents - out);
    }
    pthread_mutex_unlock(&q->mu);
    return out;
}
