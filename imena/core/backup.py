"""Encrypted, verifiable backups of the database and the evidence store.

A backup is a folder::

    backup.json          in clear: format, encryption, SHA-256 and size of every part
    key.age              passphrase mode only: the backup's own age key, sealed
                         with the passphrase
    manifest.json.age    the manifest: software version, database, audit chain
                         head, row counts, every file with its SHA-256
    database.age         SQLite online-backup copy, or pg_dump custom format
    files/000001.age ... one part per file of the evidence store

Every part is encrypted on its own with age (pyrage), streaming, to the
recipient in IMENA_BACKUP_RECIPIENT, or to a one-off key sealed with
IMENA_BACKUP_PASSPHRASE. Without either, nothing is written unless the
operator asks for --insecure-plaintext (parts then have no ``.age`` suffix).

The database is copied first and the evidence store after: files are
content-addressed and never removed, so every file the copied database names
is in the store when it is copied (files added meanwhile are extra, harmless).

A restore checks everything before it touches anything: the SHA-256 of every
part, then each decrypted file against the manifest, in a staging folder; only
then are the evidence store and the database put in place (both must be
empty), and verified.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from glob import glob
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import django
import pyrage
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from imena.lib.hashing import file_sha256

FORMAT = "imena-backup/1"
CHUNK = 1024 * 1024
# Temporary folders of the stores: uploads in progress, never evidence.
SKIPPED_DIRS = {"tmp"}
Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line."""


# --- Keys -----------------------------------------------------------------------


def _env_secret(name: str) -> str:
    path = os.environ.get(f"{name}_FILE", "")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as e:
            raise BackupError(f"{name}_FILE: cannot read {path}: {e}") from None
    return os.environ.get(name, "").strip()


@dataclass
class Sealer:
    """Encrypts parts; ``mode`` is 'x25519' (recipients), 'passphrase' or 'none'."""

    mode: str
    recipients: list[Any] = field(default_factory=list)
    sealed_key: bytes = b""

    @property
    def suffix(self) -> str:
        return "" if self.mode == "none" else ".age"

    def write(self, source: Path, target: Path) -> None:
        if self.mode == "none":
            shutil.copyfile(source, target)
            return
        with source.open("rb") as src, target.open("wb") as dst:
            pyrage.encrypt_io(src, dst, self.recipients)


def sealer_from_environment(*, insecure_plaintext: bool = False) -> Sealer:
    """The encryption asked for by the environment; refuse to write in clear."""
    recipients_text = _env_secret("IMENA_BACKUP_RECIPIENT")
    passphrase = _env_secret("IMENA_BACKUP_PASSPHRASE")
    if recipients_text:
        recipients: list[Any] = []
        for text in recipients_text.replace(",", " ").split():
            try:
                if text.startswith("age1"):
                    recipients.append(pyrage.x25519.Recipient.from_str(text))
                else:
                    recipients.append(pyrage.ssh.Recipient.from_str(text))
            except Exception:
                raise BackupError(
                    f"IMENA_BACKUP_RECIPIENT: not an age or SSH public key: {text[:20]}..."
                ) from None
        return Sealer("x25519", recipients)
    if passphrase:
        if len(passphrase) < 12:
            raise BackupError("IMENA_BACKUP_PASSPHRASE must be at least 12 characters")
        identity = pyrage.x25519.Identity.generate()
        sealed = pyrage.passphrase.encrypt(str(identity).encode(), passphrase)
        return Sealer("passphrase", [identity.to_public()], sealed)
    if insecure_plaintext:
        return Sealer("none")
    raise BackupError(
        "no encryption key: set IMENA_BACKUP_RECIPIENT (an age public key) or "
        "IMENA_BACKUP_PASSPHRASE; --insecure-plaintext writes the backup in clear"
    )


