"""The zip container of PyTorch checkpoints: a writer laying records out as PyTorch's does, and reading helpers.

Layout (observed from files ``torch.save`` writes):
- every record is stored (no compression) under ``<archive>/``; its local header has flag bits 0x0808 (data
  descriptor follows the data, UTF-8 name), zero time/date/crc/sizes, and an extra field ``b"FB" + u16 n + b"Z" * n``
  that pads the header so the record's data starts on a 64-byte boundary (the pad field is always present);
- a data descriptor ``PK\\x07\\x08 crc csize usize`` follows each record's data;
- the central directory, a zip64 end-of-central-directory record and locator, and the classic end record close the
  file (the zip64 records are always written).
"""

from __future__ import annotations

import struct
import zlib

ALIGNMENT = 64
_U32 = 0xFFFFFFFF


class ZipWriter:
    """Writes records one after another to a binary file object ``f`` (its current position is offset 0)."""

    def __init__(self, f, archive: str):
        self._f = f
        self._archive = archive
        self._pos = 0
        self._entries = []  # (name bytes, offset, size, crc)
        self._crc_all = 0

    def _write(self, data) -> None:
        self._f.write(data)
        self._pos += len(data) if not isinstance(data, memoryview) else data.nbytes

    def write_record(self, name: str, data) -> None:
        """Write one record; ``data`` is bytes or a C-contiguous byte buffer (memoryview of an array)."""
        mv = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        size = len(mv)
        full = f"{self._archive}/{name}".encode()
        offset = self._pos
        big_size, big_off = size >= _U32, offset >= _U32
        z64 = b""
        start = offset + 30 + len(full) + 4
        if big_size or big_off:
            fields = (struct.pack("<QQ", size, size) if big_size else b"") + (
                struct.pack("<Q", offset) if big_off else b"")
            z64 = struct.pack("<HH", 1, len(fields)) + fields
            start += len(z64)
        pad = (-start) % ALIGNMENT
        extra = z64 + b"FB" + struct.pack("<H", pad) + b"Z" * pad
        self._write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 0, 0x0808, 0, 0, 0, 0, 0, 0, len(full), len(extra)))
        self._write(full)
        self._write(extra)
        crc = zlib.crc32(mv)
        if size:
            self._write(mv)
        if big_size:
            self._write(struct.pack("<4sIQQ", b"PK\x07\x08", crc, size, size))
        else:
            self._write(struct.pack("<4sIII", b"PK\x07\x08", crc, size, size))
        self._entries.append((full, offset, size, crc))
        self._crc_all = zlib.crc32(struct.pack("<I", crc), self._crc_all)

    def finish(self) -> None:
        cd_start = self._pos
        for full, offset, size, crc in self._entries:
            fields = b""
            csize = usize = size
            off = offset
            if size >= _U32:
                fields += struct.pack("<QQ", size, size)
                csize = usize = _U32
            if offset >= _U32:
                fields += struct.pack("<Q", offset)
                off = _U32
            extra = struct.pack("<HH", 1, len(fields)) + fields if fields else b""
            self._write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0, 0, 0x0808, 0, 0, 0, crc, csize, usize,
                                    len(full), len(extra), 0, 0, 0, 0, off))
            self._write(full)
            self._write(extra)
        cd_size = self._pos - cd_start
        n = len(self._entries)
        eocd64 = self._pos
        self._write(struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 0x031E, 0x002D, 0, 0, n, n, cd_size, cd_start))
        self._write(struct.pack("<4sIQI", b"PK\x06\x07", 0, eocd64, 1))
        self._write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                                min(cd_size, _U32), min(cd_start, _U32), 0))

    @property
    def records_crc(self) -> int:
        return self._crc_all


def record_data_offset(fileobj, info) -> int:
    """Where a stored record's data begins in the file: after its local header, name and (local) extra field."""
    fileobj.seek(info.header_offset)
    header = fileobj.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise RuntimeError(f"bad local header for record {info.filename}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len
