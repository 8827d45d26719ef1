/*  tcp_tap.c - a loopback TCP relay that records every byte it passes.

        tcp_tap LISTEN_PORT TARGET_PORT DUMP_FILE

    Listens on 127.0.0.1:LISTEN_PORT; each connection is relayed to
    127.0.0.1:TARGET_PORT, and every byte in either direction is appended
    to DUMP_FILE. Prints "ready" on stdout once it listens. Runs until
    killed. For tests that must see what crosses the wire (security_test.sh
    checks that no plaintext of a spec or a result does with CurveZMQ on).
*/
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define S_PAIRS 32 /* connections relayed at once */

static int
s_connect (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons ((uint16_t) port)};
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (fd >= 0 && connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0)
        return fd;
    if (fd >= 0)
        close (fd);
    return -1;
}

int
main (int argc, char **argv)
{
    if (argc != 4) {
        fprintf (stderr, "usage: tcp_tap LISTEN_PORT TARGET_PORT DUMP_FILE\n");
        return 2;
    }
    int target = atoi (argv[2]);
    FILE *dump = fopen (argv[3], "ab");
    int lfd = socket (AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt (lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons ((uint16_t) atoi (argv[1]))};
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (!dump || lfd < 0 || bind (lfd, (struct sockaddr *) &addr, sizeof addr) ||
        listen (lfd, 16)) {
        fprintf (stderr, "tcp_tap: %s\n", strerror (errno));
        return 1;
    }
    printf ("ready\n");
    fflush (stdout);
    //  fds[0] listens; then pairs (2k+1, 2k+2) relay to each other.
    struct pollfd fds[1 + 2 * S_PAIRS];
    for (int k = 0; k < 1 + 2 * S_PAIRS; k++)
        fds[k] = (struct pollfd){.fd = -1, .events = POLLIN};
    fds[0].fd = lfd;
    char buf[65536];
    while (poll (fds, 1 + 2 * S_PAIRS, -1) >= 0) {
        if (fds[0].revents & POLLIN) {
            int in = accept (lfd, NULL, NULL);
            int out = in >= 0 ? s_connect (target) : -1;
            int slot = 0;
            while (slot < S_PAIRS && fds[1 + 2 * slot].fd >= 0)
                slot++;
            if (in >= 0 && out >= 0 && slot < S_PAIRS) {
                fds[1 + 2 * slot].fd = in;
                fds[2 + 2 * slot].fd = out;
            } else {
                if (in >= 0)
                    close (in);
                if (out >= 0)
                    close (out);
            }
        }
        for (int k = 1; k < 1 + 2 * S_PAIRS; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int peer = k % 2 ? k + 1 : k - 1;
            ssize_t n = read (fds[k].fd, buf, sizeof buf);
            if (n > 0 && write (fds[peer].fd, buf, (size_t) n) == n) {
                fwrite (buf, 1, (size_t) n, dump);
                fflush (dump);
                continue;
            }
            close (fds[k].fd);
            close (fds[peer].fd);
            fds[k].fd = fds[peer].fd = -1;
        }
    }
    return 1;
}