def _opener(folder: Path, header: dict[str, Any], identity_file: str | None):
    """A function that decrypts one part of the backup into a file."""
    mode = header.get("encryption")
    if mode == "none":
        return lambda src, dst: shutil.copyfile(src, dst)
    identities: list[Any] = []
    if mode == "passphrase":
        passphrase = _env_secret("IMENA_BACKUP_PASSPHRASE")
        if not passphrase:
            raise BackupError(
                "this backup is sealed with a passphrase: set IMENA_BACKUP_PASSPHRASE"
            )
        try:
            key = pyrage.passphrase.decrypt(
                (folder / "key.age").read_bytes(), passphrase
            )
        except OSError as e:
            raise BackupError(f"key.age: {e}") from None
        except Exception:
            raise BackupError("wrong passphrase (key.age cannot be opened)") from None
        identities.append(pyrage.x25519.Identity.from_str(key.decode()))
    elif mode == "x25519":
        path = identity_file or _env_secret("IMENA_BACKUP_IDENTITY_FILE")
        if not path:
            raise BackupError(
                "this backup is encrypted to an age key: give its secret key with "
                "--identity FILE or IMENA_BACKUP_IDENTITY_FILE"
            )
        try:
            lines = Path(path).read_text().splitlines()
        except OSError as e:
            raise BackupError(f"cannot read the identity file {path}: {e}") from None
        for line in lines:
            line = line.strip()
            if line.startswith("AGE-SECRET-KEY-"):
                identities.append(pyrage.x25519.Identity.from_str(line))
        if not identities:
            raise BackupError(f"{path} holds no AGE-SECRET-KEY line")
    else:
        raise BackupError(f"unknown encryption {mode!r} in backup.json")

    def open_part(src: Path, dst: Path) -> None:
        try:
            with src.open("rb") as i, dst.open("wb") as o:
                pyrage.decrypt_io(i, o, identities)
        except Exception:
            raise BackupError(
                f"{src.name} cannot be decrypted with the given key, or is damaged"
            ) from None

    return open_part


# --- Hashes, files, database ----------------------------------------------------------


def evidence_files(root: Path) -> Iterator[Path]:
    """Every stored file under the evidence root (all stores live there)."""
    if not root.exists():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(filenames):
            if name.startswith(".healthz-"):
                continue
            yield Path(dirpath) / name


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: IMENA_PG_BIN, the PATH, or the newest Debian install."""
    folder = os.environ.get("IMENA_PG_BIN", "")
    if folder:
        return str(Path(folder) / name)
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(
        glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if installed:
        return installed[-1]
    raise BackupError(
        f"{name} not found: install PostgreSQL's client or set IMENA_PG_BIN"
    )


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise BackupError(f"{Path(argv[0]).name} failed: {first}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(cursor: Any, tables: list[str]) -> dict[str, Any]:
    """Row counts of every table and the audit chain head, from one snapshot."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    head = {"seq": 0, "hash": ""}
    if "audit_audithead" in tables:
        cursor.execute("SELECT seq, hash FROM audit_audithead ORDER BY id LIMIT 1")
        row = cursor.fetchone()
        if row:
            head = {"seq": int(row[0]), "hash": str(row[1])}
    return {"counts": counts, "audit_head": head}


def database_facts() -> dict[str, Any]:
    """The same facts about the live database (after a restore)."""
    with connection.cursor() as cursor:
        return _facts(cursor, connection.introspection.table_names(cursor))


