/*
 * line-sink: the one receiver for every network path of scripts/bench-e2e.sh.
 *
 * Listens on 127.0.0.1 (TCP), accepts any number of connections and counts the LF bytes it
 * reads on all of them together; the data itself is thrown away. It has to be much faster
 * than anything it measures (a single core counts several GB/s, i.e. tens of millions of
 * syslog lines/s), so it never becomes the bottleneck and its CPU time stays small.
 *
 * Control is line-based on stdin/stdout so a shell coprocess can drive it:
 *   on start it prints   "port P"                 (P: the port it listens on)
 *   "expect N"        -> resets the count to 0 and arms a target; prints "ok"; when the count
 *                        reaches N it prints "reached T" (T: CLOCK_REALTIME in ns at the read
 *                        that crossed N, the same clock as bash's $EPOCHREALTIME)
 *   "count"           -> prints "count LINES BYTES OPEN_CONNS TOTAL_CONNS"
 *   EOF on stdin      -> exits
 * Usage: line-sink [PORT]   (default 0: the kernel picks a free port)
 * Build: gcc -O3 -o line-sink line-sink.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t lines, bytes, target;
static int armed;
static long open_conns, total_conns;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A plain byte loop: gcc -O3 vectorises it (about 60M syslog lines/s on one core here),
 * which beats a memchr call per line for the short lines (10-100 bytes) this sees. */
static uint64_t count_lf(const unsigned char *p, size_t n) {
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) c += p[i] == '\n';
    return c;
}

static void command(char *line) {
    if (strncmp(line, "expect ", 7) == 0) {
        target = strtoull(line + 7, NULL, 10);
        lines = bytes = 0;
        armed = 1;
        printf("ok\n");
    } else if (strcmp(line, "count") == 0) {
        printf("count %llu %llu %ld %ld\n", (unsigned long long)lines, (unsigned long long)bytes,
               open_conns, total_conns);
    } else {
        printf("error unknown command\n");
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(lfd, 1024) < 0) die("listen"); /* 50 containers may dial at once */
    socklen_t alen = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &alen);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = 0;
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);

    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);

    static unsigned char buf[1 << 18];
    static char cmd[256];
    size_t cmdlen = 0;
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(ep, evs, 64, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        size_t round = 0; /* bytes read in this epoll round */
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                    open_conns++;
                    total_conns++;
                }
            } else if (fd == 0) {
                ssize_t r = read(0, cmd + cmdlen, sizeof cmd - 1 - cmdlen);
                if (r <= 0) return 0; /* the script is gone: so are we */
                cmdlen += (size_t)r;
                char *nl;
                while ((nl = memchr(cmd, '\n', cmdlen))) {
                    *nl = 0;
                    command(cmd);
                    cmdlen -= (size_t)(nl + 1 - cmd);
                    memmove(cmd, nl + 1, cmdlen);
                }
                if (cmdlen == sizeof cmd - 1) cmdlen = 0; /* garbage without LF: drop it */
            } else {
                ssize_t r = read(fd, buf, sizeof buf);
                if (r > 0) {
                    lines += count_lf(buf, (size_t)r);
                    bytes += (uint64_t)r;
                    round += (size_t)r;
                    if (armed && lines >= target) {
                        armed = 0;
                        printf("reached %llu\n", (unsigned long long)now_ns());
                        fflush(stdout);
                    }
                } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    close(fd); /* closing removes it from the epoll set */
                    open_conns--;
                }
            }
        }
        /* A sender that writes one line per write() (Docker's syslog driver) would otherwise
         * cost us an epoll_wait and a read per line, about 3 us together: a third of a core
         * taken from the two this machine has. When little came in, pause so the next read
         * gets a batch. The socket buffer (128 KiB or more) holds 0.5 ms of anything slower
         * than 250 MB/s, a big read skips the pause, and a "reached" time is at most 0.5 ms
         * late. */
        if (round > 0 && round < 65536) {
            struct timespec pause = {0, 500000};
            nanosleep(&pause, NULL);
        }
    }
}
