#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# vmctl.py SOCKET JSON [TIMEOUT]: send one request line to wpvmm's control
# socket and print the reply line.  Test helper only; wpctl is the tool.
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(float(sys.argv[3]) if len(sys.argv) > 3 else 30)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
sys.stdout.write(buf.decode())