def _snapshot_database(target: Path) -> dict[str, Any]:
    """Copy the database to ``target``; return its format and facts."""
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            # The online-backup API: a consistent copy while others write.
            source.backup(copy)
            tables = [
                r[0]
                for r in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            facts = _facts(copy.cursor(), tables)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        return {"format": "sqlite", **facts}
    if vendor == "postgresql":
        # One exported snapshot: the facts and pg_dump see the same data.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                facts = _facts(cursor, connection.introspection.table_names(cursor))
                _run(
                    [
                        pg_tool("pg_dump"),
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={target}",
                    ],
                    _pg_env(),
                )
            finally:
                cursor.execute("ROLLBACK")
        return {"format": "pg_dump-custom", **facts}
    raise BackupError(f"backups of a {vendor} database are not supported")


def _software() -> dict[str, str]:
    try:
        imena_version = version("imena")
    except PackageNotFoundError:
        imena_version = "unknown"
    return {"imena": imena_version, "django": django.get_version()}


# --- Backup ----------------------------------------------------------------------------


@dataclass
class BackupResult:
    folder: Path
    files: int
    bytes: int
    audit_head: dict[str, Any]
    encryption: str


def backup_create(
    *, out: Path, insecure_plaintext: bool = False, say: Say = lambda s: None
) -> BackupResult:
    """Write a backup into ``out`` (a new or empty folder)."""
    sealer = sealer_from_environment(insecure_plaintext=insecure_plaintext)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} exists and is not an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / "files").mkdir()
    parts: dict[str, dict[str, Any]] = {}

    def add_part(name: str, plain: Path) -> dict[str, Any]:
        target = out / (name + sealer.suffix)
        sealer.write(plain, target)
        target.chmod(0o600)
        parts[target.relative_to(out).as_posix()] = {
            "sha256": file_sha256(target),
            "size": target.stat().st_size,
        }
        return {
            "part": target.relative_to(out).as_posix(),
            "sha256": file_sha256(plain),
            "size": plain.stat().st_size,
        }

    with tempfile.TemporaryDirectory(prefix="imena-backup-") as tmp:
        say("copying the database ...")
        db_plain = Path(tmp) / "database"
        db = _snapshot_database(db_plain)
        database = {"format": db["format"], **add_part("database", db_plain)}
        db_plain.unlink()

    root = Path(settings.EVIDENCE_ROOT)
    say(f"copying the evidence store {root} ...")
    files = []
    total = 0
    for n, path in enumerate(evidence_files(root), 1):
        entry = add_part(f"files/{n:06d}", path)
        entry["path"] = path.relative_to(root).as_posix()
        entry["mode"] = path.stat().st_mode & 0o777
        files.append(entry)
        total += entry["size"]

    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "software": _software(),
        "database": database,
        "audit_head": db["audit_head"],
        "counts": db["counts"],
        "files": files,
    }
    with tempfile.TemporaryDirectory(prefix="imena-backup-") as tmp:
        plain = Path(tmp) / "manifest.json"
        plain.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        add_part("manifest.json", plain)
    if sealer.sealed_key:
        (out / "key.age").write_bytes(sealer.sealed_key)
        (out / "key.age").chmod(0o600)
    header = {
        "format": FORMAT,
        "created": manifest["created"],
        "encryption": sealer.mode,
        "manifest": "manifest.json" + sealer.suffix,
        "parts": parts,
    }
    (out / "backup.json").write_text(json.dumps(header, indent=1, sort_keys=True))
    return BackupResult(out, len(files), total, db["audit_head"], sealer.mode)


# --- Restore ---------------------------------------------------------------------------


@dataclass
class RestoreResult:
    files: int
    audit_head: dict[str, Any]
    counts: dict[str, int]


def _read_header(folder: Path) -> dict[str, Any]:
    try:
        header = json.loads((folder / "backup.json").read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} is not an Imena backup (no backup.json)") from None
    except (OSError, ValueError) as e:
        raise BackupError(f"backup.json cannot be read: {e}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"backup.json: not a {FORMAT} backup")
    return header


def _check_parts(folder: Path, header: dict[str, Any]) -> None:
    parts = header.get("parts") or {}
    present = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name not in ("backup.json", "key.age")
    }
    missing = sorted(set(parts) - present)
    if missing:
        raise BackupError(
            f"backup damaged: {missing[0]} is missing ({len(missing)} parts)"
        )
    extra = sorted(present - set(parts))
    if extra:
        raise BackupError(f"backup damaged: {extra[0]} is not listed in backup.json")
    for name, expected in sorted(parts.items()):
        path = folder / name
        if (
            path.stat().st_size != expected["size"]
            or file_sha256(path) != expected["sha256"]
        ):
            raise BackupError(
                f"backup damaged: {name} does not match its SHA-256 in backup.json"
            )


