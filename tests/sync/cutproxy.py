#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cutproxy.py PORT_FILE TARGET_PORT CUT_FILE

A TCP proxy on 127.0.0.1 for `make synctest`'s fault runs.  It listens on a
free port (written to PORT_FILE once listening) and forwards each
connection to 127.0.0.1:TARGET_PORT.  When CUT_FILE exists as a connection
is accepted, the proxy reads a byte count N from it, removes it, and closes
that connection, both ways with a reset, once N bytes (counted over both
directions: request then response) have passed; other connections are
forwarded whole.  A cut inside the request stops the upload; a cut inside
the response loses the acknowledgement of a bundle the bureau has stored.
Prints "cut after N bytes" for a cut made, "not cut: N bytes in all" when
the connection ended first.  Runs until killed."""
import os
import selectors
import socket
import struct
import sys


def serve_one(client, target_port, limit):
    up = socket.create_connection(("127.0.0.1", target_port))
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ, up)
    sel.register(up, selectors.EVENT_READ, client)
    passed = 0
    open_ends = 2
    try:
        while open_ends:
            for key, _ in sel.select():
                src, dst = key.fileobj, key.data
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    sel.unregister(src)
                    open_ends -= 1
                    continue
                if limit is not None and passed + len(data) >= limit:
                    dst.sendall(data[: max(0, limit - passed)])
                    print("cut after %d bytes" % limit, flush=True)
                    return
                passed += len(data)
                dst.sendall(data)
        if limit is not None:
            print("not cut: %d bytes in all" % passed, flush=True)
    finally:
        sel.close()
        for s in (client, up):
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            s.close()


def main():
    port_file, target, cut_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, port_file)
    while True:
        c, _ = ls.accept()
        limit = None
        try:
            with open(cut_file) as f:
                limit = int(f.read().strip())
            os.unlink(cut_file)
        except (OSError, ValueError):
            pass
        try:
            serve_one(c, target, limit)
        except OSError as e:
            print("proxy: %s" % e, flush=True)


if __name__ == "__main__":
    main()
