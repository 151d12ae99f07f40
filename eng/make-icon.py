#!/usr/bin/env python3
"""Draws the package icon (eng/icon.png, 128x128): a sealed envelope on a blue tile with a padlock.

Pure Python (zlib + struct), so it runs anywhere: python3 eng/make-icon.py
"""
import os
import struct
import zlib

SIZE = 128
BLUE = (21, 76, 121, 255)
WHITE = (255, 255, 255, 255)
FOLD = (200, 214, 229, 255)
GOLD = (242, 169, 0, 255)
DARK = (16, 52, 84, 255)
CLEAR = (0, 0, 0, 0)


def inside_rounded(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def near_line(x, y, ax, ay, bx, by, width):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / float(dx * dx + dy * dy)))
    px, py = ax + t * dx, ay + t * dy
    return (x - px) ** 2 + (y - py) ** 2 <= width * width


def pixel(x, y):
    if not inside_rounded(x, y, 0, 0, SIZE - 1, SIZE - 1, 22):
        return CLEAR
    colour = BLUE
    # The envelope.
    if 16 <= x <= 100 and 30 <= y <= 90:
        colour = WHITE
        if near_line(x, y, 16, 30, 58, 64, 2.5) or near_line(x, y, 100, 30, 58, 64, 2.5):
            colour = FOLD
    # The padlock: shackle, then body with a keyhole.
    ring = (x - 96) ** 2 + (y - 78) ** 2
    if y <= 82 and 11 ** 2 <= ring <= 17 ** 2:
        colour = DARK if ring > 15 ** 2 or ring < 12.5 ** 2 else GOLD
    if inside_rounded(x, y, 74, 80, 118, 116, 6):
        colour = GOLD
        if not inside_rounded(x, y, 76, 82, 116, 114, 5):
            colour = DARK
        if (x - 96) ** 2 + (y - 93) ** 2 <= 16 or (94 <= x <= 98 and 93 <= y <= 106):
            colour = DARK
    return colour


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png")
    with open(path, "wb") as f:
        f.write(png(SIZE, SIZE, rows))
    print(path)