def _safe_relative(path: str) -> Path:
    rel = Path(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise BackupError(f"manifest names an unsafe path: {path!r}")
    return rel


def database_is_empty() -> bool:
    vendor = connection.vendor
    if vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        if not name.exists() or name.stat().st_size == 0:
            return True
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _store_is_empty(root: Path) -> bool:
    return next(evidence_files(root), None) is None


def _restore_database(plain: Path, fmt: str) -> None:
    vendor = connection.vendor
    if fmt == "sqlite" and vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        connections.close_all()
        name.parent.mkdir(parents=True, exist_ok=True)
        for extra in (Path(f"{name}-wal"), Path(f"{name}-shm"), name):
            extra.unlink(missing_ok=True)
        staged = name.with_name(name.name + ".restoring")
        shutil.copyfile(plain, staged)
        os.replace(staged, name)
        return
    if fmt == "pg_dump-custom" and vendor == "postgresql":
        connections.close_all()
        _run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={connection.settings_dict['NAME']}",
                str(plain),
            ],
            _pg_env(),
        )
        return
    raise BackupError(
        f"this backup holds a {fmt} database; the configured database is {vendor} "
        "(restore into the same kind of database)"
    )


def backup_restore(
    *, folder: Path, identity_file: str | None = None, say: Say = lambda s: None
) -> RestoreResult:
    """Restore ``folder`` into an empty database and evidence store.

    Nothing is written to either before every part has been checked and
    decrypted into a staging folder and every file matches the manifest.
    """
    header = _read_header(folder)
    root = Path(settings.EVIDENCE_ROOT)
    if not database_is_empty():
        raise BackupError(
            "the database is not empty: restore needs an empty database "
            "(a new one, before imena migrate)"
        )
    if not _store_is_empty(root):
        raise BackupError(f"the evidence store {root} is not empty")
    say("checking every part of the backup ...")
    _check_parts(folder, header)
    open_part = _opener(folder, header, identity_file)

    # Staging beside the evidence store, so that putting it in place is a rename.
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".imena-restore-", dir=root.parent))
    try:
        manifest_plain = staging / "manifest.json"
        open_part(folder / header["manifest"], manifest_plain)
        try:
            manifest = json.loads(manifest_plain.read_text())
        except ValueError:
            raise BackupError("the manifest is not valid JSON") from None
        if manifest.get("format") != FORMAT:
            raise BackupError("the manifest is not of this backup format")

        def unseal(entry: dict[str, Any], target: Path) -> None:
            part = str(entry["part"])
            if part not in header["parts"]:
                raise BackupError(f"the manifest names {part}, absent from backup.json")
            target.parent.mkdir(parents=True, exist_ok=True)
            open_part(folder / part, target)
            if (
                file_sha256(target) != entry["sha256"]
                or target.stat().st_size != entry["size"]
            ):
                raise BackupError(f"{part} does not match its SHA-256 in the manifest")

        say("decrypting and checking the database copy ...")
        db_plain = staging / "database"
        unseal(manifest["database"], db_plain)
        say(f"decrypting and checking {len(manifest['files'])} evidence files ...")
        store = staging / "evidence"
        store.mkdir()
        for entry in manifest["files"]:
            target = store / _safe_relative(entry["path"])
            unseal(entry, target)
            target.chmod(int(entry.get("mode", 0o440)) & 0o777)

        # Everything is checked: put the store in place, then the database.
        if not database_is_empty() or not _store_is_empty(root):
            raise BackupError("the database or evidence store was written meanwhile")
        say("restoring the evidence store and the database ...")
        if root.exists():
            shutil.rmtree(root)  # empty folders only (checked above)
        os.replace(store, root)
        try:
            _restore_database(db_plain, manifest["database"]["format"])
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    connections.close_all()
    facts = database_facts()
    if facts["audit_head"] != manifest["audit_head"]:
        raise BackupError(
            "restored, but the audit chain head differs from the manifest's: "
            f"{facts['audit_head']} != {manifest['audit_head']}"
        )
    differing = [
        t for t, n in manifest["counts"].items() if facts["counts"].get(t) != n
    ]
    if differing:
        raise BackupError(
            f"restored, but {len(differing)} table(s) differ in row count from the "
            f"manifest (first: {differing[0]})"
        )
    return RestoreResult(len(manifest["files"]), facts["audit_head"], facts["counts"])
