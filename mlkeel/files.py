"""Reading what users hand us and writing what we hand back, safely.

Every file-reading entry point of the project (stack files, states, jobs, usage, policy config, profiles,
price catalogs) reads through here, so the same limits hold everywhere and a bad file always ends in an
``InputError`` naming the file, the field, the value and what is allowed, never a traceback, a hang or an
exhausted machine:

- only regular files are read (a FIFO would block forever, a device never ends), symlink loops and
  permission problems are reported as such;
- a document may be at most ``max_bytes`` long, nest at most ``MAX_DEPTH`` levels, and (YAML) expand its
  aliases to at most ``MAX_YAML_NODES`` nodes (an alias bomb is refused before anything walks it);
- text must be UTF-8, and the error says at which byte it is not;
- YAML is read as the Pulumi CLI reads it (Go's yaml.v3 into ``interface{}``): timestamps stay strings,
  a key given twice is an error rather than "last one wins", and values JSON cannot carry (``!!binary``,
  ``!!set``, non-finite numbers) are refused with their path;
- JSON refuses ``NaN``/``Infinity`` literals and numbers no 64-bit float holds (the analyzer protocol and
  every Pulumi engine carry numbers as doubles).

Writes are atomic: a temporary file in the same folder, flushed and renamed over the target, so a kill or
a full disk never leaves a half-written state, report or stack file behind.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import mmap
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import yaml

#: Largest configuration-like document (stack file, jobs, usage, policy config, catalog) read, in bytes.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
#: Largest stack state read, in bytes (real exports of big stacks reach tens of megabytes).
MAX_STATE_BYTES = 1024 * 1024 * 1024
#: Deepest nesting of lists and maps accepted in any document (Pulumi properties stay far below this).
MAX_DEPTH = 100
#: Most YAML nodes a document may expand to once its aliases are followed.
MAX_YAML_NODES = 1_000_000

_ALLOWED_JSON = "a JSON value: strings, finite numbers, true/false, null, lists and maps with string keys"


class InputError(ValueError):
    """Input we cannot use; the message names the file, the field, the bad value and what is allowed."""

    def __init__(
        self, message: str, *, file: str = "", field: str = "", value: Any = None, allowed: str = ""
    ) -> None:
        super().__init__(message)
        self.file = file
        self.field = field
        self.value = value
        self.allowed = allowed or message

    @classmethod
    def at(cls, file: str | os.PathLike[str], field: str, value: Any, allowed: str) -> InputError:
        """``FILE: FIELD = VALUE: ALLOWED`` (the field and value are left out when there is none)."""
        where = str(file)
        if field:
            where += f": {field}"
        shown = "" if value is None else f" = {_show(value)}"
        return cls(f"{where}{shown}: {allowed}", file=str(file), field=field, value=value, allowed=allowed)


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# -- reading -------------------------------------------------------------------------------------------------
def _checked_fd(path: Path, what: str, max_bytes: int) -> tuple[int, int]:
    """``(open descriptor, size)`` of a regular file of at most ``max_bytes``, or an ``InputError``."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang before fstat can refuse it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError.at(path, "", None, f"{what} not found") from None
    except IsADirectoryError:
        raise InputError.at(path, "", None, f"is a folder; expected a {what}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError.at(path, "", None, f"is a symbolic link loop; expected a {what}") from None
        raise InputError.at(path, "", None, f"cannot read the {what}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError.at(path, "", None, f"is a folder; expected a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError.at(
                path, "", None, f"is not a regular file (a pipe, socket or device); expected a {what}"
            )
        if info.st_size > max_bytes:
            raise InputError.at(
                path, "", None, f"is {info.st_size:,} bytes; a {what} may be at most {max_bytes:,} bytes"
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def read_bytes(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int = MAX_DOCUMENT_BYTES
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or an ``InputError`` saying why not."""
    path = Path(path)
    fd, _ = _checked_fd(path, what, max_bytes)
    try:
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError.at(path, "", None, f"cannot read the {what}: {exc.strerror}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:
        raise InputError.at(path, "", None, f"a {what} may be at most {max_bytes:,} bytes")
    return data


def open_binary(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int = MAX_DOCUMENT_BYTES
) -> BinaryIO:
    """A regular file of at most ``max_bytes`` opened for reading in binary, refused as
    :func:`read_bytes` refuses; for readers that seek and copy only what they need (``np.load``)."""
    fd, _ = _checked_fd(Path(path), what, max_bytes)
    return os.fdopen(fd, "rb", closefd=True)


def map_file(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int = MAX_DOCUMENT_BYTES
) -> mmap.mmap:
    """A read-only memory map of a regular, non-empty file of at most ``max_bytes``, refused as
    :func:`read_bytes` refuses (folders, pipes, devices, missing or oversized files).

    Why a map rather than the bytes: a data file of hundreds of MB read whole is a copy the readers
    (Arrow) then copy again; mapped, its pages come straight from the page cache and only the parts
    read are touched.
    """
    path = Path(path)
    fd, size = _checked_fd(path, what, max_bytes)
    try:
        if size == 0:
            raise InputError.at(path, "", None, f"is empty; expected a {what}")
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise InputError.at(path, "", None, f"cannot read the {what}: {exc.strerror}") from None
    finally:
        os.close(fd)  # the map keeps its own reference to the file


def decode_text(data: bytes, path: str | os.PathLike[str], *, what: str = "file") -> str:
    """UTF-8 text (a leading byte-order mark allowed), or an error naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.at(
            path, "", None, f"is not UTF-8 text (byte {exc.start}, line {line}); a {what} is UTF-8 text"
        ) from None


def read_text(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int = MAX_DOCUMENT_BYTES
) -> str:
    """The UTF-8 text of a regular file within the size limit."""
    return decode_text(read_bytes(path, what=what, max_bytes=max_bytes), path, what=what)


def check_depth(value: Any, path: str | os.PathLike[str], *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse documents nested deeper than ``max_depth`` (walked without recursion)."""
    stack: list[tuple[Any, int, list[str | int]]] = [(value, 0, [])]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        if depth >= max_depth:
            raise InputError.at(path, _json_path(where), None, f"nests deeper than {max_depth} levels")
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1, [*where, key]))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is beyond what a 64-bit float holds")
    return number


def _double_int(text: str) -> int:
    number = int(text)
    try:
        float(number)
    except OverflowError:
        raise ValueError(f"the integer {text[:20]}... is beyond what a 64-bit float holds") from None
    return number


def parse_json(
    text: str, path: str | os.PathLike[str], *, what: str = "JSON file", max_depth: int = MAX_DEPTH
) -> Any:
    """Strict JSON: no NaN/Infinity, numbers a double holds, nesting within ``max_depth``."""
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_double_int
        )
    except json.JSONDecodeError as exc:
        raise InputError.at(
            path,
            "",
            None,
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); expected a {what}",
        ) from None
    except RecursionError:
        raise InputError.at(path, "", None, f"nests deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise InputError.at(path, "", None, f"is not valid JSON: {exc}") from None
    check_depth(value, path, max_depth=max_depth)
    return value


def load_json(
    path: str | os.PathLike[str], *, what: str = "JSON file", max_bytes: int = MAX_DOCUMENT_BYTES
) -> Any:
    """Read and parse a JSON file with every limit above."""
    return parse_json(read_text(path, what=what, max_bytes=max_bytes), path, what=what)


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, made to read like Go's yaml.v3 and to refuse what would hurt us."""

    source = "<yaml>"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                hash(key)
            except TypeError:
                raise InputError.at(
                    self.source,
                    f"line {key_node.start_mark.line + 1}",
                    None,
                    "a map key must be a plain value (a string), not a list or map",
                ) from None
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise InputError.at(
                    self.source,
                    f"{key} (line {key_node.start_mark.line + 1})",
                    None,
                    f"is given twice (first on line {first}); each key may appear once",
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


# As yaml.v3 decodes into interface{}: a timestamp-looking scalar stays a string.
_LimitedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LimitedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def _expanded_size(node: yaml.Node, path: str | os.PathLike[str], max_depth: int) -> int:
    """Nodes the document has once aliases are followed, computed without following them twice."""
    sizes: dict[int, int] = {}
    # Post-order walk without recursion; an alias is the same node object as its anchor, so its size is
    # computed once and counted at every use.
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 0, False)]
    on_path: set[int] = set()
    while stack:
        current, depth, expanded = stack.pop()
        key = id(current)
        if expanded:
            on_path.discard(key)
            children = _children(current)
            total = 1 + sum(sizes[id(child)] for child in children)
            sizes[key] = min(total, MAX_YAML_NODES + 1)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise InputError.at(path, f"line {current.start_mark.line + 1}", None, "refers to itself")
        if depth > max_depth:
            raise InputError.at(
                path, f"line {current.start_mark.line + 1}", None, f"nests deeper than {max_depth} levels"
            )
        on_path.add(key)
        stack.append((current, depth, True))
        for child in _children(current):
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))
    return sizes[id(node)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_json_like(value: Any, path: str | os.PathLike[str], max_depth: int) -> None:
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise InputError.at(path, _json_path(where), _show(key), "map keys must be strings")
                stack.append((child, [*where, str(key)]))
        elif isinstance(item, list):
            stack.extend((child, [*where, i]) for i, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            raise InputError.at(path, _json_path(where), item, "must be a finite number")
        elif isinstance(item, bytes):
            raise InputError.at(
                path, _json_path(where), None, f"is !!binary data; values must be {_ALLOWED_JSON}"
            )
        elif isinstance(item, set):
            raise InputError.at(path, _json_path(where), None, f"is a !!set; values must be {_ALLOWED_JSON}")
        elif not isinstance(item, (str, int, float, bool)) and item is not None:
            raise InputError.at(
                path, _json_path(where), None, f"is a {type(item).__name__}; values must be {_ALLOWED_JSON}"
            )


def parse_yaml(text: str, path: str | os.PathLike[str], *, max_depth: int = MAX_DEPTH) -> Any:
    """One YAML document as JSON-compatible data,
    with duplicate keys, alias bombs and deep nesting refused."""
    loader: _LimitedLoader | None = None
    try:
        loader = _LimitedLoader(text)
        loader.source = str(path)
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, path, max_depth)
        if size > MAX_YAML_NODES:
            raise InputError.at(
                path,
                "",
                None,
                f"expands to more than {MAX_YAML_NODES:,} values once its aliases are followed",
            )
        value = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise InputError.at(path, "", None, f"is not valid YAML ({where}: {problem})") from None
    except RecursionError:
        raise InputError.at(path, "", None, f"nests deeper than {max_depth} levels") from None
    finally:
        if loader is not None:
            loader.dispose()
    _check_json_like(value, path, max_depth)
    return value


def load_yaml(
    path: str | os.PathLike[str], *, what: str = "YAML file", max_bytes: int = MAX_DOCUMENT_BYTES
) -> Any:
    """Read and parse a YAML file with every limit above."""
    return parse_yaml(read_text(path, what=what, max_bytes=max_bytes), path)


# -- writing -------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, exclusive: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over it when the block succeeds, removed when it fails.

    For writers that want a file name (``np.savez``, ``plotly.write_html``). The folder is created. With
    ``exclusive`` the finished file is linked into place only if ``path`` does not exist yet
    (``FileExistsError`` otherwise), so two writers can never both win.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
        else:
            os.chmod(temp, 0o666 & ~_umask())
        if exclusive:
            os.link(temp, target)
            temp.unlink()
        else:
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; with ``exclusive``, refuse (FileExistsError) if it exists."""
    target = Path(path)
    if exclusive and target.exists():
        raise FileExistsError(errno.EEXIST, "File exists", str(target))
    with atomic_path(target, exclusive=exclusive) as temp:
        temp.write_bytes(data)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, *, exclusive: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see ``atomic_write_bytes``)."""
    return atomic_write_bytes(path, text.encode("utf-8"), exclusive=exclusive)
