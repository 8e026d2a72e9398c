"""What every format shares: the record it yields, its options and streaming JSON reading."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from initiatives.importing.vocabulary import ValueMapping

CHUNK = 1 << 20


class FormatError(ValueError):
    """The file as a whole cannot be read in this format (said why, translated)."""


@dataclass
class SourceRecord:
    """One record as the source gives it: our field names, their values and vocabulary."""

    line: int  # the row's line in a CSV (header = 1), or the record's rank in a JSON file
    source_id: str
    fields: dict = field(default_factory=dict)
    lon: object = None
    lat: object = None
    source_url: str | None = None
    raw: dict = field(default_factory=dict)  # source values kept aside, not mapped
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the source's own schema says the record is invalid


@dataclass
class ImportOptions:
    mapping: ValueMapping = field(default_factory=ValueMapping)
    encoding: str = "utf-8"


class Format:
    """A source format: reads a file as SourceRecords, with a built-in value mapping."""

    name = ""
    licence = ""  # the licence the source usually publishes under, if it has one
    attribution = ""
    mapping = ValueMapping()

    def records(self, path: Path, options: ImportOptions) -> Iterator[SourceRecord]:
        raise NotImplementedError

    def file_licence(self, path: Path, options: ImportOptions) -> str:
        """The licence the file itself declares, or ""."""
        return ""


def open_text(path: Path, encoding: str) -> IO[str]:
    return open(path, encoding=encoding, newline="")


class JsonStream:
    """Reads a JSON document piece by piece, so that memory stays flat in the file's size:
    the elements of one array (top-level, or under a top-level key) one at a time."""

    def __init__(self, handle: IO[str]):
        self.handle, self.buffer, self.pos, self.eof = handle, "", 0, False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def _skip_space(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                return ""

    def _expect(self, char: str) -> None:
        if self._skip_space() != char:
            raise FormatError(_("Invalid JSON: “%(char)s” expected.") % {"char": char})
        self.pos += 1

    def value(self):
        self._skip_space()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self._fill():
                    continue
                raise FormatError(_("Invalid JSON: %(error)s") % {"error": error}) from None
            # A number cut by the buffer's end would decode short: read on to be sure.
            if end == len(self.buffer) and not self.eof and self._fill():
                continue
            self.pos = end
            return value

    def array(self) -> Iterator:
        self._expect("[")
        if self._skip_space() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            separator = self._skip_space()
            self.pos += 1
            if separator == "]":
                return
            if separator != ",":
                raise FormatError(_("Invalid JSON: “,” or “]” expected in a list."))

    def object_members(self, streamed: str) -> Iterator[tuple[str, object]]:
        """(key, value) of a top-level object; the member `streamed`'s value is the array's
        iterator, which must be consumed before the next member is read."""
        self._expect("{")
        if self._skip_space() == "}":
            return
        while True:
            key = self.value()
            self._expect(":")
            if key == streamed and self._skip_space() == "[":
                yield key, self.array()
            else:
                yield key, self.value()
            separator = self._skip_space()
            self.pos += 1
            if separator == "}":
                return
            if separator != ",":
                raise FormatError(_("Invalid JSON: “,” or “}” expected in an object."))

    def first_char(self) -> str:
        return self._skip_space()


def json_items(path: Path, encoding: str, key: str | None) -> Iterator[object]:
    """The elements of the top-level array, or of the array under the top-level `key`."""
    with open_text(path, encoding) as handle:
        stream = JsonStream(handle)
        if key is None or stream.first_char() == "[":
            if stream.first_char() != "[":
                raise FormatError(_("The file is not a JSON list."))
            yield from stream.array()
            return
        if stream.first_char() != "{":
            raise FormatError(_("The file is not a JSON object."))
        for name, value in stream.object_members(key):
            if name == key:
                if not hasattr(value, "__next__"):
                    raise FormatError(_("“%(key)s” is not a list.") % {"key": key})
                yield from value
                return
        raise FormatError(_("The file has no “%(key)s” list.") % {"key": key})


def json_header(path: Path, encoding: str, key: str) -> dict:
    """The top-level members other than the (skipped) array under `key`."""
    header = {}
    with open_text(path, encoding) as handle:
        stream = JsonStream(handle)
        if stream.first_char() != "{":
            return header
        for name, value in stream.object_members(key):
            if name == key and hasattr(value, "__next__"):
                for _item in value:
                    pass
            else:
                header[name] = value
    return header


def text(value) -> str:
    return "" if value is None else str(value).strip()
